"""Refused input: userErrors with the contract's codes and exact field paths, nothing
changed by a refused request; transport-level refusals (401, 413, GraphQL errors, never
a 500); and the stated limits, which must be accepted up to the limit."""
from __future__ import annotations

import asyncio
import json

import pytest

from .helpers import (
    CHANNEL_UPSERT, INVENTORY_ADJUST, INVENTORY_SET, LOCATION_UPSERT, ORDER_BY_EXT, ORDER_CANCEL, ORDER_HOLD,
    ORDER_PLACE, ORDER_PLACE_SHORT, ORDER_RELEASE, ORDERS_PAGE, ORDERS_PLACE, PRODUCTS_UPSERT, ROUTING_SET,
    add_channel, add_location, add_products, all_levels, error_set, line, ok, set_stock,
)

INT_MAX = 2**31 - 1
BULK = [f"BULK-{i:03d}" for i in range(251)]
_stocked: set[int] = set()


async def snapshot(c) -> dict:
    """Everything a refused request must leave as it was."""
    data = await c.data("""{ orders(first: 1) { totalCount }
        products(first: 250) { totalCount edges { node { sku name price components { sku quantity } } } }
        locations { code name priority active address { country latitude longitude } }
        channels { code name kind routing { onShortage rules { name condition locations sort } } } }""")
    return {**data, "levels": await all_levels(c)}


@pytest.fixture
async def shop(shared_server, shared_client):
    """Given (once per module) locations L1, L2, products P1..P3, BUNDLE = P1 + 2 P2, 251 BULK
    products, channel `shop` with the default policy, and stock."""
    c = shared_client
    if id(shared_server) not in _stocked:
        await add_location(c, "L1", lat=52.52, lon=13.40)
        await add_location(c, "L2", lat=48.14, lon=11.58, priority=1)
        await add_products(c, [{"sku": f"P{i}", "name": f"Product {i}", "price": "5.00"} for i in (1, 2, 3)])
        await add_products(c, [{"sku": "BUNDLE", "name": "Bundle", "price": "9.00",
                                "components": [{"sku": "P1", "quantity": 1}, {"sku": "P2", "quantity": 2}]}])
        await add_products(c, [{"sku": s, "name": s, "price": "1.00"} for s in BULK] + [{"sku": "NOPRICE", "name": "no price"}])
        await add_channel(c, "shop")
        await set_stock(c, [{"sku": "P1", "location": "L1", "onHand": 100}, {"sku": "P2", "location": "L1", "onHand": 100},
                            {"sku": "P3", "location": "L2", "onHand": 5000}]
                        + [{"sku": s, "location": "L2", "onHand": 10} for s in BULK])
        _stocked.add(id(shared_server))
    return c


def good_order(**overrides) -> dict:
    return {"channel": "shop", "lines": [line("P1", 1)], **overrides}


# ---------------------------------------------------------------- orderPlace

ORDER_CASES = {
    "unknown sku": (good_order(lines=[line("NOPE", 1)]), {(("input", "lines", "0", "sku"), "NOT_FOUND")}),
    "unknown channel": (good_order(channel="nope"), {(("input", "channel"), "NOT_FOUND")}),
    "quantity zero": (good_order(lines=[line("P1", 0)]), {(("input", "lines", "0", "quantity"), "INVALID")}),
    "quantity negative": (good_order(lines=[line("P2", 1), line("P1", -3)]), {(("input", "lines", "1", "quantity"), "INVALID")}),
    "same sku twice": (good_order(lines=[line("P1", 1), line("P2", 1), line("P1", 2)]), {(("input", "lines", "2", "sku"), "DUPLICATE")}),
    "no lines": (good_order(lines=[]), {(("input", "lines"), "INVALID")}),
    "251 lines": (good_order(lines=[line(s, 1) for s in BULK]), {(("input", "lines"), "LIMIT_EXCEEDED")}),
    "currency lowercase": (good_order(currency="usd"), {(("input", "currency"), "INVALID")}),
    "currency unknown": (good_order(currency="XYZ"), {(("input", "currency"), "INVALID")}),
    "currency huge": (good_order(currency="U" * 100_000), {(("input", "currency"), "INVALID")}),
    "externalId too long": (good_order(externalId="x" * 129), {(("input", "externalId"), "LIMIT_EXCEEDED")}),
    "externalId blank": (good_order(externalId="   "), {(("input", "externalId"), "INVALID")}),
    "note too long": (good_order(note="n" * 1001), {(("input", "note"), "LIMIT_EXCEEDED")}),
    "customer name too long": (good_order(customer={"email": "a@example.com", "name": "n" * 1001}),
                               {(("input", "customer", "name"), "LIMIT_EXCEEDED")}),
    "customer email bad": (good_order(customer={"email": "not-an-email"}), {(("input", "customer", "email"), "INVALID")}),
    "address line too long": (good_order(shippingAddress={"country": "DE", "line1": "l" * 1001}),
                              {(("input", "shippingAddress", "line1"), "LIMIT_EXCEEDED")}),
    "address country bad": (good_order(shippingAddress={"country": "Germany"}), {(("input", "shippingAddress", "country"), "INVALID")}),
    "latitude out of range": (good_order(shippingAddress={"country": "DE", "latitude": 91.0, "longitude": 0.0}),
                              {(("input", "shippingAddress", "latitude"), "INVALID")}),
    "negative unit price": (good_order(lines=[line("P1", 1, "-1.00")]), {(("input", "lines", "0", "unitPrice"), "INVALID")}),
    "too many tags": (good_order(tags=[f"t{i}" for i in range(51)]), {(("input", "tags"), "LIMIT_EXCEEDED")}),
    "bundle units beyond Int": (good_order(lines=[line("BUNDLE", INT_MAX)]), {(("input", "lines", "0", "quantity"), "LIMIT_EXCEEDED")}),
    "unit price NaN": (good_order(lines=[line("P1", 1, "NaN")]), {(("input", "lines", "0", "unitPrice"), "INVALID")}),
    "unit price 5 decimals": (good_order(lines=[line("P1", 1, "0.00001")]), {(("input", "lines", "0", "unitPrice"), "LIMIT_EXCEEDED")}),
    "no price anywhere": (good_order(lines=[line("NOPRICE", 1)]), {(("input", "lines", "0", "unitPrice"), "INVALID")}),
    "total beyond money limit": (good_order(lines=[line("P1", 2, "999999999999")]), {(("input", "lines"), "LIMIT_EXCEEDED")}),
    "several problems at once": (good_order(channel="nope", lines=[line("NOPE", 1), line("P1", 0)]), {
        (("input", "channel"), "NOT_FOUND"), (("input", "lines", "0", "sku"), "NOT_FOUND"),
        (("input", "lines", "1", "quantity"), "INVALID")}),
}


@pytest.mark.parametrize("case", list(ORDER_CASES), ids=list(ORDER_CASES))
async def test_order_place_refusals(shop, case):
    order, expected = ORDER_CASES[case]
    before = await snapshot(shop)
    payload = (await shop.data(ORDER_PLACE_SHORT, {"input": order}))["orderPlace"]
    assert payload["order"] is None
    assert payload["userErrors"], "expected userErrors"
    if expected is not None:
        assert error_set(payload) == expected
    for e in payload["userErrors"]:
        assert e["message"] and len(e["message"]) <= 1000, "messages must not echo oversized input"
    assert await snapshot(shop) == before


async def test_oversized_strings_everywhere_are_refused_with_bounded_messages(shop):
    huge = "Z" * 1_000_000
    before = await snapshot(shop)
    cases = [
        (ORDER_PLACE_SHORT, "orderPlace", {"input": good_order(lines=[line(huge, 1)])}, {(("input", "lines", "0", "sku"), "NOT_FOUND")}),
        (ORDER_PLACE_SHORT, "orderPlace", {"input": good_order(externalId=huge)}, {(("input", "externalId"), "LIMIT_EXCEEDED")}),
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "S" * 129, "name": "x"}]}, {(("input", "0", "sku"), "LIMIT_EXCEEDED")}),
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "OK-1", "name": huge}]}, {(("input", "0", "name"), "LIMIT_EXCEEDED")}),
        (LOCATION_UPSERT, "locationUpsert", {"input": {"code": "C" * 129, "name": "x"}}, {(("input", "code"), "LIMIT_EXCEEDED")}),
        (LOCATION_UPSERT, "locationUpsert", {"input": {"code": "L9", "name": "n" * 1001}}, {(("input", "name"), "LIMIT_EXCEEDED")}),
        (CHANNEL_UPSERT, "channelUpsert", {"input": {"code": "c" * 129, "name": "x", "kind": "B2B"}}, {(("input", "code"), "LIMIT_EXCEEDED")}),
        (INVENTORY_SET, "inventorySet", {"input": [{"sku": "P1", "location": "L1", "onHand": 1}], "ref": "r" * 1001},
         {(("referenceDocumentUri",), "LIMIT_EXCEEDED")}),
        (INVENTORY_SET, "inventorySet", {"input": [{"sku": huge, "location": "L1", "onHand": 1}]}, {(("input", "0", "sku"), "NOT_FOUND")}),
        (ORDER_CANCEL, "orderCancel", {"id": huge}, {(("id",), "INVALID")}),
    ]
    for query, name, variables, expected in cases:
        payload = (await shop.data(query, variables))[name]
        assert error_set(payload) == expected, (name, payload["userErrors"])
        assert all(len(e["message"]) <= 1000 for e in payload["userErrors"]), name
    assert await snapshot(shop) == before


# ---------------------------------------------------------------- catalog, routing, stock

async def test_routing_policy_refusals(shop):
    await add_channel(shop, "routed")
    before = await snapshot(shop)
    rule = {"name": "r1"}
    cases = [
        ({"channel": "routed", "rules": [{**rule, "condition": "order.(("}]}, {(("input", "rules", "0", "condition"), "INVALID")}),
        ({"channel": "routed", "rules": [rule, {"name": "r2", "condition": "order.nope > 1"}]}, {(("input", "rules", "1", "condition"), "INVALID")}),
        ({"channel": "routed", "rules": [{**rule, "condition": "1 + 1"}]}, {(("input", "rules", "0", "condition"), "INVALID")}),
        ({"channel": "routed", "rules": [{**rule, "condition": "x" * 4001}]}, {(("input", "rules", "0", "condition"), "LIMIT_EXCEEDED")}),
        ({"channel": "nope", "rules": [rule]}, {(("input", "channel"), "NOT_FOUND")}),
        ({"channel": "routed", "rules": []}, {(("input", "rules"), "INVALID")}),
        ({"channel": "routed", "rules": [{**rule, "locations": ["L1", "NOPE"]}]}, {(("input", "rules", "0", "locations", "1"), "NOT_FOUND")}),
        ({"channel": "routed", "rules": [{**rule, "maxDistanceKm": 0}]}, {(("input", "rules", "0", "maxDistanceKm"), "INVALID")}),
        ({"channel": "routed", "rules": [{**rule, "maxShipments": 0}]}, {(("input", "rules", "0", "maxShipments"), "INVALID")}),
        ({"channel": "routed", "rules": [{**rule, "sort": []}]}, {(("input", "rules", "0", "sort"), "INVALID")}),
        ({"channel": "routed", "rules": [rule, rule]}, {(("input", "rules", "1", "name"), "DUPLICATE")}),
        ({"channel": "routed", "rules": [{"name": f"r{i}"} for i in range(21)]}, {(("input", "rules"), "LIMIT_EXCEEDED")}),
    ]
    for policy, expected in cases:
        payload = (await shop.data(ROUTING_SET, {"input": policy}))["routingPolicySet"]
        assert payload["policy"] is None
        assert error_set(payload) == expected, (policy, payload["userErrors"])
    assert await snapshot(shop) == before


async def test_catalog_refusals(shop):
    before = await snapshot(shop)
    cases = [
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "N1", "name": "a"}, {"sku": "N1", "name": "b"}]}, {(("input", "1", "sku"), "DUPLICATE")}),
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "N2", "name": "a", "price": "-5"}]}, {(("input", "0", "price"), "INVALID")}),
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "N3", "name": "a", "components": [{"sku": "NOPE", "quantity": 1}]}]},
         {(("input", "0", "components", "0", "sku"), "NOT_FOUND")}),
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "N4", "name": "a", "components": [{"sku": "P1", "quantity": 0}]}]},
         {(("input", "0", "components", "0", "quantity"), "INVALID")}),
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "N5", "name": ""}]}, {(("input", "0", "name"), "INVALID")}),
        # a good product beside a bad one: the whole request is refused
        (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": "N6", "name": "fine"}, {"sku": "", "name": "x"}]}, {(("input", "1", "sku"), "INVALID")}),
        (LOCATION_UPSERT, "locationUpsert", {"input": {"code": "L9", "name": "x", "address": {"country": "usa"}}},
         {(("input", "address", "country"), "INVALID")}),
        (LOCATION_UPSERT, "locationUpsert", {"input": {"code": "L9", "name": "x", "address": {"country": "US", "latitude": 10.0}}},
         {(("input", "address", "latitude"), "INVALID")}),
        (LOCATION_UPSERT, "locationUpsert", {"input": {"code": " L9", "name": "x"}}, {(("input", "code"), "INVALID")}),
        (CHANNEL_UPSERT, "channelUpsert", {"input": {"code": "", "name": "x", "kind": "EDI"}}, {(("input", "code"), "INVALID")}),
    ]
    for query, name, variables, expected in cases:
        payload = (await shop.data(query, variables))[name]
        assert error_set(payload) == expected, (name, variables, payload["userErrors"])
    assert await snapshot(shop) == before


async def test_inventory_refusals(shop):
    before = await snapshot(shop)
    p1 = {"sku": "P1", "location": "L1"}
    set_cases = [
        ([{**p1, "onHand": -1}], {(("input", "0", "onHand"), "INVALID")}),
        ([{"sku": "NOPE", "location": "L1", "onHand": 1}], {(("input", "0", "sku"), "NOT_FOUND")}),
        ([{"sku": "P1", "location": "NOPE", "onHand": 1}], {(("input", "0", "location"), "NOT_FOUND")}),
        ([{**p1, "onHand": 5, "safetyStock": -1}], {(("input", "0", "safetyStock"), "INVALID")}),
        ([{**p1, "onHand": 5, "compareOnHand": 12345}], {(("input", "0", "compareOnHand"), "CONFLICT")}),
        ([{"sku": "BUNDLE", "location": "L1", "onHand": 5}], {(("input", "0", "sku"), "INVALID")}),
        # one good item and one bad: nothing is applied
        ([{"sku": "P2", "location": "L1", "onHand": 7}, {**p1, "onHand": -5}], {(("input", "1", "onHand"), "INVALID")}),
        ([{**p1, "onHand": 1}, {**p1, "onHand": 2}], {(("input", "1"), "DUPLICATE")}),
        ([], {(("input",), "INVALID")}),
    ]
    for items, expected in set_cases:
        payload = (await shop.data(INVENTORY_SET, {"input": items}))["inventorySet"]
        assert payload["stockLevels"] == [] and error_set(payload) == expected, (items, payload["userErrors"])
    payload = (await shop.data(INVENTORY_SET, {"input": [{**p1, "onHand": 1}], "reason": "SHIPPED"}))["inventorySet"]
    assert error_set(payload) == {(("reason",), "INVALID")}

    adjust_cases = [
        ([{**p1, "delta": -1_000_000}], {(("input", "0", "delta"), "INVALID")}),
        ([{**p1, "delta": INT_MAX}], {(("input", "0", "delta"), "LIMIT_EXCEEDED")}),
        ([{"sku": "P3", "location": "L2", "delta": 1}, {"sku": "NOPE", "location": "L2", "delta": 1}], {(("input", "1", "sku"), "NOT_FOUND")}),
    ]
    for items, expected in adjust_cases:
        payload = (await shop.data(INVENTORY_ADJUST, {"input": items, "reason": "CORRECTION"}))["inventoryAdjust"]
        assert payload["stockLevels"] == [] and error_set(payload) == expected, (items, payload["userErrors"])
    assert await snapshot(shop) == before


async def test_order_state_mutations_refuse_malformed_ids(shop):
    before = await snapshot(shop)
    product_id = (await shop.data('{ product(sku: "P1") { id } }'))["product"]["id"]
    for bad in ("not-an-id", "!!!", product_id, "T3JkZXI6YWJj"):  # the last is Order:abc
        for query, name, extra in ((ORDER_CANCEL, "orderCancel", {}), (ORDER_HOLD, "orderHold", {"reason": "r"}),
                                   (ORDER_RELEASE, "orderRelease", {})):
            payload = (await shop.data(query, {"id": bad, **extra}))[name]
            assert payload["order"] is None and error_set(payload) == {(("id",), "INVALID")}, (bad, name, payload)
    order = ok((await shop.data(ORDER_PLACE_SHORT, {"input": good_order()}))["orderPlace"])["order"]
    before = await snapshot(shop)
    payload = (await shop.data(ORDER_HOLD, {"id": order["id"], "reason": ""}))["orderHold"]
    assert (("reason",), "INVALID") in error_set(payload)
    payload = (await shop.data(ORDER_CANCEL, {"id": order["id"], "reason": "r" * 1001}))["orderCancel"]
    assert error_set(payload) == {(("reason",), "LIMIT_EXCEEDED")}
    assert await snapshot(shop) == before


# ---------------------------------------------------------------- ordersPlace

async def test_orders_place_keeps_good_orders_and_reports_bad_ones_by_index(shop):
    start = (await snapshot(shop))["orders"]["totalCount"]
    batch = [
        good_order(externalId="mix-0"),
        good_order(externalId="mix-1", lines=[line("P1", 1), line("NOPE", 2)]),
        good_order(externalId="mix-2", lines=[line("P2", 2)]),
        good_order(externalId="mix-3", channel="nope", lines=[line("P1", 0)]),
        good_order(externalId="mix-4"),
    ]
    payload = (await shop.data(ORDERS_PLACE, {"input": batch}))["ordersPlace"]
    orders = payload["orders"]
    assert len(orders) == 5
    assert orders[1] is None and orders[3] is None
    assert [o["externalId"] for o in (orders[0], orders[2], orders[4])] == ["mix-0", "mix-2", "mix-4"]
    assert error_set(payload) == {
        (("input", "1", "lines", "1", "sku"), "NOT_FOUND"),
        (("input", "3", "channel"), "NOT_FOUND"), (("input", "3", "lines", "0", "quantity"), "INVALID"),
    }
    numbers = [int(o["number"][3:]) for o in (orders[0], orders[2], orders[4])]
    assert numbers == list(range(numbers[0], numbers[0] + 3)), "refused orders use no number"
    for ext, stored in (("mix-0", True), ("mix-1", False), ("mix-2", True), ("mix-3", False), ("mix-4", True)):
        found = (await shop.data(ORDER_BY_EXT, {"c": "shop", "e": ext}))["order"]
        assert (found is not None) == stored, ext
    assert (await snapshot(shop))["orders"]["totalCount"] == start + 3


async def test_orders_place_over_1000_is_refused_and_stores_nothing(shop):
    before = await snapshot(shop)
    payload = (await shop.data(ORDERS_PLACE, {"input": [good_order(externalId=f"over-{i}") for i in range(1001)]}))["ordersPlace"]
    assert error_set(payload) == {(("input",), "LIMIT_EXCEEDED")}
    assert len(payload["orders"]) == 1001 and all(o is None for o in payload["orders"])
    assert await snapshot(shop) == before


async def test_stated_limits_are_accepted(shop):
    # one order of 250 lines
    order = ok((await shop.data(ORDER_PLACE, {"input": good_order(externalId="max-lines", lines=[line(s, 1) for s in BULK[:250]])}))["orderPlace"])["order"]
    assert len(order["lines"]) == 250 and order["status"] == "ALLOCATED"
    assert all(l["allocated"] == 1 for l in order["lines"])
    # one ordersPlace of 1,000 orders
    start = (await snapshot(shop))["orders"]["totalCount"]
    payload = ok((await shop.data(ORDERS_PLACE, {"input": [good_order(externalId=f"max-batch-{i}", lines=[line("P3", 1)]) for i in range(1000)]}))["ordersPlace"])
    assert len(payload["orders"]) == 1000 and all(o is not None for o in payload["orders"])
    assert [o["externalId"] for o in payload["orders"]] == [f"max-batch-{i}" for i in range(1000)]
    assert len({o["number"] for o in payload["orders"]}) == 1000
    assert (await snapshot(shop))["orders"]["totalCount"] == start + 1000
    level = (await shop.data('{ stockLevel(sku: "P3", location: "L2") { committed } }'))["stockLevel"]
    assert level["committed"] >= 1000


async def test_stated_batch_limit_is_accepted_without_variables(shop):
    orders = ", ".join(
        f'{{channel: "shop", externalId: "inline-{i}", lines: [{{sku: "P3", quantity: 1}}, '
        f'{{sku: "BULK-000", quantity: 1}}, {{sku: "BULK-001", quantity: 1}}]}}' for i in range(1000))
    body = await shop.gql(f"mutation {{ ordersPlace(input: [{orders}]) {{ orders {{ number }} userErrors {{ code }} }} }}")
    assert not body.get("errors"), body["errors"]
    payload = ok(body["data"]["ordersPlace"])
    assert len(payload["orders"]) == 1000 and all(o is not None for o in payload["orders"])


# ---------------------------------------------------------------- transport

def graphql_error(status: int, body) -> bool:
    return status in (200, 400) and isinstance(body, dict) and bool(body.get("errors"))


async def test_malformed_requests_get_graphql_errors_never_500(shop):
    before = await snapshot(shop)
    requests = [
        dict(query="{ orders { edges "),                                        # syntax
        dict(query="mutation { orderPlace(input: {channel: 1}) { order { id } } }"),
        dict(query="{ nope }"),                                                 # unknown field
        dict(query="query($n: Int) { orders(first: $n) { totalCount } }", variables={"n": "ten"}),
        dict(query=ORDER_PLACE_SHORT, variables={"input": {"channel": "shop", "lines": [{"sku": "P1", "quantity": "1"}]}}),
        dict(query=ORDER_PLACE_SHORT, variables={"input": {"channel": "shop", "lines": [{"sku": "P1", "quantity": INT_MAX + 1}]}}),
        dict(query=ORDER_PLACE_SHORT, variables={"input": {"channel": "shop", "lines": [{"sku": "P1", "quantity": 1.5}]}}),
        dict(query=ORDER_PLACE_SHORT, variables={"input": {"channel": "shop", "lines": [{"sku": "P1", "quantity": 1, "unitPrice": "abc"}]}}),
        dict(query=ORDER_PLACE_SHORT, variables={"input": {"channel": "shop", "placedAt": "yesterday", "lines": [line("P1")]}}),
        dict(query=ORDER_PLACE_SHORT, variables={"input": {"lines": [line("P1")]}}),     # missing required field
        dict(query=ORDER_PLACE_SHORT, variables=None),
        dict(query='{ order(number: "SO-1") { id } a: order { id } }'),
        dict(query='{ orders(after: "garbage") { totalCount } }'),
        dict(query='{ stockLevels(after: "x:y") { totalCount } }'),
        dict(query='{ inventoryChanges(sku: "P1", after: "nope") { edges { cursor } } }'),
        dict(query='{ customer(email: "a@example.com") { ' + "orders { edges { node { customer { " * 4 + "id" + " } } } }" * 4 + " } }"),
    ]
    for request in requests:
        status, body = await shop.raw(request["query"], request.get("variables"))
        assert graphql_error(status, body), (request, status, str(body)[:500])
    raw_bodies = [b"{not json", b"", b"[]", b"[{}]", b'{"query": 42}', b'{"query": null}', b'{"variables": {}}',
                  b'{"query": "{ orders { totalCount } }", "variables": []}', b'{"query": "{ orders { totalCount } }"']
    for body in raw_bodies:
        status, reply = await shop.raw(body=body)
        assert status in (200, 400), (body, status, reply)
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        status, reply = await shop.raw(body=b"{ orders { totalCount } }", headers={"Content-Type": content_type})
        assert 400 <= status < 500, (content_type, status, reply)
    assert await snapshot(shop) == before


async def test_json_body_that_is_not_an_object_is_not_a_500(shop):
    statuses = {}
    for body in (b"42", b'"query"', b"null", b"true"):
        statuses[body] = (await shop.raw(body=body))[0]
    assert all(status in (200, 400) for status in statuses.values()), statuses


async def test_invalid_json_gets_a_graphql_error_response(shop):
    status, body = await shop.raw(body=b"{not json")
    assert graphql_error(status, body), (status, body)


async def test_empty_currency_is_refused(shop):
    before = await snapshot(shop)
    payload = (await shop.data(ORDER_PLACE_SHORT, {"input": good_order(externalId="empty-currency", currency="")}))["orderPlace"]
    assert payload["order"] is None and error_set(payload) == {(("input", "currency"), "INVALID")}
    assert await snapshot(shop) == before


@pytest.mark.parametrize("first", [0, 251, -1])
async def test_connection_page_size_outside_1_to_250_is_a_graphql_error(shop, first):
    queries = [
        "query($f: Int) { orders(first: $f) { totalCount } }",
        "query($f: Int) { products(first: $f) { totalCount } }",
        "query($f: Int) { stockLevels(first: $f) { edges { cursor } } }",
        'query($f: Int) { inventoryChanges(sku: "P1", first: $f) { edges { cursor } } }',
        'query($f: Int) { location(code: "L1") { stockLevels(first: $f) { edges { cursor } } } }',
    ]
    for query in queries:
        status, body = await shop.raw(query, {"f": first})
        assert graphql_error(status, body), (query, status, body)
    for query in queries:  # the bounds themselves are served
        for ok_first in (1, 250):
            data = await shop.data(query, {"f": ok_first})
            assert data, query


async def test_token_is_required(shop):
    query = "{ orders { totalCount } }"
    for token, headers in ((None, {}), ("wrong-token", {}), (None, {"Authorization": "Basic dXNlcjpwYXNz"}),
                           (None, {"Authorization": "Bearer"}), (None, {"Authorization": f"bearer {shop.server.token}x"})):
        status, _ = await shop.raw(query, token=token, headers=headers)
        assert status == 401, (token, headers)
    status, _ = await shop.raw(ORDER_PLACE_SHORT, {"input": good_order()}, token=None)
    assert status == 401
    async with shop.session.get(shop.server.url, params={"query": query}) as response:
        assert response.status == 401
    async with shop.session.get(shop.server.url, params={"query": query},
                                headers={"Authorization": f"Bearer {shop.server.token}"}) as response:
        assert response.status == 200 and (await response.json())["data"]["orders"]["totalCount"] >= 0


async def test_graphiql_is_served_without_token(shop):
    async with shop.session.get(shop.server.url, headers={"Accept": "text/html"}) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        assert "graphiql" in (await response.text()).lower()


async def test_body_above_10_mib_gets_413(shop):
    before = await snapshot(shop)
    body = json.dumps({"query": ORDER_PLACE_SHORT, "variables": {"input": good_order(note="n" * (10 * 1024 * 1024 + 1))}}).encode()
    status, answer = await shop.raw(body=body)
    assert status == 413
    assert answer["data"] is None and answer["errors"][0]["extensions"] == {"code": "LIMIT_EXCEEDED"}
    assert "10485760 bytes" in answer["errors"][0]["message"]
    status, _ = await shop.raw(body=body, token=None)
    assert status in (401, 413)
    assert await snapshot(shop) == before


async def test_chunked_body_above_10_mib_gets_a_graphql_413(shop):
    async def chunks():
        yield b'{"query": "{ locations { code } }", "pad": "'
        for _ in range(11):
            yield b"x" * (1024 * 1024)
        yield b'"}'

    headers = {"Authorization": f"Bearer {shop.server.token}", "Content-Type": "application/json"}
    async with shop.session.post(shop.server.url, data=chunks(), headers=headers) as response:
        assert response.status == 413 and response.content_type == "application/json"
        answer = await response.json()
    assert answer["data"] is None and answer["errors"][0]["extensions"] == {"code": "LIMIT_EXCEEDED"}


# ---------------------------------------------------------------- Int range

async def test_product_available_stays_an_int(shop):
    await add_products(shop, [{"sku": "HUGE", "name": "huge"}])
    payload = (await shop.data(INVENTORY_SET, {"input": [{"sku": "HUGE", "location": "L1", "onHand": INT_MAX},
                                                          {"sku": "HUGE", "location": "L2", "onHand": INT_MAX}]}))["inventorySet"]
    if payload["userErrors"]:  # refusing the change that takes a quantity beyond 2^31-1 is a fine answer too
        assert {e["code"] for e in payload["userErrors"]} == {"LIMIT_EXCEEDED"}
        return
    body = await shop.gql('{ product(sku: "HUGE") { sku available } }')
    assert not body.get("errors"), body["errors"]
    assert 0 <= body["data"]["product"]["available"] <= INT_MAX


async def test_customer_units_stay_an_int(shop):
    await add_products(shop, [{"sku": "HUGE2", "name": "never stocked", "price": "0"}])
    for i in range(2):
        payload = (await shop.data(ORDER_PLACE_SHORT, {"input": good_order(
            externalId=f"huge-{i}", customer={"email": "huge@example.com"}, lines=[line("HUGE2", INT_MAX)])}))["orderPlace"]
        if payload["userErrors"]:
            assert {e["code"] for e in payload["userErrors"]} == {"LIMIT_EXCEEDED"}
            return
    body = await shop.gql('{ customer(email: "huge@example.com") { stats { orders units } } }')
    assert not body.get("errors"), body["errors"]
    assert 0 <= body["data"]["customer"]["stats"]["units"] <= INT_MAX


# ---------------------------------------------------------------- keys as bytes

EMOJI_128 = "\U0001F600" * 128  # 128 characters (within key_chars_max), 512 bytes of UTF-8
WIDE_KEYS = {
    "sku": (PRODUCTS_UPSERT, "productsUpsert", {"input": [{"sku": EMOJI_128, "name": "wide"}]}, ["input", "0", "sku"]),
    "location code": (LOCATION_UPSERT, "locationUpsert", {"input": {"code": EMOJI_128, "name": "wide"}}, ["input", "code"]),
    "channel code": (CHANNEL_UPSERT, "channelUpsert", {"input": {"code": EMOJI_128, "name": "wide", "kind": "B2B"}}, ["input", "code"]),
    "externalId": (ORDER_PLACE_SHORT, "orderPlace", {"input": good_order(externalId=EMOJI_128)}, ["input", "externalId"]),
    "customer email": (ORDER_PLACE_SHORT, "orderPlace",
                       {"input": good_order(customer={"email": "a@" + "\U0001F600" * 200 + ".com"})}, ["input", "customer", "email"]),
}


@pytest.mark.parametrize("case", list(WIDE_KEYS), ids=list(WIDE_KEYS))
async def test_wide_unicode_keys_get_a_user_error_not_a_commit_failure(shop, case):
    query, name, variables, path = WIDE_KEYS[case]
    body = await shop.gql(query, variables)
    assert not body.get("errors"), body["errors"]
    payload = body["data"][name]
    assert payload["userErrors"] == [] or [e["field"] for e in payload["userErrors"]] == [path], payload["userErrors"]


async def test_one_bad_key_does_not_fail_other_clients_commands(shop):
    async def innocent(i: int) -> dict:
        return await shop.gql(ORDER_PLACE_SHORT, {"input": good_order(externalId=f"innocent-{i}")})

    failed = []
    for burst in range(5):
        answers = await asyncio.gather(*(innocent(burst * 100 + i) for i in range(20)),
                                       shop.gql(ORDER_PLACE_SHORT, {"input": good_order(externalId=EMOJI_128)}),
                                       *(innocent(burst * 100 + 50 + i) for i in range(20)))
        failed += [a for i, a in enumerate(answers) if i != 20 and (a.get("errors") or a["data"]["orderPlace"]["userErrors"])]
    assert failed == [], f"{len(failed)} innocent orders failed, e.g. {failed[0]}"


async def test_keys_with_nul_do_not_collide(shop):
    await add_channel(shop, "nul-a")
    refused = (await shop.data(CHANNEL_UPSERT, {"input": {"code": "nul-a\u0000b", "name": "x", "kind": "B2B"}}))["channelUpsert"]
    if refused["userErrors"]:  # refusing control characters in keys is a fine answer
        assert {e["code"] for e in refused["userErrors"]} == {"INVALID"}
        return
    first = (await shop.data(ORDER_PLACE_SHORT, {"input": good_order(channel="nul-a", externalId="b\u0000c")}))["orderPlace"]
    second = (await shop.data(ORDER_PLACE_SHORT, {"input": good_order(channel="nul-a\u0000b", externalId="c")}))["orderPlace"]
    if first["userErrors"] or second["userErrors"]:
        assert {e["code"] for e in first["userErrors"] + second["userErrors"]} == {"INVALID"}
        return
    assert first["order"]["id"] != second["order"]["id"]
    page = (await shop.data(ORDERS_PAGE, {"first": 50, "filter": {"channel": "nul-a"}}))["orders"]
    assert [e["node"]["channel"] for e in page["edges"]] == ["nul-a"]


# ---------------------------------------------------------------- auth bypass

async def test_upgrade_header_does_not_bypass_the_token(shop):
    before = await snapshot(shop)
    mutation = '{"query": "mutation { channelUpsert(input: {code: \\"intruder\\", name: \\"x\\", kind: B2B}) { channel { code } } }"}'
    for headers in ({"Upgrade": "websocket"}, {"Upgrade": "websocket", "Connection": "Upgrade"}):
        status, _ = await shop.raw(body=mutation.encode(), token=None, headers=headers)
        assert status == 401, headers
    async with shop.session.get(shop.server.url, params={"query": "{ channels { code } }"}, headers={"Upgrade": "websocket"}) as response:
        assert response.status in (400, 401, 426)
    assert await snapshot(shop) == before


# ---------------------------------------------------------------- ids and cursors that only look like numbers

async def test_ids_and_cursors_with_non_ascii_digits_get_the_usual_refusal(shop):
    from api.ids import encode

    before = await snapshot(shop)
    for key in ("²", "٣", "１２", "1_0", " 7", "+5"):
        order_id, delivery_id = encode("Order", key), encode("WebhookDelivery", key)
        for query, name, extra in ((ORDER_CANCEL, "orderCancel", {}), (ORDER_HOLD, "orderHold", {"reason": "r"})):
            payload = (await shop.data(query, {"id": order_id, **extra}))[name]
            assert error_set(payload) == {(("id",), "INVALID")}, (key, payload)
        found = await shop.data("query($a: ID!, $b: ID!, $n: String!) { a: node(id: $a) { id } b: node(id: $b) { id } order(number: $n) { id } }",
                                {"a": order_id, "b": delivery_id, "n": f"SO-{key}"})
        assert found == {"a": None, "b": None, "order": None}, key
        for connection in ("orders", "shipments", "events", "emails"):
            answer = await shop.gql(f"query($c: String) {{ {connection}(first: 1, after: $c) {{ pageInfo {{ hasNextPage }} }} }}", {"c": key})
            assert [e["message"] for e in answer["errors"]] == ["after is not a cursor of this connection"], (connection, key, answer)
        answer = await shop.gql('query($c: String) { inventoryChanges(sku: "P1", first: 1, after: $c) { pageInfo { hasNextPage } } }', {"c": key})
        answer2 = await shop.gql("query($c: String) { stockLevels(first: 1, after: $c) { pageInfo { hasNextPage } } }", {"c": f"{key}:{key}"})
        for a in (answer, answer2):
            assert "invalid literal" not in json.dumps(a) and [e["message"] for e in a["errors"]] == [
                "after is not a cursor of this connection"], (key, a)
    assert await snapshot(shop) == before
