"""Routing policy semantics over HTTP: safety stock, rule fall-through, allowSplit,
maxShipments, maxDistanceKm, inactive locations, and backorders routed again by the policy."""
from __future__ import annotations

import pytest

from .helpers import (
    ORDER_BY_ID, add_channel, add_location, add_products, adjust_stock, assert_stock_invariants, line, place_ok,
    set_stock, stock_level,
)

MADRID = {"country": "ES", "latitude": 40.42, "longitude": -3.70}


def allocations(order: dict) -> dict[str, list[tuple[str, int]]]:
    return {l["sku"]: sorted((a["location"], a["quantity"]) for a in l["allocations"]) for l in order["lines"]}


async def reread(c, order: dict) -> dict:
    return (await c.data(ORDER_BY_ID, {"id": order["id"]}))["order"]


@pytest.fixture
async def net(client):
    """Given A (Frankfurt, priority 0), B (Munich, 1), C (near Madrid, 2) and products X, Y, Z."""
    await add_location(client, "A", lat=50.11, lon=8.68, priority=0)
    await add_location(client, "B", lat=48.14, lon=11.58, priority=1)
    await add_location(client, "C", lat=40.0, lon=-3.0, priority=2)
    await add_products(client, [{"sku": s, "name": s, "price": "1.00"} for s in ("X", "Y", "Z")])
    return client


async def test_allocation_never_takes_safety_stock(net):
    await add_channel(net, "web")
    await set_stock(net, [{"sku": "X", "location": "A", "onHand": 10, "safetyStock": 3},
                          {"sku": "X", "location": "B", "onHand": 2}])
    order = await place_ok(net, {"channel": "web", "lines": [line("X", 10)]})
    assert allocations(order) == {"X": [("A", 7), ("B", 2)]}
    assert (order["status"], order["lines"][0]["backordered"]) == ("PARTIALLY_ALLOCATED", 1)
    level = await stock_level(net, "X", "A")
    assert (level["onHand"], level["committed"], level["available"], level["safetyStock"]) == (10, 7, 0, 3)
    below = '{ stockLevels(belowSafetyStock: true) { edges { node { sku location } } } }'
    assert (await net.data(below))["stockLevels"]["edges"] == []  # 10 - 7 is not below 3
    await set_stock(net, [{"sku": "X", "location": "A", "onHand": 10, "compareOnHand": 10, "safetyStock": 4}])
    assert (await stock_level(net, "X", "A"))["committed"] == 7
    edges = (await net.data(below))["stockLevels"]["edges"]
    assert [(e["node"]["sku"], e["node"]["location"]) for e in edges] == [("X", "A")]
    await assert_stock_invariants(net)


async def test_rules_fall_through_and_respect_distance_and_max_shipments(net):
    await set_stock(net, [{"sku": "Y", "location": "B", "onHand": 5}, {"sku": "Z", "location": "C", "onHand": 5}])
    await add_channel(net, "near", rules=[{"name": "near", "maxDistanceKm": 500, "sort": ["NEAREST"]},
                                          {"name": "rest", "sort": ["PRIORITY"]}])
    order = await place_ok(net, {"channel": "near", "shippingAddress": MADRID, "lines": [line("Z", 1), line("Y", 1)]})
    rules = {l["sku"]: [(a["location"], a["rule"]) for a in l["allocations"]] for l in order["lines"]}
    assert rules == {"Z": [("C", "near")], "Y": [("B", "rest")]}
    assert "km" in order["lines"][0]["allocations"][0]["reason"]

    await add_channel(net, "one-box", rules=[{"name": "m", "maxShipments": 1}])
    order = await place_ok(net, {"channel": "one-box", "lines": [line("Y", 1), line("Z", 1)]})
    assert order["status"] == "PARTIALLY_ALLOCATED"
    assert len({loc for allocs in allocations(order).values() for loc, _ in allocs}) == 1

    await add_channel(net, "whole", rules=[{"name": "whole", "allowSplit": False}])
    order = await place_ok(net, {"channel": "whole", "lines": [line("Y", 1), line("Z", 1)]})
    assert order["status"] == "BACKORDERED" and allocations(order) == {"Y": [], "Z": []}


async def test_inactive_location_is_not_used_or_counted(net):
    await add_channel(net, "web")
    await set_stock(net, [{"sku": "X", "location": "A", "onHand": 10}])
    await add_location(net, "A", lat=50.11, lon=8.68, active=False)
    assert (await net.data('{ product(sku: "X") { available } }'))["product"]["available"] == 0
    order = await place_ok(net, {"channel": "web", "lines": [line("X", 2)]})
    assert order["status"] == "BACKORDERED"
    # reactivating the location fills the waiting order
    await add_location(net, "A", lat=50.11, lon=8.68, active=True)
    assert allocations(await reread(net, order)) == {"X": [("A", 2)]}


async def test_backorder_refill_uses_the_locations_the_order_already_ships_from(net):
    await add_channel(net, "web")
    await set_stock(net, [{"sku": "X", "location": "B", "onHand": 1}])
    order = await place_ok(net, {"channel": "web", "lines": [line("X", 1), line("Y", 1)]})
    assert allocations(order) == {"X": [("B", 1)], "Y": []}
    # Y arrives at A (preferred by priority) and B: FEWEST_SHIPMENTS keeps the order at B
    await set_stock(net, [{"sku": "Y", "location": "A", "onHand": 5}, {"sku": "Y", "location": "B", "onHand": 5}])
    again = await reread(net, order)
    assert allocations(again) == {"X": [("B", 1)], "Y": [("B", 1)]}
    assert [(s["location"], s["status"]) for s in again["shipments"]] == [("B", "PENDING")]


async def test_no_split_backorder_is_routed_as_a_whole(net):
    await add_channel(net, "whole", rules=[{"name": "whole", "allowSplit": False}])
    await set_stock(net, [{"sku": "Y", "location": "B", "onHand": 5}])
    order = await place_ok(net, {"channel": "whole", "lines": [line("Y", 1), line("Z", 1)]})
    assert order["status"] == "BACKORDERED"
    # when Z arrives at A only, no single location can fill every line: nothing is allocated
    await adjust_stock(net, [{"sku": "Z", "location": "A", "delta": 5}])
    waiting = await reread(net, order)
    assert (waiting["status"], allocations(waiting)) == ("BACKORDERED", {"Y": [], "Z": []})
    # when Z arrives at B, B fills the whole order
    await adjust_stock(net, [{"sku": "Z", "location": "B", "delta": 5}])
    done = await reread(net, order)
    assert (done["status"], allocations(done)) == ("ALLOCATED", {"Y": [("B", 1)], "Z": [("B", 1)]})
    assert [(s["location"], s["status"]) for s in done["shipments"]] == [("B", "PENDING")]
