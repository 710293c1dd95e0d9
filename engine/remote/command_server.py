"""The writer process's side: serves the engine to API workers over a Unix socket. Each
command is answered after its commit; every commit's events go to every worker, in order."""
from __future__ import annotations

import asyncio
import logging
import os
from functools import partial
from pathlib import Path
from typing import Any, Callable

from ..domain import limits
from ..engine import Engine
from . import frames

log = logging.getLogger("oms.workers")


class _Connection(frames.FrameProtocol):
    def __init__(self, server: "CommandServer"):
        super().__init__()
        self.server = server
        self.worker: int | None = None
        self.pid: int | None = None
        self.gone = asyncio.Event()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.server.connections.add(self)

    def on_frame(self, message: Any) -> None:
        kind = message[0]
        if kind == frames.RUN:
            self.server.run(self, message[1], message[2])
        elif kind == frames.HELLO:
            self.worker, self.pid = message[1], message[2]
            self.server.hello(message[1], message[2])
        elif kind == frames.STATUS:
            status = {"workers": self.server.workers, "ready": len(self.server.serving)}
            self.send(frames.encode((frames.STATE, message[1], status)))

    def too_far_behind(self) -> None:
        log.error("worker %s is more than %d bytes behind: disconnecting it", self.worker, limits.worker_lag_bytes_max)
        super().too_far_behind()

    def on_lost(self) -> None:
        self.server.connections.discard(self)
        if self.worker is not None and self.server.serving.get(self.worker) == self.pid:  # not its successor's
            del self.server.serving[self.worker]
        self.gone.set()


class CommandServer:
    def __init__(self, engine: Engine, path: Path, workers: int, on_ready: Callable[[], None] = lambda: None):
        """on_ready: called once, when every worker first serves, before any status says so."""
        self.engine = engine
        self.path = path
        self.workers = workers
        self.on_ready = on_ready
        self.connections: set[_Connection] = set()
        self.serving: dict[int, int] = {}  # worker index -> pid, once it has said HELLO
        self._was_ready = False

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.path.unlink(missing_ok=True)  # left by a writer that was killed
        self.server = await self.loop.create_unix_server(lambda: _Connection(self), path=str(self.path))
        os.chmod(self.path, 0o600)
        self.engine.listen(self._from_writer)

    def ready(self) -> bool:
        return len(self.serving) == self.workers

    def hello(self, index: int, pid: int) -> None:
        self.serving[index] = pid
        if self.ready() and not self._was_ready:
            self._was_ready = True
            self.on_ready()

    def _from_writer(self, events: list[dict], changed_orders: set[int]) -> None:
        """On the writer thread, after each commit."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._broadcast, events, changed_orders)

    def _broadcast(self, events: list[dict], changed_orders: set[int]) -> None:
        if self.connections:
            data = frames.encode((frames.COMMIT, events, changed_orders))  # once for every worker
            for connection in list(self.connections):
                connection.send(data)

    def run(self, connection: _Connection, id_: int, command: object) -> None:
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
        connections = list(self.connections)
        for connection in connections:
            connection.hang_up(abort=True)
        await asyncio.gather(*(c.gone.wait() for c in connections))
        await self.server.wait_closed()
        self.path.unlink(missing_ok=True)
