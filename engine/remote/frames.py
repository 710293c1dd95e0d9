"""Frames between the writer process and its API workers: a 4-byte big-endian length, then a
pickle. Both ends run this release's code on one machine, over a socket only the server's user
may open, so commands, results and exceptions cross as they are, without a second schema."""
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


async def read(reader: asyncio.StreamReader) -> Any:
    """The next message; asyncio.IncompleteReadError when the other end has gone."""
    (length,) = LENGTH.unpack(await reader.readexactly(LENGTH.size))
    if length > limits.frame_bytes_max:
        raise FrameTooLarge(f"a {length}-byte frame is over {limits.frame_bytes_max} bytes")
    return pickle.loads(await reader.readexactly(length))
