"""Over HTTP: customer service holds a fresh order (a fraud check, an address correction).
Given an order allocated at two warehouses with its shipments in their queues, when it is held,
then both shipments leave the queues (CANCELLED), the units stay reserved and the order is
ON_HOLD; when it is released, new shipments wait at the same warehouses. Once a picker has
scanned the first unit, a hold is refused and changes nothing."""
from __future__ import annotations

import pytest

from .helpers import (
    ORDER_BY_ID, ORDER_HOLD, ORDER_RELEASE, add_channel, add_location, add_products, line, ok, place_ok, set_stock,
    stock_level,
)
from .test_warehouse_flow import SCAN, SHIPMENTS

EVENTS = """query($order: ID!) { events(orderId: $order, first: 50) { edges { node { type location data } } } }"""


@pytest.fixture
async def placed(client):
    """Given MUG at EAST, LID at WEST, and an order for one of each: two PENDING shipments."""
    await add_location(client, "EAST")
    await add_location(client, "WEST", priority=1)
    await add_products(client, [{"sku": "MUG", "name": "Mug", "price": "9.00"}, {"sku": "LID", "name": "Lid", "price": "3.00"}])
    await add_channel(client, "web")
    await set_stock(client, [{"sku": "MUG", "location": "EAST", "onHand": 5}, {"sku": "LID", "location": "WEST", "onHand": 5}])
    order = await place_ok(client, {"channel": "web", "externalId": "h-1", "lines": [line("MUG"), line("LID", 2)]})
    assert sorted((s["location"], s["status"]) for s in order["shipments"]) == [("EAST", "PENDING"), ("WEST", "PENDING")]
    return order


async def queue(c, location: str) -> list[tuple[str, str]]:
    """(shipment id, order number) of the location's PENDING shipments: the pickers' queue."""
    edges = (await c.data(SHIPMENTS, {"loc": location, "status": ["PENDING"], "first": 50}))["shipments"]["edges"]
    return [(e["node"]["id"], e["node"]["order"]["number"]) for e in edges]


async def reserved(c) -> tuple[int, int]:
    return (await stock_level(c, "MUG", "EAST"))["committed"], (await stock_level(c, "LID", "WEST"))["committed"]


async def test_a_fresh_order_held_leaves_the_queues_and_released_comes_back(client, placed):
    first = {s["location"]: s["id"] for s in placed["shipments"]}
    assert await queue(client, "EAST") == [(first["EAST"], placed["number"])]
    assert await queue(client, "WEST") == [(first["WEST"], placed["number"])]
    # when customer service holds it right after placement
    held = ok((await client.data(ORDER_HOLD, {"id": placed["id"], "reason": "fraud check"}))["orderHold"])["order"]
    # then it is ON_HOLD, its shipments are withdrawn, no warehouse sees it, and its units stay reserved
    assert (held["status"], held["holdReason"]) == ("ON_HOLD", "fraud check")
    assert sorted(s["status"] for s in held["shipments"]) == ["CANCELLED", "CANCELLED"]
    assert await queue(client, "EAST") == [] and await queue(client, "WEST") == []
    assert await reserved(client) == (1, 2)
    # when it is released
    released = ok((await client.data(ORDER_RELEASE, {"id": placed["id"]}))["orderRelease"])["order"]
    # then new shipments wait at the warehouses that hold its allocations
    assert (released["status"], released["holdReason"]) == ("ALLOCATED", None)
    again = {s["location"]: s for s in released["shipments"] if s["status"] == "PENDING"}
    assert set(again) == {"EAST", "WEST"} and {s["id"] for s in again.values()}.isdisjoint(first.values())
    assert [(l["sku"], l["quantity"]) for l in again["WEST"]["lines"]] == [("LID", 2)]
    assert await queue(client, "EAST") == [(again["EAST"]["id"], placed["number"])]
    assert await queue(client, "WEST") == [(again["WEST"]["id"], placed["number"])]
    assert await reserved(client) == (1, 2)
    # and the order's events tell it in order
    edges = (await client.data(EVENTS, {"order": placed["id"]}))["events"]["edges"]
    told = [(e["node"]["type"], e["node"]["location"]) for e in edges]
    assert told[-4:] == [("ORDER_HELD", None), ("ORDER_RELEASED", None), ("SHIPMENT_CREATED", "EAST"), ("SHIPMENT_CREATED", "WEST")]
    assert told[0][0] == "ORDER_PLACED" and told.count(("SHIPMENT_CREATED", "EAST")) == 2
    assert sorted(edges[-4]["node"]["data"]["withdrawnShipmentIds"]) == sorted(first.values())


async def test_a_hold_after_the_first_scan_is_refused_and_changes_nothing(client, placed):
    east = next(s["id"] for s in placed["shipments"] if s["location"] == "EAST")
    ok((await client.data(SCAN, {"id": east, "barcode": "MUG", "quantity": 1}))["shipmentScan"])
    before = (await client.data(ORDER_BY_ID, {"id": placed["id"]}))["order"]
    # when customer service tries to hold it
    refused = (await client.data(ORDER_HOLD, {"id": placed["id"], "reason": "too late"}))["orderHold"]
    # then INVALID_STATE on its id, naming the shipment being picked, and nothing changed
    assert refused["order"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["id"], "INVALID_STATE")]
    assert east in refused["userErrors"][0]["message"] and "PICKING" in refused["userErrors"][0]["message"]
    after = (await client.data(ORDER_BY_ID, {"id": placed["id"]}))["order"]
    assert after == before and after["status"] == "ALLOCATED"
    assert sorted(s["status"] for s in after["shipments"]) == ["PENDING", "PICKING"]
    assert await reserved(client) == (1, 2)
