"""Frames between the writer process and its API workers: a 4-byte big-endian length, then a
pickle. Both ends run this release's code on one machine, over a socket only the server's user
may open, so commands, results and exceptions cross as they are, without a second schema.

`FrameProtocol` parses frames straight from what the socket delivers (no coroutine per frame)
and sends what one turn of the event loop produced in one write: a commit answers many
commands at once, and a busy worker sends many commands at once."""
from __future__ import annotations

import asyncio
import pickle
import struct
from typing import Any

from ..domain import limits

LENGTH = struct.Struct(">I")

# worker -> writer
RUN = 1      # (RUN, id, command)
HELLO = 2    # (HELLO, worker index, pid): the worker is serving
STATUS = 3   # (STATUS, id)
# writer -> worker
ANSWER = 4   # (ANSWER, id, failed, result or exception), after the command's commit
COMMIT = 5   # (COMMIT, events, changed order seqs), every commit, in order
STATE = 6    # (STATE, id, {"workers": expected, "ready": serving})


class FrameTooLarge(Exception):
    pass


def encode(message: tuple) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(body) > limits.frame_bytes_max:
        raise FrameTooLarge(f"a {len(body)}-byte frame is over {limits.frame_bytes_max} bytes")
    return LENGTH.pack(len(body)) + body


class FrameProtocol(asyncio.Protocol):
    """One end of a framed connection: `on_frame(message)` for each frame, `send(data)` to queue
    an encoded frame, `on_lost()` once the connection has gone (or was cut), `hang_up()`."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self._buffer = bytearray()
        self._outgoing: list[bytes] = []
        self._outgoing_bytes = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        start = 0
        while len(buffer) - start >= LENGTH.size:
            (length,) = LENGTH.unpack_from(buffer, start)
            if length > limits.frame_bytes_max:
                self.hang_up(abort=True)  # not a peer of this release: nothing it sends can be trusted
                return
            end = start + LENGTH.size + length
            if len(buffer) < end:
                break
            message = pickle.loads(memoryview(buffer)[start + LENGTH.size : end])
            start = end
            self.on_frame(message)
            if self.closed:
                return
        del buffer[:start]

    def send(self, data: bytes) -> None:
        if self.closed:
            return
        if not self._outgoing:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outgoing.append(data)
        self._outgoing_bytes += len(data)
        if self._outgoing_bytes + self.transport.get_write_buffer_size() > limits.worker_lag_bytes_max:
            self.too_far_behind()

    def _flush(self) -> None:
        if self._outgoing and not self.closed:
            self.transport.write(b"".join(self._outgoing))
        self._outgoing.clear()
        self._outgoing_bytes = 0

    def too_far_behind(self) -> None:
        self.hang_up(abort=True)

    def hang_up(self, abort: bool = False) -> None:
        """abort: now, dropping what is queued (a plain close waits for a reader that may not read)."""
        if self.closed:
            return
        if abort:
            self.closed = True
            self.transport.abort()
            return
        self._flush()
        self.closed = True
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.on_lost()

    def on_frame(self, message: Any) -> None:
        raise NotImplementedError

    def on_lost(self) -> None:
        pass
