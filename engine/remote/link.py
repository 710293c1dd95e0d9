"""What an API worker needs from the way to its writer: the one interface a transport
implements. `UnixLink` (unix_link.py) is the local one; a network transport (NATS
request-reply for commands, a JetStream stream for commits) would be another, with neither the
API nor the engine changed: `RemoteEngine` and the writer's side only see this."""
from __future__ import annotations

import asyncio
from typing import Callable, Protocol


class WriterUnavailable(Exception):
    """The writer process is gone: a command sent to it may or may not have been committed."""


class CommandLink(Protocol):
    lost: asyncio.Event  # set once the writer is gone: nothing more can be acknowledged

    def submit(self, command: object) -> asyncio.Future:
        """The command's result, set after its commit (or its refusal, an exception)."""

    def status(self) -> asyncio.Future:
        """The writer's view of the workers: {"workers": expected, "ready": serving}."""

    def serving(self, index: int) -> None:
        """Tells the writer that worker `index` now serves."""

    def on_commit(self, listener: Callable[[list[dict], set[int]], None]) -> None:
        """listener(events, changed order seqs) for every commit, in commit order."""

    async def close(self) -> None:
        ...
