"""Subscriptions over websocket at /graphql, against a real server: `events` resumed from a
cursor (replay, then live, no gap and no duplicate at the switch) on graphql-transport-ws and
on the legacy graphql-ws; `stockLevels` and `order`; a bad token closes with 4403."""
from __future__ import annotations

import asyncio
import contextlib

import pytest

from .conftest import new_session
from .helpers import (
    ORDER_BY_ID, ORDER_CANCEL, ORDER_RELEASE, add_channel, add_location, add_products, adjust_stock, line, ok, place_ok,
    set_stock,
)
from .live_helpers import (
    SCAN, SUB_EVENTS, SUB_ORDER, SUB_STOCK, WsClient, WsClosed, collect_events, cursors, events, last_cursor, save_rule_ok,
    unique,
)

PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]


async def world(c):
    p = unique("SUB")
    L1, L2, A, B, ch = f"{p}-L1", f"{p}-L2", f"{p}-A", f"{p}-B", f"{p}-web"
    await add_location(c, L1, priority=0)
    await add_location(c, L2, priority=1)
    await add_products(c, [{"sku": A, "name": "A", "price": "1.00"}, {"sku": B, "name": "B", "price": "1.00"}])
    await add_channel(c, ch)
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 100_000}, {"sku": B, "location": L2, "onHand": 100_000}])
    return L1, L2, A, B, ch


@contextlib.asynccontextmanager
async def ws_client(server, protocol: str = "graphql-transport-ws", token: str | None = ...):
    async with new_session() as session:
        ws = WsClient(session, server.url, protocol)
        await ws.connect(server.token if token is ... else token)
        try:
            yield ws
        finally:
            await ws.close()


class Producer:
    """Places orders on a channel in the background, one request after the other."""

    def __init__(self, c, channel: str, sku: str):
        self.c, self.channel, self.sku = c, channel, sku
        self.placed = 0
        self.task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            await place_ok(self.c, {"channel": self.channel, "lines": [line(self.sku, 1)]})
            self.placed += 1
            await asyncio.sleep(0.005)

    def __enter__(self) -> "Producer":
        self.task = asyncio.create_task(self._run())
        return self

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def of_channel(rows: list[dict], channel: str) -> list[dict]:
    return [r for r in rows if r["data"].get("channel") == channel]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_subscriber_that_disconnects_resumes_from_its_cursor_missing_nothing_and_nothing_twice(
        shared_server, shared_client, protocol):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    start = await last_cursor(c)
    variables = {"channel": ch, "after": start}

    # given a subscriber to one channel's events that has read a few of them
    async with ws_client(shared_server, protocol) as ws:
        sub = await ws.subscribe(SUB_EVENTS, variables)
        for _ in range(3):
            await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})
        first_batch = of_channel(await events(c, after=start), ch)
        seen = await collect_events(ws, sub, first_batch[-1]["cursor"])
        assert seen == first_batch
        # when it keeps reading while orders keep coming, then drops the connection mid-stream
        producer = Producer(c, ch, A).__enter__()
        for _ in range(5):
            seen.append((await ws.next(sub))["events"])
        # (the socket goes away with whatever else was in flight)
    last_seen = seen[-1]["cursor"]
    await asyncio.sleep(0.2)  # orders keep coming while it is away

    # when it reconnects with its last cursor while orders are still being placed
    async with ws_client(shared_server, protocol) as ws:
        sub = await ws.subscribe(SUB_EVENTS, {**variables, "after": last_seen})
        await asyncio.sleep(0.3)
        await producer.stop()
        # a last event after the producer stopped: the subscription is live
        final = await place_ok(c, {"channel": ch, "lines": [line(B, 1)]})
        expected = of_channel(await events(c, after=last_seen), ch)
        assert expected[-1]["orderId"] == final["id"]
        resumed = await collect_events(ws, sub, expected[-1]["cursor"])
        await ws.none_within(sub, 0.3)

    # then it got exactly what it missed, in log order: replayed and live, none twice, none missing
    assert producer.placed >= 3
    assert cursors(resumed) == cursors(expected)
    assert resumed == expected
    everything = seen + resumed
    assert cursors(everything) == cursors(of_channel(await events(c, after=start), ch))


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_a_live_only_subscription_with_type_and_order_filters(shared_server, shared_client, protocol):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    held_ch = f"{ch}-held"
    await add_channel(c, held_ch)
    await save_rule_ok(c, {"name": f"hold {held_ch}", "event": "ORDER_PLACED", "condition": f'order.channel == "{held_ch}"',
                           "actions": [{"type": "HOLD", "params": {"reason": "check"}}]})
    before = await place_ok(c, {"channel": held_ch, "lines": [line(A, 1)]})
    async with ws_client(shared_server, protocol) as ws:
        # live only (no `after`): nothing of the past
        placed_sub = await ws.subscribe(SUB_EVENTS, {"types": ["ORDER_PLACED", "ORDER_CANCELLED"], "channel": held_ch})
        order_sub = await ws.subscribe(SUB_EVENTS, {"orderId": before["id"]})
        await asyncio.sleep(0.2)  # the subscriptions are registered
        ok((await c.data(ORDER_RELEASE, {"id": before["id"]}))["orderRelease"])
        other = await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})  # another channel: filtered out
        mine = await place_ok(c, {"channel": held_ch, "lines": [line(A, 1)]})
        ok((await c.data(ORDER_CANCEL, {"id": mine["id"]}))["orderCancel"])
        got = [(await ws.next(placed_sub))["events"] for _ in range(2)]
        assert [(e["type"], e["orderId"]) for e in got] == [("ORDER_PLACED", mine["id"]), ("ORDER_CANCELLED", mine["id"])]
        of_before = [(await ws.next(order_sub))["events"] for _ in range(2)]
        assert sorted(e["type"] for e in of_before) == ["ORDER_RELEASED", "SHIPMENT_CREATED"]
        assert {e["orderId"] for e in of_before} == {before["id"]}
        await ws.none_within(placed_sub, 0.2)
        await ws.none_within(order_sub, 0.0)
        assert other["id"] not in {e["orderId"] for e in got}


async def test_a_cursor_that_is_not_one_is_refused(shared_server):
    async with ws_client(shared_server) as ws:
        sub = await ws.subscribe(SUB_EVENTS, {"after": "not-a-cursor"})
        with pytest.raises(AssertionError, match="cursor|errors|ended"):
            await ws.next(sub, 5)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_stock_levels_subscription_follows_matching_levels(shared_server, shared_client, protocol):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    async with ws_client(shared_server, protocol) as ws:
        sub = await ws.subscribe(SUB_STOCK, {"skus": [A], "locations": [L1]})
        await asyncio.sleep(0.2)
        await adjust_stock(c, [{"sku": B, "location": L2, "delta": 5}], "RECEIVED")      # other sku: not seen
        await adjust_stock(c, [{"sku": A, "location": L2, "delta": 5}], "RECEIVED")      # other location: not seen
        await adjust_stock(c, [{"sku": A, "location": L1, "delta": -10}], "DAMAGED")
        await place_ok(c, {"channel": ch, "lines": [line(A, 3)]})
        await set_stock(c, [{"sku": A, "location": L1, "onHand": 50, "safetyStock": 7}])
        got = [(await ws.next(sub))["stockLevels"] for _ in range(3)]
        await ws.none_within(sub, 0.3)
    assert [(g["sku"], g["location"]) for g in got] == [(A, L1)] * 3
    assert [(g["onHand"], g["committed"], g["available"], g["safetyStock"]) for g in got] == [
        (99_990, 0, 99_990, 0), (99_990, 3, 99_987, 0), (50, 3, 40, 7)]


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_order_subscription_sends_the_order_now_then_after_each_change(shared_server, shared_client, protocol):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    held_ch = f"{ch}-held"
    await add_channel(c, held_ch)
    await save_rule_ok(c, {"name": f"hold {held_ch}", "event": "ORDER_PLACED", "condition": f'order.channel == "{held_ch}"',
                           "actions": [{"type": "HOLD", "params": {"reason": "check"}}]})
    order = await place_ok(c, {"channel": held_ch, "lines": [line(A, 2)]})
    async with ws_client(shared_server, protocol) as ws:
        sub = await ws.subscribe(SUB_ORDER, {"id": order["id"]})
        now = (await ws.next(sub))["order"]
        assert (now["id"], now["status"], now["holdReason"], now["shipments"]) == (order["id"], "ON_HOLD", "check", [])
        await place_ok(c, {"channel": held_ch, "lines": [line(A, 1)]})  # another order: nothing
        ok((await c.data(ORDER_RELEASE, {"id": order["id"]}))["orderRelease"])
        released = (await ws.next(sub))["order"]
        assert released["status"] == "ALLOCATED" and [s["status"] for s in released["shipments"]] == ["PENDING"]
        ok((await c.data(ORDER_CANCEL, {"id": order["id"], "reason": "x"}))["orderCancel"])
        cancelled = (await ws.next(sub))["order"]
        assert cancelled["status"] == "CANCELLED" and cancelled["lines"][0]["cancelled"] == 2
        assert [s["status"] for s in cancelled["shipments"]] == ["CANCELLED"]
        await ws.none_within(sub, 0.3)


async def test_order_subscription_sends_the_order_again_when_its_shipment_is_picked(shared_server, shared_client):
    """A change that appends no event (a scan) is a change of the order too. (Found by this
    suite; fixed in 7fde7ca.)"""
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    order = await place_ok(c, {"channel": ch, "lines": [line(A, 2)]})
    shipment = order["shipments"][0]
    async with ws_client(shared_server) as ws:
        sub = await ws.subscribe(SUB_ORDER, {"id": order["id"]})
        now = (await ws.next(sub))["order"]
        assert [s["status"] for s in now["shipments"]] == ["PENDING"]
        ok((await c.data(SCAN, {"id": shipment["id"], "barcode": A, "quantity": 1}))["shipmentScan"])
        stored = (await c.data(ORDER_BY_ID, {"id": order["id"]}))["order"]
        assert [s["status"] for s in stored["shipments"]] == ["PICKING"]   # the order changed
        changed = (await ws.next(sub, 2))["order"]
        assert [s["status"] for s in changed["shipments"]] == ["PICKING"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("token", ["wrong-token", None])
async def test_a_bad_token_in_connection_init_closes_the_socket_with_4403(shared_server, protocol, token):
    async with new_session() as session:
        ws = WsClient(session, shared_server.url, protocol)
        with pytest.raises(WsClosed) as closed:
            await ws.connect(token)
        assert closed.value.code == 4403, closed.value
        await ws.close()
