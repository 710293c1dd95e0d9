"""Shared live delivery. Subscriptions of one shape (document, variables, operation name) get
each event rendered once: one strawberry execution, one encoded payload, written to every
socket with only the operation id differing. Each member keeps its own cursor (events it
already has from its replay are skipped) and its own bounded backlog, so a socket that falls
behind never holds up the others and is cut off as too slow past `capacity` events."""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from contextlib import aclosing
from typing import AsyncIterator, Callable

import orjson
from aiohttp import WSMsgType, web

from ..graphql.ws_handlers import result_payload
from .hub import Hub, Overflow, Subscriber
from .operations import LiveOperation

log = logging.getLogger("oms.live")
LIVE_FEED = "live_feed"  # context key of a feed's own stream: its resolver follows the feed's events


class Member:
    """One subscription's socket: a frame is written at once, or queued while the socket is behind."""

    def __init__(self, operation: LiveOperation, socket: web.WebSocketResponse, transport: asyncio.Transport,
                 last: int, capacity: int):
        self.head = operation.frame_head
        self.socket = socket
        self.transport = transport
        self.low_water = transport.get_write_buffer_limits()[0]
        self.task = asyncio.current_task()
        self.accepted = last  # newest event written or queued
        self.last = last      # newest event written: the cursor to resume from
        self.capacity = capacity
        self.backlog: deque[tuple[int, bytes]] = deque()
        self.draining: asyncio.Task | None = None
        self.gone = False
        self.ended: asyncio.Future = asyncio.get_running_loop().create_future()  # result: None, or Overflow

    async def deliver(self, seq: int, payload: bytes) -> None:
        if seq <= self.accepted or self.gone or self.ended.done() or self.task.cancelling():
            return
        self.accepted = seq
        if self.draining is None and self.transport.get_write_buffer_size() <= self.low_water:
            await self._write(seq, payload)  # below the low-water mark aiohttp does not wait to drain
        elif len(self.backlog) >= self.capacity:
            self.end(Overflow(f"more than {self.capacity} events behind"))
        else:
            self.backlog.append((seq, payload))
            if self.draining is None:
                self.draining = asyncio.create_task(self._drain())

    async def _write(self, seq: int, payload: bytes) -> None:
        self.last = seq  # set first: send_frame writes before it waits for the socket to drain
        try:
            await self.socket.send_frame(self.head + payload + b"}", WSMsgType.TEXT)
        except (ConnectionResetError, RuntimeError):  # the socket is closing: its handler cancels the operation
            self.gone = True
            self.backlog.clear()

    async def _drain(self) -> None:
        try:
            while self.backlog and not self.ended.done():  # nothing is written after the cursor a close names
                await self._write(*self.backlog.popleft())
        finally:
            self.draining = None

    def end(self, reason: Exception | None) -> None:
        if not self.ended.done():
            self.ended.set_result(reason)
        self.backlog.clear()


class Feed:
    """One shape's events, rendered by one strawberry subscription whose resolver follows `rows`."""

    def __init__(self, hub: Hub, shape: tuple, match: Callable[[dict], bool]):
        self.hub = hub
        self.shape = shape
        self.members: dict[Member, None] = {}
        self.source = Subscriber(match, hub.capacity)
        self.source.followers = self.members
        hub.registered.add(self.source)  # now, not when the stream starts: no event after a join is missed
        hub.feeds[shape] = self
        self.rendering = 0  # the event the stream's next result is of
        self.failure: Overflow | None = None
        self.task: asyncio.Task | None = None

    def start(self, schema, operation: LiveOperation, context: dict) -> None:
        self.task = asyncio.create_task(self._run(schema, operation, {**context, LIVE_FEED: self}))

    async def rows(self) -> AsyncIterator[dict]:
        while True:
            try:
                batch = await self.source.next_batch()
            except Overflow as exc:  # the feed itself fell behind: every member resumes from its cursor
                self.failure = exc
                return
            for row in batch:
                self.rendering = row["seq"]
                yield row

    async def _run(self, schema, operation: LiveOperation, context: dict) -> None:
        try:
            stream = await schema.subscribe(operation.query, variable_values=operation.variables, context_value=context,
                                            operation_name=operation.operation_name)
            async with aclosing(stream):
                async for result in stream:
                    seq, payload = self.rendering, orjson.dumps(result_payload(result))
                    for member in tuple(self.members):
                        await member.deliver(seq, payload)
        except Exception:
            log.exception("live feed failed")
        finally:
            self._retire()
            for member in self.members:
                member.end(self.failure)

    def leave(self, member: Member) -> None:
        self.members.pop(member, None)
        if member.draining is not None:
            member.draining.cancel()  # its last write is on the socket already: the cursor it names stands
        if not self.members:
            self._retire()
            self.task.cancel()

    def _retire(self) -> None:
        self.hub.registered.discard(self.source)
        if self.hub.feeds.get(self.shape) is self:
            del self.hub.feeds[self.shape]


def join(info, operation: LiveOperation, match: Callable[[dict], bool], last: int) -> tuple[Feed, Member] | None:
    """Hands a subscription that is live from `last` over to its shape's feed; None when it
    must stay on its own. Synchronous: nothing is published between the caller's last look
    at its own buffer and the join."""
    shape = operation.shape
    request = info.context.get("request")
    transport = request.transport if request is not None else None
    if shape is None or transport is None or transport.is_closing():
        return None
    hub = info.context["hub"]
    feed = hub.feeds.get(shape)
    if feed is None:
        feed = Feed(hub, shape, match)
        shared = {k: v for k, v in info.context.items() if k not in ("request", "response", "connection_params")}
        feed.start(info.schema, operation, shared)
    member = Member(operation, info.context["response"], transport, last, hub.capacity)
    feed.members[member] = None
    return feed, member
