"""How the writer answers its callers after a commit: threads through concurrent futures,
event loops through their own futures, each loop woken once per batch (not once per
command: that wake-up and the future chaining were ~9% of the API's event loop)."""
from __future__ import annotations

import asyncio
from concurrent.futures import Future


class LoopAnswer:
    """The answer an asyncio caller awaits; made on its loop's thread."""

    __slots__ = ("loop", "future")

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.future: asyncio.Future = loop.create_future()


Answer = Future | LoopAnswer


def deliver(answers: list[tuple[Answer, object, bool]]) -> None:
    """(answer, value, failed) for each command of a batch, in order."""
    by_loop: dict[asyncio.AbstractEventLoop, list] = {}
    for answer, value, failed in answers:
        if isinstance(answer, LoopAnswer):
            by_loop.setdefault(answer.loop, []).append((answer.future, value, failed))
        elif not answer.done():
            answer.set_exception(value) if failed else answer.set_result(value)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass


def _settle(settled: list) -> None:
    for future, value, failed in settled:
        if not future.done():  # a caller that went away cancelled its future
            future.set_exception(value) if failed else future.set_result(value)
