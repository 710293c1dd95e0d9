"""Over HTTP: a retry must not hide a different order. Given an order placed with externalId
"113-0001", when the channel sends that id again: the same input is the first order and changes
nothing; another customer email, quantity, sku, unitPrice or shipping address is refused with
CONFLICT on externalId (with its index in ordersPlace), naming the stored order, and changes
nothing. Each document is sent at least twice, so the prepared-document path answers too."""
from __future__ import annotations

import pytest

from .helpers import (
    ORDER_PLACE_SHORT, ORDERS_PAGE, ORDERS_PLACE, add_channel, add_location, add_products, line, ok, set_stock, stock_level,
)

EVENTS = "{ events(first: 250) { edges { cursor node { type } } pageInfo { hasNextPage } } }"
ADDRESS = {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Boston", "region": "MA", "postalCode": "02108", "country": "US"}
FIRST = {"channel": "web", "externalId": "113-0001", "customer": {"email": "ada@example.com", "name": "Ada"},
         "shippingAddress": ADDRESS, "lines": [line("TEE", 2, "19.00"), line("MUG", 1)]}
OTHERS = {
    "another customer email": {**FIRST, "customer": {"email": "grace@example.com", "name": "Ada"}},
    "the email in other case": {**FIRST, "customer": {"email": "ADA@example.com", "name": "Ada"}},
    "another quantity": {**FIRST, "lines": [line("TEE", 3, "19.00"), line("MUG", 1)]},
    "another sku": {**FIRST, "lines": [line("TEE", 2, "19.00"), line("CAP", 1)]},
    "another unitPrice": {**FIRST, "lines": [line("TEE", 2, "18.00"), line("MUG", 1)]},
    "another shipping address": {**FIRST, "shippingAddress": {**ADDRESS, "line1": "9 Elm St"}},
    "no shipping address": {**FIRST, "shippingAddress": None},
}


@pytest.fixture
async def world(client):
    """Given one warehouse with TEE, MUG and CAP, a `web` channel, and the first order as SO-000001."""
    await add_location(client, "WH")
    await add_products(client, [{"sku": "TEE", "name": "T-shirt", "price": "20.00"},
                                {"sku": "MUG", "name": "Mug", "price": "8.50"},
                                {"sku": "CAP", "name": "Cap", "price": "12.00"}])
    await add_channel(client, "web")
    await set_stock(client, [{"sku": s, "location": "WH", "onHand": 10} for s in ("TEE", "MUG", "CAP")])
    first = ok((await client.data(ORDER_PLACE_SHORT, {"input": FIRST}))["orderPlace"])["order"]
    assert first["number"] == "SO-000001"
    return client


async def observable(c) -> tuple:
    """Stock, order count and the event log: what a retry or a refusal must leave as it was."""
    levels = [await stock_level(c, s, "WH") for s in ("TEE", "MUG", "CAP")]
    count = (await c.data(ORDERS_PAGE, {"first": 1}))["orders"]["totalCount"]
    events = (await c.data(EVENTS))["events"]
    assert not events["pageInfo"]["hasNextPage"]
    return levels, count, events["edges"]


async def test_the_same_input_again_is_the_first_order_and_reserves_nothing(world):
    before = await observable(world)
    # when the channel sends it again, alone (twice) and twice in one ordersPlace, lines reordered once
    # (the customer's name is not compared, and a unitPrice left out means the one stored)
    reordered = {**FIRST, "lines": [line("MUG", 1), line("TEE", 2)], "customer": {"email": "ada@example.com"}}
    answers = [(await world.data(ORDER_PLACE_SHORT, {"input": i}))["orderPlace"] for i in (FIRST, FIRST, reordered)]
    batch = (await world.data(ORDERS_PLACE, {"input": [FIRST, reordered]}))["ordersPlace"]
    # then each answer is SO-000001, and stock, orders and the event log are as they were
    assert [ok(a)["order"]["number"] for a in answers] == ["SO-000001"] * 3
    assert [o["number"] for o in ok(batch)["orders"]] == ["SO-000001"] * 2
    assert await observable(world) == before


@pytest.mark.parametrize("what", OTHERS)
async def test_another_order_behind_the_external_id_is_a_conflict_that_changes_nothing(world, what):
    other = OTHERS[what]
    before = await observable(world)
    for _ in range(2):  # the second time through the prepared path
        # when another order comes with "113-0001"
        payload = (await world.data(ORDER_PLACE_SHORT, {"input": other}))["orderPlace"]
        # then it is refused on externalId, naming the stored order
        assert payload["order"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["input", "externalId"], "CONFLICT")]
        assert "SO-000001" in payload["userErrors"][0]["message"]
    assert await observable(world) == before  # no number used, nothing reserved, no event
    # and in an ordersPlace, at its index, while the inputs around it are served
    batch = (await world.data(ORDERS_PLACE, {"input": [FIRST, other, {**FIRST, "externalId": "113-0002"}]}))["ordersPlace"]
    assert [(e["field"], e["code"]) for e in batch["userErrors"]] == [(["input", "1", "externalId"], "CONFLICT")]
    assert "SO-000001" in batch["userErrors"][0]["message"]
    assert [o and o["number"] for o in batch["orders"]] == ["SO-000001", None, "SO-000002"]
    # and only the new order changed anything
    levels, count, _ = await observable(world)
    assert count == before[1] + 1
    assert [lv["committed"] for lv in levels] == [lv["committed"] + n for lv, n in zip(before[0], (2, 1, 0))]


async def test_one_external_id_twice_in_one_orders_place_is_one_order_then_a_conflict(world):
    new = {**FIRST, "externalId": "113-0003"}
    other = {**new, "lines": [line("CAP", 2)]}
    batch = (await world.data(ORDERS_PLACE, {"input": [new, other, new]}))["ordersPlace"]
    assert [o and o["number"] for o in batch["orders"]] == ["SO-000002", None, "SO-000002"]
    assert [(e["field"], e["code"]) for e in batch["userErrors"]] == [(["input", "1", "externalId"], "CONFLICT")]
    assert "SO-000002" in batch["userErrors"][0]["message"]
    assert (await stock_level(world, "CAP", "WH"))["committed"] == 0
