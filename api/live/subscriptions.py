"""GraphQL subscriptions: events (replay from a cursor, then live), stock levels, an order."""
from __future__ import annotations

from datetime import datetime
from typing import AsyncGenerator, Callable, Optional

import strawberry

from .. import ids
from ..automation.types import Event, EventType
from ..common import seq_cursor
from ..graphql import GraphQLError
from ..inventory.types import StockLevel
from ..orders.types import Order
from .feeds import LIVE_FEED, join
from .hub import Overflow
from .operations import current_operation

replay_page_events = 250
close_too_slow = 4008


async def follow(info: strawberry.Info, match: Callable[[dict], bool], after: Optional[int],
                 replay: Callable[[int], tuple[list[dict], bool]] | None = None) -> AsyncGenerator[dict, None]:
    """Committed events that match: those after `after` from the log, then live ones, with
    no gap and no duplicate at the switch (the subscription is registered before replaying).
    Over a websocket, once caught up, delivery goes to the feed shared by every subscription
    of the same document and variables."""
    feed = info.context.get(LIVE_FEED)
    if feed is not None:  # this is that feed's own stream
        async for row in feed.rows():
            yield row
        return
    read = info.context["engine"].read
    operation = current_operation()
    with info.context["hub"].subscribe(match) as subscriber:
        last = read.last_event_seq() if after is None else after
        while replay is not None and after is not None:
            rows, more = replay(last)
            for row in rows:
                last = row["seq"]
                yield row
            if not more:
                break
        while True:
            caught_up = not subscriber.buffer and not subscriber.overflowed
            joined = join(info, operation, match, last) if caught_up and operation is not None else None
            if joined is not None:
                break
            try:
                batch = await subscriber.next_batch()
            except Overflow as exc:
                await _close_too_slow(info, last, str(exc))
                return
            for row in batch:
                if row["seq"] > last:
                    last = row["seq"]
                    yield row
    feed, member = joined
    try:
        overflow = await member.ended
    finally:
        feed.leave(member)
    if overflow is not None:
        await _close_too_slow(info, member.last, str(overflow))


async def _close_too_slow(info: strawberry.Info, last: int, why: str) -> None:
    reason = f"too slow ({why}); resume with after: \"{last}\""
    await info.context["response"].close(code=close_too_slow, message=reason.encode()[:123])


@strawberry.type
class Subscription:
    @strawberry.subscription(description="""Replays from `after` (a cursor), then follows live; null `after`: live only.
`channel` keeps only events of that channel's orders.""")
    async def events(self, info: strawberry.Info, types: Optional[list[EventType]] = None, channel: Optional[str] = None,
                     order_id: Optional[strawberry.ID] = None, after: Optional[str] = None) -> AsyncGenerator[Event, None]:
        start = seq_cursor(after)
        order = None
        if order_id is not None:
            order = ids.decode_seq(order_id, "Order")
            if order is None:
                raise GraphQLError("orderId is not an Order id")
        wanted = {t.value for t in types} if types else None
        def match(e: dict) -> bool:
            return ((wanted is None or e["type"] in wanted) and (channel is None or e["channel"] == channel)
                    and (order is None or e["order"] == order))
        read = info.context["engine"].read
        def replay(last: int):
            return read.events(last, replay_page_events, list(wanted) if wanted else None, order, channel)
        async for row in follow(info, match, start, replay):
            yield Event.of(row)

    @strawberry.subscription(description="Each change of a matching stock level.")
    async def stock_levels(self, info: strawberry.Info, skus: Optional[list[str]] = None,
                           locations: Optional[list[str]] = None) -> AsyncGenerator[StockLevel, None]:
        sku_set, loc_set = (set(skus) if skus else None), (set(locations) if locations else None)
        def match(e: dict) -> bool:
            return (e["type"] == "STOCK_CHANGED" and (sku_set is None or e["sku"] in sku_set)
                    and (loc_set is None or e["location"] in loc_set))
        async for row in follow(info, match, None):
            d = row["data"]
            yield StockLevel(sku=row["sku"], location=row["location"], on_hand=d["onHand"], committed=d["committed"],
                             available=d["available"], safety_stock=d["safetyStock"], incoming=d["incoming"],
                             updated_at=datetime.fromisoformat(row["at"]))

    @strawberry.subscription(description="The order as it is now, then again each time it changes.")
    async def order(self, info: strawberry.Info, id: strawberry.ID) -> AsyncGenerator[Order, None]:
        seq = ids.decode_seq(id, "Order")
        read = info.context["engine"].read
        if seq is None or read.order(seq) is None:
            raise GraphQLError("no order with this id")
        hub = info.context["hub"]
        with hub.subscribe(lambda change: change["order"] == seq, order_changes=True) as subscriber:
            yield Order.of(read.order(seq))
            while True:
                try:
                    await subscriber.next_batch()  # one commit's change (or several): one new state
                except Overflow as exc:
                    await _close_too_slow(info, read.last_event_seq(), str(exc))
                    return
                yield Order.of(read.order(seq))


