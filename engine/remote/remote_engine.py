"""The engine as an API worker process sees it: reads from its own LMDB environment (opened
in this process, after the writer has brought the data to this release's format), commands
sent to the writer over a CommandLink and answered after their commit, and every commit's
events. The same read / run / listen as `Engine`, so the API does not tell them apart."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from ..domain.commands import Result
from ..reads.reader import Reader
from ..storage.store import Store
from .link import CommandLink
from .unix_link import UnixLink


class RemoteEngine:
    def __init__(self, store: Store, link: CommandLink):
        self.store = store
        self.read = Reader(store)
        self.link = link
        self.lost = link.lost

    @classmethod
    async def connect(cls, data_dir: str | Path, socket_path: Path, timeout_s: float) -> "RemoteEngine":
        link = await UnixLink.connect(socket_path, timeout_s)
        return cls(Store(data_dir, readonly=True), link)  # the writer serves only once the format is current

    def listen(self, listener: Callable[[list[dict], set[int]], None]) -> None:
        self.link.on_commit(listener)

    def answer(self, command: object) -> asyncio.Future:
        return self.link.submit(command)

    async def run(self, command: object) -> Result:
        return await self.link.submit(command)

    async def status(self) -> dict:
        return await self.link.status()

    def hello(self, index: int) -> None:
        self.link.serving(index)

    async def close(self) -> None:
        await self.link.close()
        self.store.close()
