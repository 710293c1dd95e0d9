"""Fan-out of committed events to live subscribers, each with a bounded buffer, so a slow
subscriber never slows the engine or the others: it is cut off and resumes from its cursor."""
from __future__ import annotations

import asyncio
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterator, Sized

from engine import Engine, limits


ORDER_CHANGED = "ORDER_CHANGED"


class Overflow(Exception):
    """The subscriber fell more than its buffer behind."""


class Subscriber:
    followers: Sized | None = None  # a shared feed's subscriber stands for the subscriptions it delivers to

    def __init__(self, match: Callable[[dict], bool], capacity: int):
        self.match = match
        self.capacity = capacity
        self.buffer: deque[dict] = deque()
        self.ready = asyncio.Event()
        self.overflowed = False
        self.wants_order_changes = False

    def offer(self, events: list[dict]) -> None:
        matching = [e for e in events if self.match(e)]
        if not matching or self.overflowed:
            return
        if len(self.buffer) + len(matching) > self.capacity:
            self.overflowed = True
            self.buffer.clear()
        else:
            self.buffer.extend(matching)
        self.ready.set()

    async def next_batch(self) -> list[dict]:
        await self.ready.wait()
        self.ready.clear()
        if self.overflowed:
            raise Overflow(f"more than {self.capacity} events behind")
        batch = list(self.buffer)
        self.buffer.clear()
        return batch


class Hub:
    def __init__(self, engine: Engine, loop: asyncio.AbstractEventLoop, capacity: int = limits.subscriber_buffer_events_max):
        self.loop = loop
        self.capacity = capacity
        self.registered: set[Subscriber] = set()
        self.feeds: dict = {}  # shared feeds by document and variables (feeds.py)
        self.on_commit: list[Callable[[list[dict]], None]] = []
        engine.listen(self._from_writer)

    @property
    def subscribers(self) -> list:
        """Every live subscription: those registered here and those a shared feed delivers to."""
        return [f for s in self.registered for f in (s.followers if s.followers is not None else (s,))]

    def _from_writer(self, events: list[dict], changed_orders: set[int]) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._publish, events, changed_orders)

    def _publish(self, events: list[dict], changed_orders: set[int]) -> None:
        changes = [{"seq": 0, "type": ORDER_CHANGED, "order": seq} for seq in sorted(changed_orders)]
        for subscriber in list(self.registered):
            subscriber.offer(changes if subscriber.wants_order_changes else events)
        for callback in self.on_commit:
            callback(events)

    @contextmanager
    def subscribe(self, match: Callable[[dict], bool], order_changes: bool = False) -> Iterator[Subscriber]:
        """Events that match; or, with order_changes, one {type: ORDER_CHANGED, order} per changed order and commit."""
        subscriber = Subscriber(match, self.capacity)
        subscriber.wants_order_changes = order_changes
        self.registered.add(subscriber)
        try:
            yield subscriber
        finally:
            self.registered.discard(subscriber)
