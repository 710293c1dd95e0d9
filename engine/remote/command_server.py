"""The writer process's side: serves the engine to API workers over a Unix socket. Each
command is answered after its commit; every commit's events go to every worker, in order."""
from __future__ import annotations

import asyncio
import logging
import os
from functools import partial
from pathlib import Path

from ..domain import limits
from ..engine import Engine
from . import frames

log = logging.getLogger("oms.workers")


class _Connection:
    __slots__ = ("writer", "worker", "closed")

    def __init__(self, writer: asyncio.StreamWriter):
        self.writer = writer
        self.worker: int | None = None
        self.closed = False

    def send(self, data: bytes) -> None:
        if self.closed:
            return
        self.writer.write(data)
        if self.writer.transport.get_write_buffer_size() > limits.worker_lag_bytes_max:
            log.error("worker %s is more than %d bytes behind: disconnecting it", self.worker, limits.worker_lag_bytes_max)
            self.close(abort=True)

    def close(self, abort: bool = False) -> None:
        """abort: now, dropping what is buffered (close() would wait for a reader that does not read)."""
        if not self.closed:
            self.closed = True
            self.writer.transport.abort() if abort else self.writer.close()


class CommandServer:
    def __init__(self, engine: Engine, path: Path, workers: int):
        self.engine = engine
        self.path = path
        self.workers = workers
        self.connections: set[_Connection] = set()
        self._handlers: set[asyncio.Task] = set()
        self.serving: dict[int, int] = {}  # worker index -> pid, once it has said HELLO

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.path.unlink(missing_ok=True)  # left by a writer that was killed
        self.server = await asyncio.start_unix_server(self._serve, path=str(self.path))
        os.chmod(self.path, 0o600)
        self.engine.listen(self._from_writer)

    def ready(self) -> bool:
        return len(self.serving) == self.workers

    def _from_writer(self, events: list[dict], changed_orders: set[int]) -> None:
        """On the writer thread, after each commit."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._broadcast, events, changed_orders)

    def _broadcast(self, events: list[dict], changed_orders: set[int]) -> None:
        if self.connections:
            data = frames.encode((frames.COMMIT, events, changed_orders))  # once for every worker
            for connection in list(self.connections):
                connection.send(data)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = _Connection(writer)
        self.connections.add(connection)
        handler = asyncio.current_task()
        self._handlers.add(handler)
        try:
            while True:
                message = await frames.read(reader)
                if message[0] == frames.RUN:
                    self._run(connection, message[1], message[2])
                elif message[0] == frames.HELLO:
                    connection.worker = message[1]
                    self.serving[message[1]] = message[2]
                elif message[0] == frames.STATUS:
                    status = {"workers": self.workers, "ready": len(self.serving)}
                    connection.send(frames.encode((frames.STATE, message[1], status)))
        except (asyncio.IncompleteReadError, ConnectionError, frames.FrameTooLarge):
            pass
        finally:
            self.connections.discard(connection)
            if connection.worker is not None and self.serving.get(connection.worker) is not None:
                del self.serving[connection.worker]
            connection.close()
            self._handlers.discard(handler)

    def _run(self, connection: _Connection, id_: int, command: object) -> None:
        try:
            future = self.engine.answer(command)
        except Exception as exc:  # Overloaded: the worker's caller sheds the request
            self._send_answer(connection, id_, True, exc)
            return
        future.add_done_callback(partial(self._answered, connection, id_))

    def _answered(self, connection: _Connection, id_: int, future: asyncio.Future) -> None:
        failure = future.exception()
        self._send_answer(connection, id_, failure is not None, failure if failure is not None else future.result())

    def _send_answer(self, connection: _Connection, id_: int, failed: bool, value: object) -> None:
        try:
            data = frames.encode((frames.ANSWER, id_, failed, value))
        except Exception as exc:  # an answer that cannot cross: the caller learns why, the commit stands
            log.exception("answer %d could not be sent", id_)
            data = frames.encode((frames.ANSWER, id_, True, RuntimeError(f"the answer could not be sent: {exc}")))
        connection.send(data)

    async def close(self) -> None:
        self.server.close()
        for connection in list(self.connections):
            connection.close(abort=True)  # each handler then reads the end and returns (a cancelled one is logged)
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self.server.wait_closed()
        self.path.unlink(missing_ok=True)
