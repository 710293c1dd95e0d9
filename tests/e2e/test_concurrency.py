"""64 concurrent clients, each on its own connection, ordering one hot sku: the stock is
never over-allocated, units go first come first served, and every acknowledged order is
readable."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest

from .conftest import Client, both_process_layouts
from .helpers import (
    INVENTORY_ADJUST, ORDER_BY_ID, ORDER_CANCEL, ORDER_PLACE_SHORT, ORDERS_PLACE, add_channel, add_location, add_products, all_orders, assert_stock_invariants,
    ledger, set_stock, stock_level,
)

pytestmark = pytest.mark.slow

clients_n = 64
orders_per_client = 8
stock_units = 100


async def hammer(server, channel: str) -> list[tuple[str, dict]]:
    """Every client places `orders_per_client` one-unit orders, one at a time, on its own connection."""
    async def one_client(ci: int) -> list[tuple[str, dict]]:
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
            c = Client(server, session)
            answers = []
            for k in range(orders_per_client):
                ext = f"c{ci:02d}-{k}"
                data = await c.data(ORDER_PLACE_SHORT, {"input": {"channel": channel, "externalId": ext,
                                                                 "lines": [{"sku": "HOT", "quantity": 1}]}})
                answers.append((ext, data["orderPlace"]))
            return answers

    results = await asyncio.gather(*(one_client(ci) for ci in range(clients_n)))
    return [answer for client_answers in results for answer in client_answers]


async def given_one_hot_sku(client, reject: bool) -> str:
    await add_location(client, "WH")
    await add_products(client, [{"sku": "HOT", "name": "Hot item", "price": "1.00"}])
    await add_channel(client, "rush", reject=reject)
    await set_stock(client, [{"sku": "HOT", "location": "WH", "onHand": stock_units}], reason="RECEIVED")
    return "rush"


async def then_stock_is_exactly_used(client) -> None:
    level = await stock_level(client, "HOT", "WH")
    assert level["committed"] == stock_units <= level["onHand"] == stock_units
    assert level["available"] == 0
    assert sum(ch["delta"] for ch in await ledger(client, "HOT", "WH")) == level["onHand"]
    await assert_stock_invariants(client)


async def then_every_acknowledged_order_is_readable(client, accepted: list[dict]) -> None:
    for order in accepted:
        found = (await client.data(ORDER_BY_ID, {"id": order["id"]}))["order"]
        assert found is not None and (found["number"], found["externalId"]) == (order["number"], order["externalId"])


@both_process_layouts
async def test_backorder_channel_never_allocates_more_than_stock(server, client):
    channel = await given_one_hot_sku(client, reject=False)
    answers = await hammer(server, channel)

    assert all(payload["userErrors"] == [] for _, payload in answers)
    accepted = [payload["order"] for _, payload in answers]
    assert len({o["id"] for o in accepted}) == clients_n * orders_per_client
    stored = await all_orders(client)
    assert len(stored) == clients_n * orders_per_client
    numbers = [o["number"] for o in stored]
    assert len(set(numbers)) == len(numbers) and numbers == sorted(numbers)
    allocated = sum(l["allocated"] for o in stored for l in o["lines"])
    assert allocated == stock_units
    assert sum(a["quantity"] for o in stored for l in o["lines"] for a in l["allocations"]) == stock_units
    # first come first served: the 100 oldest orders hold the units
    assert [o["status"] for o in stored] == ["ALLOCATED"] * stock_units + ["BACKORDERED"] * (len(stored) - stock_units)
    await then_stock_is_exactly_used(client)
    await then_every_acknowledged_order_is_readable(client, accepted)


@both_process_layouts
async def test_reject_channel_accepts_exactly_the_stock(server, client):
    channel = await given_one_hot_sku(client, reject=True)
    answers = await hammer(server, channel)

    accepted = [payload["order"] for _, payload in answers if payload["order"] is not None]
    refused = [payload for _, payload in answers if payload["order"] is None]
    assert len(accepted) == stock_units
    assert all({e["code"] for e in payload["userErrors"]} == {"INSUFFICIENT_STOCK"} for payload in refused)
    assert all(payload["userErrors"] == [] for _, payload in answers if payload["order"] is not None)
    assert all(o["status"] == "ALLOCATED" for o in accepted)
    # refusals use no order number
    assert sorted(o["number"] for o in accepted) == [f"SO-{i:06d}" for i in range(1, stock_units + 1)]
    stored = await all_orders(client)
    assert len(stored) == stock_units
    assert sum(l["allocated"] for o in stored for l in o["lines"]) == stock_units
    await then_stock_is_exactly_used(client)
    await then_every_acknowledged_order_is_readable(client, accepted)


@both_process_layouts
async def test_concurrent_retries_of_one_external_id_make_one_order_and_other_orders_behind_it_conflict(server, client):
    channel = await given_one_hot_sku(client, reject=False)

    def order(quantity: int) -> dict:
        return {"channel": channel, "externalId": "same", "lines": [{"sku": "HOT", "quantity": quantity}]}

    async def retry(ci: int) -> list[tuple[int, dict | None, list]]:
        """(quantity sent, order, userErrors) of a single placement of 3 units and a batch of two of 1 unit."""
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            c = Client(server, session)
            single = (await c.data(ORDER_PLACE_SHORT, {"input": order(3)}))["orderPlace"]
            batch = (await c.data(ORDERS_PLACE, {"input": [order(1)] * 2}))["ordersPlace"]
            return [(3, single["order"], single["userErrors"]),
                    *((1, o, [e for e in batch["userErrors"] if e["field"][1] == str(i)]) for i, o in enumerate(batch["orders"]))]

    answers = [a for group in await asyncio.gather(*(retry(ci) for ci in range(clients_n))) for a in group]
    stored = await all_orders(client)
    assert len(stored) == 1
    committed = (await stock_level(client, "HOT", "WH"))["committed"]
    assert committed in (1, 3)
    for quantity, placed, errors in answers:
        if quantity == committed:  # a retry of the order that came first: that order
            assert errors == [] and (placed["id"], placed["number"]) == (stored[0]["id"], stored[0]["number"])
        else:  # another order behind its externalId: refused, naming it
            assert placed is None and [(e["field"][-1], e["code"]) for e in errors] == [("externalId", "CONFLICT")]
            assert stored[0]["number"] in errors[0]["message"]


@both_process_layouts
async def test_placements_cancels_and_receipts_interleaved_keep_stock_consistent(server, client):
    channel = await given_one_hot_sku(client, reject=False)
    placed: list[str] = []
    adjustments = []

    async def orderer(ci: int) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            c = Client(server, session)
            for k in range(orders_per_client):
                payload = (await c.data(ORDER_PLACE_SHORT, {"input": {"channel": channel, "externalId": f"m{ci}-{k}",
                                                                      "lines": [{"sku": "HOT", "quantity": 1 + k % 3}]}}))["orderPlace"]
                assert payload["userErrors"] == []
                placed.append(payload["order"]["id"])

    async def canceller(ci: int) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            c = Client(server, session)
            for _ in range(orders_per_client * 2):
                if len(placed) > ci:
                    payload = (await c.data(ORDER_CANCEL, {"id": placed[-1 - ci]}))["orderCancel"]
                    assert payload["userErrors"] == [] or {e["code"] for e in payload["userErrors"]} == {"INVALID_STATE"}
                await asyncio.sleep(0.005)

    async def receiver() -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
            c = Client(server, session)
            for k in range(20):
                delta = -3 if k % 4 == 3 else 5
                payload = (await c.data(INVENTORY_ADJUST, {"input": [{"sku": "HOT", "location": "WH", "delta": delta}],
                                                           "reason": "CORRECTION" if delta < 0 else "RECEIVED"}))["inventoryAdjust"]
                assert payload["userErrors"] == []
                adjustments.append(delta)
                await asyncio.sleep(0.01)

    await asyncio.gather(*(orderer(ci) for ci in range(48)), *(canceller(ci) for ci in range(8)), receiver())
    stored = await all_orders(client)
    assert len(stored) == 48 * orders_per_client
    level = await stock_level(client, "HOT", "WH")
    assert level["onHand"] == stock_units + sum(adjustments)
    live = [o for o in stored if o["status"] != "CANCELLED"]
    reserved = sum(a["quantity"] for o in stored for l in o["lines"] for a in l["allocations"])
    assert level["committed"] == reserved <= level["onHand"]
    # nothing waits while stock is free, and cancelled orders hold nothing
    assert level["available"] == 0 or all(l["backordered"] == 0 for o in live for l in o["lines"])
    assert all(l["allocations"] == [] and l["cancelled"] == l["quantity"] for o in stored if o["status"] == "CANCELLED" for l in o["lines"])
    await assert_stock_invariants(client)
