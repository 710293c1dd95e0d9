"""The engine as a library: `Engine.open(path)`, commands in, results out."""
from __future__ import annotations

import asyncio
from concurrent.futures import Future
from pathlib import Path
from typing import Callable

from .domain.commands import Result
from .reads.reader import Reader
from .storage.migration import ensure_format
from .storage.store import Store
from .writer.answers import LoopAnswer
from .writer.sequencer import Sequencer


class Engine:
    def __init__(self, store: Store):
        self.store = store
        self.sequencer = Sequencer(store)
        self.read = Reader(store)

    @classmethod
    def open(cls, path: str | Path, announce: Callable[[str], None] = lambda text: None) -> "Engine":
        """Opens (or creates) the data directory, first bringing it to this release's format."""
        store = Store(path)
        try:
            ensure_format(store, announce)
        except BaseException:
            store.close()
            raise
        return cls(store)

    def listen(self, listener) -> None:
        """`listener(events, changed_orders)` runs on the writer thread after each commit, with its
        events in order and the sequence numbers of the orders it changed."""
        self.sequencer.listeners.append(listener)

    def submit(self, command: object) -> Future:
        return self.sequencer.submit(command)

    def execute(self, command: object) -> Result:
        """Blocks until the command is durable (or refused)."""
        return self.submit(command).result()

    def answer(self, command: object) -> asyncio.Future:
        """The command's result on the running event loop, set after its commit."""
        answer = LoopAnswer(asyncio.get_running_loop())
        self.sequencer.submit(command, answer)
        return answer.future

    async def run(self, command: object) -> Result:
        return await self.answer(command)

    def close(self) -> None:
        self.sequencer.close()
        self.store.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
