"""The local CommandLink: one Unix socket to the writer process, frames both ways (frames.py)."""
from __future__ import annotations

import asyncio
import itertools
import os
import time
from pathlib import Path
from typing import Any, Callable

from . import frames
from .link import WriterUnavailable


class UnixLink(frames.FrameProtocol):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count()
        self._pending: dict[int, asyncio.Future] = {}
        self._listeners: list[Callable[[list[dict], set[int]], None]] = []
        self.lost = asyncio.Event()

    @classmethod
    async def connect(cls, socket_path: Path, timeout_s: float) -> "UnixLink":
        """Waits for the writer's socket (it exists once the writer has loaded and migrated the data)."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                _, link = await loop.create_unix_connection(cls, str(socket_path))
                return link
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise WriterUnavailable(f"no writer listening at {socket_path} after {timeout_s} s") from None
                await asyncio.sleep(0.05)

    def submit(self, command: object) -> asyncio.Future:
        return self._request(lambda id_: (frames.RUN, id_, command))

    def status(self) -> asyncio.Future:
        return self._request(lambda id_: (frames.STATUS, id_))

    def serving(self, index: int) -> None:
        self.send(frames.encode((frames.HELLO, index, os.getpid())))

    def on_commit(self, listener: Callable[[list[dict], set[int]], None]) -> None:
        self._listeners.append(listener)

    def _request(self, message: Callable[[int], tuple]) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        if self.closed:
            future.set_exception(WriterUnavailable("the writer process is not connected"))
            return future
        id_ = next(self._ids)
        data = frames.encode(message(id_))
        self._pending[id_] = future
        self.send(data)
        return future

    def on_frame(self, message: Any) -> None:
        if message[0] == frames.COMMIT:
            for listener in self._listeners:
                listener(message[1], message[2])
            return
        future = self._pending.pop(message[1], None)
        if future is None or future.done():
            return
        if message[0] == frames.STATE:
            future.set_result(message[2])
        elif message[2]:
            future.set_exception(message[3])
        else:
            future.set_result(message[3])

    def on_lost(self) -> None:
        self.lost.set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(WriterUnavailable("the connection to the writer process was lost before the answer"))
        self._pending.clear()

    async def close(self) -> None:
        self.hang_up()
