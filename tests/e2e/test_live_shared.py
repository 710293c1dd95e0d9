"""Subscriptions of the same document and variables share one rendering of each event (one
feed); these pin that sharing never mixes subscriptions up: many subscribers on one document
each get every event once, in log order; other variables (filters) keep their own events; one
that joins a feed already live (after replaying the same cursor) misses nothing and gets
nothing twice; one that stops gets nothing more while the others go on; and once every socket
is gone, no live subscription is left."""
from __future__ import annotations

import asyncio
import contextlib

import aiohttp

from .conftest import new_session
from .helpers import add_channel, add_location, add_products, line, place_ok, set_stock
from .live_helpers import SUB_EVENTS, WsClient, collect_events, cursors, events, eventually, last_cursor, unique

SUBSCRIBERS_N = 12  # sockets on one document, both protocols
PROTOCOLS = ["graphql-transport-ws", "graphql-ws"]


async def world(c) -> tuple[str, str, str]:
    p = unique("SHR")
    loc, sku, ch_a, ch_b = f"{p}-L", f"{p}-S", f"{p}-a", f"{p}-b"
    await add_location(c, loc)
    await add_products(c, [{"sku": sku, "name": sku, "price": "1.00"}])
    await add_channel(c, ch_a)
    await add_channel(c, ch_b)
    await set_stock(c, [{"sku": sku, "location": loc, "onHand": 100_000}])
    return sku, ch_a, ch_b


def of_channel(rows: list[dict], channel: str) -> list[dict]:
    return [r for r in rows if r["data"].get("channel") == channel]


@contextlib.asynccontextmanager
async def sockets(server, n: int):
    async with new_session(limit=n) as session:
        clients = [WsClient(session, server.url, PROTOCOLS[i % 2]) for i in range(n)]
        try:
            for ws in clients:
                await ws.connect(server.token)
            yield clients
        finally:
            for ws in clients:
                await ws.close()


async def subscribers_metric(server) -> float:
    async with aiohttp.ClientSession() as session:
        async with session.get(server.base_url + "/metrics") as response:
            text = await response.text()
    return float(next(l for l in text.splitlines() if l.startswith("oms_subscribers ")).split()[1])


async def test_many_subscribers_on_one_document_each_get_every_event_once_in_order_and_filters_stay_apart(
        shared_server, shared_client):
    c = shared_client
    sku, ch_a, ch_b = await world(c)
    start = await last_cursor(c)
    async with sockets(shared_server, SUBSCRIBERS_N) as clients:
        # given many sockets on one document and variables, two subscriptions on one of them,
        # and the same document with another channel on every third socket
        on_a = [(ws, await ws.subscribe(SUB_EVENTS, {"channel": ch_a})) for ws in clients]
        on_a.append((clients[0], await clients[0].subscribe(SUB_EVENTS, {"channel": ch_a})))
        on_b = [(ws, await ws.subscribe(SUB_EVENTS, {"channel": ch_b})) for ws in clients[::3]]
        await asyncio.sleep(0.3)  # registered

        # when orders are placed on both channels, interleaved
        for i in range(10):
            await place_ok(c, {"channel": (ch_a, ch_b)[i % 3 == 2], "lines": [line(sku, 1)]})
        produced = await events(c, after=start)
        expected_a, expected_b = of_channel(produced, ch_a), of_channel(produced, ch_b)
        assert len(expected_a) > len(expected_b) > 0

        # then every subscription got exactly its channel's events, in log order, none twice
        for ws, sub in on_a:
            assert await collect_events(ws, sub, expected_a[-1]["cursor"]) == expected_a
        for ws, sub in on_b:
            assert await collect_events(ws, sub, expected_b[-1]["cursor"]) == expected_b
        for ws, sub in on_a + on_b:
            await ws.none_within(sub, 0.0)
        await clients[-1].none_within(on_a[-2][1], 0.2)


async def test_a_subscriber_joining_a_live_feed_after_replaying_the_same_cursor_misses_nothing_and_gets_nothing_twice(
        shared_server, shared_client):
    c = shared_client
    sku, ch_a, _ = await world(c)
    start = await last_cursor(c)
    variables = {"channel": ch_a, "after": start}
    async with sockets(shared_server, 3) as (first, second, third):
        # given a subscriber that is live on the shared feed, with events before and during the others' replay
        first_sub = await first.subscribe(SUB_EVENTS, variables)
        for _ in range(5):
            await place_ok(c, {"channel": ch_a, "lines": [line(sku, 1)]})

        async def produce(n: int) -> None:
            for _ in range(n):
                await place_ok(c, {"channel": ch_a, "lines": [line(sku, 1)]})

        # when two more subscribe with the same document and cursor while orders keep coming
        producing = asyncio.create_task(produce(15))
        second_sub = await second.subscribe(SUB_EVENTS, variables)
        await asyncio.sleep(0.05)
        third_sub = await third.subscribe(SUB_EVENTS, variables)
        await producing
        expected = of_channel(await events(c, after=start), ch_a)

        # then each got the whole log from the cursor: replayed and shared live, in order, none twice
        for ws, sub in ((first, first_sub), (second, second_sub), (third, third_sub)):
            got = await collect_events(ws, sub, expected[-1]["cursor"])
            await ws.none_within(sub, 0.2)
            assert cursors(got) == cursors(expected)
            assert got == expected


async def test_a_subscriber_that_stops_gets_nothing_more_the_others_go_on_and_none_is_left_when_all_are_gone(server, client):
    c = client
    sku, ch_a, _ = await world(c)
    start = await last_cursor(c)
    async with sockets(server, 4) as clients:
        subs = [(ws, await ws.subscribe(SUB_EVENTS, {"channel": ch_a})) for ws in clients]
        await eventually(lambda: _equals(subscribers_metric(server), len(subs)), what="every subscription registered")
        await place_ok(c, {"channel": ch_a, "lines": [line(sku, 1)]})
        first = of_channel(await events(c, after=start), ch_a)
        for ws, sub in subs:
            assert await collect_events(ws, sub, first[-1]["cursor"]) == first

        # when one stops and its socket closes, and another stops on an open socket
        stopped_ws, stopped_sub = subs[0]
        await stopped_ws.stop(stopped_sub)
        await stopped_ws.close()
        quiet_ws, quiet_sub = subs[1]
        await quiet_ws.stop(quiet_sub)
        await eventually(lambda: _equals(subscribers_metric(server), 2), what="two subscriptions left")
        await place_ok(c, {"channel": ch_a, "lines": [line(sku, 1)]})
        later = of_channel(await events(c, after=first[-1]["cursor"]), ch_a)

        # then the others get the new events and the stopped one on the open socket gets nothing
        for ws, sub in subs[2:]:
            assert await collect_events(ws, sub, later[-1]["cursor"]) == later
        if quiet_ws.legacy:  # graphql-ws answers a stop with complete; graphql-transport-ws says nothing
            ended = await quiet_ws.queues[quiet_sub].get()
            assert ended["type"] == "complete", ended
        await quiet_ws.none_within(quiet_sub, 0.2)

    # then, once every socket is gone, no subscription is left on the server
    await eventually(lambda: _equals(subscribers_metric(server), 0), what="no subscription left")


async def _equals(value, expected) -> bool:
    return (await value) == expected
