"""A slow subscriber must not slow the engine or the other subscribers: one that does not read
while more than 10,000 matching events are produced is disconnected with close code 4008 and
a reason naming its last cursor, while a fast subscriber at the same time receives every
event; the slow one then resumes from that cursor and gets exactly the rest."""
from __future__ import annotations

import asyncio
import json
import re
import socket

import aiohttp
import pytest

from .conftest import new_session
from .helpers import ORDERS_PLACE, add_channel, add_location, add_products, ok
from .live_helpers import INVENTORY_ADJUST_SHORT, SUB_EVENTS, WsClient, collect_events, cursors, events, last_cursor

pytestmark = pytest.mark.slow

SKUS_N = 1_250          # x 2 locations: 2,500 levels, one STOCK_CHANGED each per adjustment
ORDERS_PER_ROUND = 600  # x 5 events: placed, allocated, shipment created, STOCK_CHANGED and STOCK_LOW (its 1 unit)
ROUNDS = 4              # 4 x 5,500 events: the slow one is stuck in the first round's, then 16,500 more come
# The slow subscriber asks for big messages (the data ten times over), so that the kernel's
# socket buffers (MBs on loopback) hold a few hundred of its events, not thousands.
SLOW_EVENTS = ("subscription($after: String) { events(after: $after) { id cursor type occurredAt orderId sku location data "
               + " ".join(f"d{i}: data" for i in range(10)) + " } }")


def small_buffer_session() -> aiohttp.ClientSession:
    """Connections with a small, fixed kernel receive buffer: a client that does not read
    stops the server's writes after a few hundred KB instead of many MB."""
    def make_socket(addr_info) -> socket.socket:
        family, type_, proto, _, _ = addr_info
        sock = socket.socket(family=family, type=type_, proto=proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
        return sock
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(socket_factory=make_socket))


async def test_a_subscriber_that_does_not_read_is_cut_off_with_4008_and_resumes_from_the_cursor_named(server, client):
    c = client
    await add_location(c, "L1")
    await add_location(c, "L2", priority=1)
    skus = [f"OV-{i}" for i in range(SKUS_N)]
    await add_products(c, [{"sku": s, "name": s, "price": "1.00"} for s in skus])
    await add_channel(c, "web")
    levels = [{"sku": s, "location": loc, "delta": 1} for s in skus for loc in ("L1", "L2")]
    start = await last_cursor(c)

    async with new_session() as session, small_buffer_session() as slow_session:
        # given a fast subscriber that reads everything as it comes
        fast = WsClient(session, server.url)
        await fast.connect(server.token)
        fast_sub = await fast.subscribe(SUB_EVENTS, {"after": start})
        # and a slow one, subscribed to the same events, that reads nothing (its socket fills up)
        slow = await slow_session.ws_connect(server.url, protocols=("graphql-transport-ws",), max_msg_size=0, compress=0)
        await slow.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {server.token}"}})
        assert json.loads((await slow.receive(10)).data)["type"] == "connection_ack"
        await slow.send_json({"type": "subscribe", "id": "slow", "payload": {"query": SLOW_EVENTS, "variables": {"after": start}}})
        await asyncio.sleep(0.3)

        # when about 32,000 events are produced: stock adjustments and batches of orders
        fast_got: list[dict] = []
        end = start
        for r in range(ROUNDS):
            ok((await c.data(INVENTORY_ADJUST_SHORT, {"input": levels, "reason": "RECEIVED"}))["inventoryAdjust"])
            orders = [{"channel": "web", "externalId": f"r{r}-{i}", "lines": [{"sku": skus[i], "quantity": 1}]}
                      for i in range(ORDERS_PER_ROUND)]
            placed = ok((await c.data(ORDERS_PLACE, {"input": orders}))["ordersPlace"])["orders"]
            assert all(o is not None for o in placed)
            # the fast subscriber keeps up
            end = await last_cursor(c, end)
            fast_got += await collect_events(fast, fast_sub, end, timeout=30)
        produced = await events(c, after=start)
        assert len(produced) == ROUNDS * (2 * SKUS_N + 5 * ORDERS_PER_ROUND)  # each order: placed, allocated, shipment, stock changed, stock low

        # then the fast subscriber received every event, in order, none twice
        assert cursors(fast_got) == cursors(produced)
        assert fast_got == produced

        # when the slow one reads at last: what was already on its socket, then the close
        slow_got: list[dict] = []
        while True:
            msg = await slow.receive(30)
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if data["type"] == "next":
                event = data["payload"]["data"]["events"]
                assert all(event.pop(f"d{i}") == event["data"] for i in range(10))
                slow_got.append(event)
        # then it was closed with 4008 and a reason naming its last cursor
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), msg
        assert slow.close_code == 4008, (slow.close_code, msg)
        reason = str(msg.extra or "")
        found = re.search(r'"(\d+)"', reason)
        assert found, reason
        named = found.group(1)
        assert 0 < len(slow_got) < len(produced) - 10_000
        assert slow_got == produced[: len(slow_got)]
        assert named == slow_got[-1]["cursor"]

        # when it resumes from the cursor named, it gets exactly the events it missed
        resumed_ws = WsClient(session, server.url)
        await resumed_ws.connect(server.token)
        resumed_sub = await resumed_ws.subscribe(SUB_EVENTS, {"after": named})
        resumed = await collect_events(resumed_ws, resumed_sub, produced[-1]["cursor"], timeout=60)
        await resumed_ws.none_within(resumed_sub, 0.2)
        assert cursors(slow_got + resumed) == cursors(produced)
        assert resumed == produced[len(slow_got):]
        for ws in (fast, resumed_ws):
            await ws.close()
        await slow.close()
