"""Durability: kill -9 in the middle of a stream of orders, then restart on the same data
dir; and a graceful SIGTERM with requests in flight."""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict

import aiohttp
import pytest

from .conftest import Client, GraphQLError, both_process_layouts
from .helpers import (
    INVENTORY_ADJUST, ORDER_BY_EXT, ORDER_PLACE_SHORT, ORDERS_PLACE, add_channel, add_location, add_products,
    all_orders, assert_stock_invariants, set_stock,
)

pytestmark = pytest.mark.slow

SKUS = [f"S{i}" for i in range(5)]
stream_clients_n = 8
stream_s_max = 20.0  # bound on a client's loop if the server never goes away
big_batches_n = 4


class Stream:
    """What the clients sent and what the server acknowledged."""

    def __init__(self) -> None:
        self.sent: set[tuple[str, str]] = set()                      # (channel, externalId)
        self.inputs: dict[str, dict] = {}                            # externalId -> its input (retries repeat it)
        self.acked: dict[tuple[str, str], tuple[str, str]] = {}      # -> (id, number)
        self.refused: set[tuple[str, str]] = set()
        self.batches: list[list[tuple[str, str]]] = []               # new keys of each web batch sent
        self.adjust_sent = 0
        self.adjust_acked = 0
        self.stop = asyncio.Event()

    def record(self, order_input: dict, order: dict | None, errors: list) -> None:
        key = (order_input["channel"], order_input["externalId"])
        if order is not None:
            assert errors == [], errors
            assert order["externalId"] == key[1]
            previous = self.acked.setdefault(key, (order["id"], order["number"]))
            assert previous == (order["id"], order["number"]), "a retried externalId got another order"
        else:
            assert {e["code"] for e in errors} == {"INSUFFICIENT_STOCK"}, errors
            self.refused.add(key)


def writer_lost(exc: GraphQLError) -> bool:
    """What an API worker answers a mutation in flight when the writer process dies."""
    return "may or may not have been stored" in str(exc)


def random_order(rng: random.Random, channel: str, ext: str) -> dict:
    skus = rng.sample(SKUS, rng.randint(1, 3))
    return {"channel": channel, "externalId": ext, "lines": [{"sku": s, "quantity": rng.randint(1, 3)} for s in skus]}


async def given_stock(client) -> None:
    await add_location(client, "A", lat=50.0, lon=8.0)
    await add_location(client, "B", lat=48.0, lon=11.0, priority=1)
    await add_products(client, [{"sku": s, "name": s, "price": "3.00"} for s in SKUS])
    await add_channel(client, "web")
    await add_channel(client, "edi", "EDI", reject=True)
    await set_stock(client, [{"sku": s, "location": loc, "onHand": n} for s in SKUS for loc, n in (("A", 400), ("B", 250))],
                    reason="RECEIVED", ref="urn:test:initial")


async def stream_orders(server, stream: Stream, seed: int) -> None:
    """Clients placing orders (some retried, some in batches) and one adjusting stock, until stopped or refused."""
    async def orders_client(ci: int) -> None:
        rng = random.Random(seed * 100 + ci)
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
            c = Client(server, session)
            deadline = time.monotonic() + stream_s_max
            n = 0
            mine: list[str] = []  # the externalIds this client sent, each with its input in stream.inputs
            while not stream.stop.is_set() and time.monotonic() < deadline:
                channel = "edi" if rng.random() < 0.2 else "web"
                try:
                    if ci % 4 == 3:  # a batch of ten, one of them a retry of an earlier externalId
                        batch = [random_order(rng, channel, f"k{ci}-{n + j}") for j in range(10)]
                        if mine:  # a retry is the same input again
                            batch[-1] = stream.inputs[rng.choice(mine)]
                        mine.extend(o["externalId"] for o in batch if o["externalId"] not in stream.inputs)
                        stream.inputs.update((o["externalId"], o) for o in batch)
                        new_keys = [(o["channel"], o["externalId"]) for o in batch if (o["channel"], o["externalId"]) not in stream.sent]
                        if channel == "web":
                            stream.batches.append(new_keys)
                        stream.sent.update((o["channel"], o["externalId"]) for o in batch)
                        n += 10
                        payload = (await c.data(ORDERS_PLACE, {"input": batch}))["ordersPlace"]
                        by_index = defaultdict(list)
                        for e in payload["userErrors"]:
                            by_index[int(e["field"][1])].append(e)
                        for j, (order_input, order) in enumerate(zip(batch, payload["orders"])):
                            stream.record(order_input, order, by_index[j])
                    else:
                        order_input = random_order(rng, channel, f"k{ci}-{n}")
                        if mine and rng.random() < 0.1:  # a retry is the same input again
                            order_input = stream.inputs[rng.choice(mine)]
                        else:
                            mine.append(order_input["externalId"])
                            stream.inputs[order_input["externalId"]] = order_input
                        n += 1
                        stream.sent.add((order_input["channel"], order_input["externalId"]))
                        payload = (await c.data(ORDER_PLACE_SHORT, {"input": order_input}))["orderPlace"]
                        stream.record(order_input, payload["order"], payload["userErrors"])
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                    return  # the server went away: this request is unacknowledged
                except GraphQLError as exc:
                    if not writer_lost(exc):
                        raise
                    return  # a worker whose writer was killed: unacknowledged, and said so

    async def stock_client() -> None:
        rng = random.Random(seed)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            c = Client(server, session)
            deadline = time.monotonic() + stream_s_max
            while not stream.stop.is_set() and time.monotonic() < deadline:
                try:
                    stream.adjust_sent += 1
                    data = await c.data(INVENTORY_ADJUST, {"input": [{"sku": rng.choice(SKUS), "location": rng.choice("AB"), "delta": 5}],
                                                           "reason": "RECEIVED", "ref": "urn:test:stream"})
                    assert data["inventoryAdjust"]["userErrors"] == []
                    stream.adjust_acked += 1
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                    return
                except GraphQLError as exc:
                    if not writer_lost(exc):
                        raise
                    return
                await asyncio.sleep(0.02)

    await asyncio.gather(*(orders_client(ci) for ci in range(stream_clients_n)), stock_client())


async def then_everything_acknowledged_is_there(client, stream: Stream) -> list[dict]:
    stored = await all_orders(client)
    numbers = [o["number"] for o in stored]
    assert len(numbers) == len(set(numbers)), "duplicate order numbers"
    assert numbers == sorted(numbers), "order numbers must increase with placement"
    keys = Counter((o["channel"], o["externalId"]) for o in stored)
    assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1][:5]
    by_key = {(o["channel"], o["externalId"]): o for o in stored}
    for key, (order_id, number) in stream.acked.items():
        assert key in by_key, f"acknowledged order {key} {number} lost"
        assert (by_key[key]["id"], by_key[key]["number"]) == (order_id, number)
    return stored


async def then_stock_matches_orders(client, stored: list[dict], initial_on_hand: int, stream: Stream) -> None:
    levels = await assert_stock_invariants(client)
    assert {(lv["sku"], lv["location"]) for lv in levels} == {(s, l) for s in SKUS for l in "AB"}
    reserved: dict[tuple[str, str], int] = defaultdict(int)
    for order in stored:
        for ln in order["lines"]:
            assert ln["shipped"] == 0
            for alloc in ln["allocations"]:
                reserved[(alloc["sku"], alloc["location"])] += alloc["quantity"]
    for lv in levels:
        assert lv["committed"] == reserved[(lv["sku"], lv["location"])], lv
    total_on_hand = sum(lv["onHand"] for lv in levels)
    assert initial_on_hand + 5 * stream.adjust_acked <= total_on_hand <= initial_on_hand + 5 * stream.adjust_sent


async def replace_all(client, keys: list[tuple[str, str]], stream: Stream) -> dict[tuple[str, str], str | None]:
    """Places every (channel, externalId) again, with the input it was sent with (a retry, not
    another order); returns the number each got (None: refused)."""
    numbers = {}
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        batch = [stream.inputs[ext] for _, ext in chunk]
        assert [(o["channel"], o["externalId"]) for o in batch] == chunk
        payload = (await client.data(ORDERS_PLACE, {"input": batch}))["ordersPlace"]
        assert {e["code"] for e in payload["userErrors"]} <= {"INSUFFICIENT_STOCK"}
        for key, order in zip(chunk, payload["orders"]):
            numbers[key] = None if order is None else order["number"]
    return numbers


@both_process_layouts
async def test_kill9_mid_stream_loses_nothing_acknowledged(server, client):
    await given_stock(client)
    initial_on_hand = len(SKUS) * (400 + 250)
    stream = Stream()

    async def killer() -> None:
        await asyncio.sleep(1.0)
        server.kill9()
        stream.stop.set()

    await asyncio.gather(stream_orders(server, stream, seed=1), killer())
    assert len(stream.acked) > 20, "the stream should have placed orders before the kill"

    await server.arestart()
    async with aiohttp.ClientSession() as session:
        c = Client(server, session)
        stored = await then_everything_acknowledged_is_there(c, stream)
        await then_stock_matches_orders(c, stored, initial_on_hand, stream)
        # nothing unacknowledged is half-applied: a batch (one command) is stored whole or not at all
        present = {(o["channel"], o["externalId"]) for o in stored}
        assert stream.batches
        for keys in stream.batches:
            assert sum(k in present for k in keys) in (0, len(keys)), keys

        # idempotency survives: every externalId sent, acknowledged or not, gives at most one order
        keys = sorted(stream.sent)
        first = await replace_all(c, keys, stream)
        for key, (_, number) in stream.acked.items():
            assert first[key] == number, key
        again = await replace_all(c, keys, stream)
        assert again == first
        stored = await then_everything_acknowledged_is_there(c, stream)
        by_key = {(o["channel"], o["externalId"]): o["number"] for o in stored}
        assert {k: v for k, v in first.items() if v is not None} == {k: by_key[k] for k in keys if k in by_key}
        await then_stock_matches_orders(c, stored, initial_on_hand, stream)


@both_process_layouts
async def test_sigterm_finishes_in_flight_requests_and_exits_0(server, client):
    await given_stock(client)
    initial_on_hand = len(SKUS) * (400 + 250)
    stream = Stream()
    # several full batches at once, so that some are still being applied when SIGTERM comes
    # (one alone is answered within 0.1 s on these machines)
    bigs = [[random_order(random.Random(7 + b), "web", f"big-{b}-{i}") for i in range(1000)] for b in range(big_batches_n)]

    async def big_batch(orders: list[dict]) -> tuple[dict, float]:
        async with aiohttp.ClientSession() as session:
            payload = (await Client(server, session).data(ORDERS_PLACE, {"input": orders}))["ordersPlace"]
            return payload, time.monotonic()

    async def terminator() -> int:
        await asyncio.sleep(0.6)
        big_tasks = [asyncio.ensure_future(big_batch(orders)) for orders in bigs]
        await asyncio.sleep(0.1)  # the big requests are being served
        terminated_at = time.monotonic()
        server.terminate()
        stream.stop.set()
        answered = await asyncio.gather(*big_tasks)
        assert max(at for _, at in answered) > terminated_at, "a big batch should still have been in flight at SIGTERM"
        code = await asyncio.to_thread(server.wait, 30)
        return code, [payload for payload, _ in answered]

    _, (code, big_payloads) = await asyncio.gather(stream_orders(server, stream, seed=2), terminator())
    # every in-flight batch was answered in full, some after SIGTERM, and the server exited cleanly
    for orders, payload in zip(bigs, big_payloads):
        assert payload["userErrors"] == [] and all(o is not None for o in payload["orders"])
        for order_input, order in zip(orders, payload["orders"]):
            stream.record(order_input, order, [])
    assert code == 0, server.output()

    await server.arestart()
    async with aiohttp.ClientSession() as session:
        c = Client(server, session)
        stored = await then_everything_acknowledged_is_there(c, stream)
        assert len(stored) >= 1000 * big_batches_n
        await then_stock_matches_orders(c, stored, initial_on_hand, stream)
        found = (await c.data(ORDER_BY_EXT, {"c": "web", "e": f"big-{big_batches_n - 1}-999"}))["order"]
        assert found["number"] == big_payloads[-1]["orders"][-1]["number"]
