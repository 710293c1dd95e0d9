"""Warehouse work over HTTP, as given / when / then: a location's work queue, scanning (by
barcode or sku), short picks routed again (to another warehouse, or to backorder and filled
when stock arrives), pack, ship, deliver, cancelling in the warehouse, and every illegal
transition refused with INVALID_STATE and nothing changed.

The GraphQL documents and small warehouse steps defined here are reused by
test_returns_flow.py and test_purchasing_flow.py."""
from __future__ import annotations

import asyncio
import base64
import itertools
from dataclasses import dataclass

import pytest

from .helpers import (
    ERRORS, INVENTORY_ADJUST, INVENTORY_SET, ORDER_BY_ID, ORDER_CANCEL, ORDER_HOLD, ORDER_RELEASE, add_channel,
    add_location, add_products, adjust_stock, assert_stock_invariants, error_set, ledger, line, ok, place_ok, set_policy,
    set_stock, stock_level,
)

# ---------------------------------------------------------------- documents

SHIPMENT_FIELDS = """id location status carrier trackingNumber trackingUrl createdAt shippedAt deliveredAt
  lines { sku quantity picked } order { id number status }"""
SHIPMENT = f"query($id: ID!) {{ shipment(id: $id) {{ {SHIPMENT_FIELDS} }} }}"
SHIPMENTS = """query($loc: String, $status: [ShipmentStatus!], $first: Int, $after: String) {
  shipments(location: $loc, status: $status, first: $first, after: $after) {
    edges { cursor node { id location status lines { sku quantity picked } order { id number } } }
    pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
SCAN = f"""mutation($id: ID!, $barcode: String!, $quantity: Int) {{
  shipmentScan(id: $id, barcode: $barcode, quantity: $quantity) {{ shipment {{ {SHIPMENT_FIELDS} }} {ERRORS} }} }}"""
SHORT = f"""mutation($id: ID!, $sku: String!, $quantity: Int!) {{
  shipmentReportShort(id: $id, sku: $sku, quantity: $quantity) {{ shipment {{ {SHIPMENT_FIELDS} }} {ERRORS} }} }}"""
PACK = f"mutation($id: ID!) {{ shipmentPack(id: $id) {{ shipment {{ {SHIPMENT_FIELDS} }} {ERRORS} }} }}"
SHIP = f"""mutation($id: ID!, $carrier: String!, $tracking: String!, $url: String) {{
  shipmentShip(id: $id, carrier: $carrier, trackingNumber: $tracking, trackingUrl: $url) {{ shipment {{ {SHIPMENT_FIELDS} }} {ERRORS} }} }}"""
DELIVER = f"mutation($id: ID!) {{ shipmentDeliver(id: $id) {{ shipment {{ {SHIPMENT_FIELDS} }} {ERRORS} }} }}"

_prefixes = itertools.count(1)


def unique(prefix: str) -> str:
    """A fresh key prefix, so tests sharing one server never touch each other's skus and locations."""
    return f"{prefix}{next(_prefixes)}"


def node_seq(node_id: str) -> int:
    """The number inside an opaque id (what `oms://shipments/<n>` names)."""
    raw = base64.urlsafe_b64decode(node_id + "=" * (-len(node_id) % 4)).decode()
    return int(raw.partition(":")[2])


def fake_id(type_name: str, key: object = 987654321) -> str:
    """A well-formed id of that type naming nothing."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


# ---------------------------------------------------------------- steps

async def get_shipment(c, shipment_id: str) -> dict | None:
    return (await c.data(SHIPMENT, {"id": shipment_id}))["shipment"]


async def get_order(c, order_id: str) -> dict:
    return (await c.data(ORDER_BY_ID, {"id": order_id}))["order"]


async def scan(c, shipment_id: str, barcode: str, quantity: int | None = None) -> dict:
    return (await c.data(SCAN, {"id": shipment_id, "barcode": barcode, "quantity": quantity}))["shipmentScan"]


async def report_short(c, shipment_id: str, sku: str, quantity: int) -> dict:
    return (await c.data(SHORT, {"id": shipment_id, "sku": sku, "quantity": quantity}))["shipmentReportShort"]


async def pack(c, shipment_id: str) -> dict:
    return (await c.data(PACK, {"id": shipment_id}))["shipmentPack"]


async def ship(c, shipment_id: str, carrier: str = "UPS", tracking: str = "1Z999", url: str | None = None) -> dict:
    return (await c.data(SHIP, {"id": shipment_id, "carrier": carrier, "tracking": tracking, "url": url}))["shipmentShip"]


async def deliver(c, shipment_id: str) -> dict:
    return (await c.data(DELIVER, {"id": shipment_id}))["shipmentDeliver"]


async def pick_all(c, shipment_id: str) -> dict:
    shipment = await get_shipment(c, shipment_id)
    for l in shipment["lines"]:
        if l["quantity"] > l["picked"]:
            shipment = ok(await scan(c, shipment_id, l["sku"], l["quantity"] - l["picked"]))["shipment"]
    return shipment


async def pack_out(c, shipment_id: str) -> dict:
    await pick_all(c, shipment_id)
    return ok(await pack(c, shipment_id))["shipment"]


async def ship_out(c, shipment_id: str, carrier: str = "UPS", tracking: str = "1Z999") -> dict:
    await pack_out(c, shipment_id)
    return ok(await ship(c, shipment_id, carrier, tracking))["shipment"]


def shipment_at(order: dict, location: str, status: str | None = None) -> dict:
    found = [s for s in order["shipments"] if s["location"] == location and (status is None or s["status"] == status)]
    assert len(found) == 1, (location, status, order["shipments"])
    return found[0]


def lines_by_sku(order: dict) -> dict[str, dict]:
    return {l["sku"]: l for l in order["lines"]}


def allocs(order: dict) -> dict[str, list[tuple[str, int]]]:
    """Per line: units allocated at each location (several allocations at one location summed)."""
    result = {}
    for l in order["lines"]:
        per_location: dict[str, int] = {}
        for a in l["allocations"]:
            per_location[a["location"]] = per_location.get(a["location"], 0) + a["quantity"]
        result[l["sku"]] = sorted(per_location.items())
    return result


def level_tuple(level: dict) -> tuple[int, int, int]:
    return level["onHand"], level["committed"], level["available"]


async def snapshot(c, order_ids: list[str], skus: list[str], locations: list[str], shipment_ids: list[str] = ()) -> dict:
    """Everything a refused warehouse request must leave as it was."""
    orders = await asyncio.gather(*(get_order(c, i) for i in order_ids))
    ids = list(shipment_ids) + [s["id"] for o in orders for s in o["shipments"]]
    shipments = await asyncio.gather(*(get_shipment(c, i) for i in dict.fromkeys(ids)))
    levels = await asyncio.gather(*(stock_level(c, s, l) for s in skus for l in locations))
    ledgers = await asyncio.gather(*(ledger(c, s) for s in skus))
    return {"orders": orders, "shipments": shipments, "levels": levels, "ledgers": ledgers}


def assert_refused(payload: dict, expected: set, result_key: str = "shipment") -> None:
    assert payload[result_key] is None, payload
    assert error_set(payload) == expected, payload["userErrors"]
    assert all(e["message"] for e in payload["userErrors"])


@dataclass
class World:
    """Two warehouses L1 (priority 0) and L2 (priority 1), products A and B (with barcodes)
    and C (none), and a channel `ch` routed over L1 and L2 only."""
    c: object
    p: str
    L1: str
    L2: str
    A: str
    B: str
    C: str
    ch: str

    async def place(self, *order_lines: dict, **extra) -> dict:
        return await place_ok(self.c, {"channel": self.ch, "lines": list(order_lines), **extra})


async def make_world(c, prefix: str = "W", on_shortage: str = "BACKORDER") -> World:
    p = unique(prefix)
    w = World(c, p, f"{p}-L1", f"{p}-L2", f"{p}-A", f"{p}-B", f"{p}-C", f"{p}-web")
    await add_location(c, w.L1, priority=0)
    await add_location(c, w.L2, priority=1)
    await add_products(c, [
        {"sku": w.A, "name": "Product A", "price": "10.00", "barcode": f"{p}-EAN-A"},
        {"sku": w.B, "name": "Product B", "price": "4.50", "barcode": f"{p}-EAN-B"},
        {"sku": w.C, "name": "Product C", "price": "1.00"},
    ])
    await add_channel(c, w.ch)
    await set_policy(c, w.ch, [{"name": "own", "locations": [w.L1, w.L2], "sort": ["FEWEST_SHIPMENTS", "PRIORITY"]}], on_shortage)
    return w


@pytest.fixture
async def w(shared_client) -> World:
    return await make_world(shared_client)


# ---------------------------------------------------------------- work queue

async def test_work_queue_lists_a_locations_shipments_oldest_first_and_by_status(w):
    c = w.c
    # given stock at both warehouses and four orders: three ship from L1, one from L2
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 10}, {"sku": w.B, "location": w.L2, "onHand": 10}])
    o1 = await w.place(line(w.A, 1))
    o2 = await w.place(line(w.B, 1))
    o3 = await w.place(line(w.A, 2))
    o4 = await w.place(line(w.A, 3))
    s1, s3, s4 = (shipment_at(o, w.L1, "PENDING") for o in (o1, o3, o4))
    s2 = shipment_at(o2, w.L2, "PENDING")
    # when the L1 queue is read, then it holds L1's shipments only, oldest first
    queue = (await c.data(SHIPMENTS, {"loc": w.L1}))["shipments"]
    assert [e["node"]["id"] for e in queue["edges"]] == [s1["id"], s3["id"], s4["id"]]
    assert [e["node"]["order"]["number"] for e in queue["edges"]] == [o1["number"], o3["number"], o4["number"]]
    assert {e["node"]["location"] for e in queue["edges"]} == {w.L1}
    assert queue["pageInfo"]["hasNextPage"] is False
    l2 = (await c.data(SHIPMENTS, {"loc": w.L2}))["shipments"]["edges"]
    assert [e["node"]["id"] for e in l2] == [s2["id"]]
    # paging by one keeps the order
    page = (await c.data(SHIPMENTS, {"loc": w.L1, "first": 1}))["shipments"]
    assert [e["node"]["id"] for e in page["edges"]] == [s1["id"]] and page["pageInfo"]["hasNextPage"] is True
    page = (await c.data(SHIPMENTS, {"loc": w.L1, "first": 1, "after": page["pageInfo"]["endCursor"]}))["shipments"]
    assert [e["node"]["id"] for e in page["edges"]] == [s3["id"]] and page["pageInfo"]["hasPreviousPage"] is True
    # when the middle one is being picked, the status filter splits the queue
    ok(await scan(c, s3["id"], w.A))
    pending = (await c.data(SHIPMENTS, {"loc": w.L1, "status": ["PENDING"]}))["shipments"]["edges"]
    assert [e["node"]["id"] for e in pending] == [s1["id"], s4["id"]]
    picking = (await c.data(SHIPMENTS, {"loc": w.L1, "status": ["PICKING"]}))["shipments"]["edges"]
    assert [e["node"]["id"] for e in picking] == [s3["id"]]
    both = (await c.data(SHIPMENTS, {"loc": w.L1, "status": ["PICKING", "PENDING"]}))["shipments"]["edges"]
    assert [e["node"]["id"] for e in both] == [s1["id"], s3["id"], s4["id"]]
    # and `shipment` reads one, with its order
    one = await get_shipment(c, s4["id"])
    assert (one["location"], one["status"], one["lines"]) == (w.L1, "PENDING", [{"sku": w.A, "quantity": 3, "picked": 0}])
    assert one["order"]["id"] == o4["id"] and one["createdAt"] and one["shippedAt"] is None
    assert (one["carrier"], one["trackingNumber"], one["deliveredAt"]) == (None, None, None)


async def test_shipment_query_with_unknown_or_malformed_id_is_null(w):
    order = await w.place(line(w.A, 1))  # backordered: no shipment
    assert order["shipments"] == []
    for bad in (fake_id("Shipment"), "not-an-id", order["id"], fake_id("Shipment", "x")):
        assert await get_shipment(w.c, bad) is None, bad


# ---------------------------------------------------------------- scan, pack, ship, deliver

async def test_scan_by_barcode_or_sku_picks_and_first_scan_moves_pending_to_picking(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L1, "onHand": 5}])
    order = await w.place(line(w.A, 3), line(w.B, 1))
    sid = shipment_at(order, w.L1)["id"]
    # when the first unit of A is scanned by its barcode (default quantity 1)
    s = ok(await scan(c, sid, f"{w.p}-EAN-A"))["shipment"]
    # then the shipment is PICKING with one unit picked
    assert s["status"] == "PICKING"
    assert {l["sku"]: (l["quantity"], l["picked"]) for l in s["lines"]} == {w.A: (3, 1), w.B: (1, 0)}
    assert (await get_order(c, order["id"]))["shipments"][0]["status"] == "PICKING"
    # scanning by sku, with a quantity, works too
    s = ok(await scan(c, sid, w.A, 2))["shipment"]
    s = ok(await scan(c, sid, f"{w.p}-EAN-B", 1))["shipment"]
    assert {l["sku"]: (l["quantity"], l["picked"]) for l in s["lines"]} == {w.A: (3, 3), w.B: (1, 1)}
    assert s["status"] == "PICKING"
    # picking moves no stock
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (5, 3, 2)
    assert [ch["reason"] for ch in await ledger(c, w.A)] == ["CYCLE_COUNT"]
    assert (await get_order(c, order["id"]))["status"] == "ALLOCATED"


async def test_refused_scans_change_nothing(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L1, "onHand": 5},
                        {"sku": w.C, "location": w.L1, "onHand": 5}])
    order = await w.place(line(w.A, 2))
    sid = shipment_at(order, w.L1)["id"]
    other = await w.place(line(w.B, 1))  # B is on another order's shipment, not this one
    before = await snapshot(c, [order["id"], other["id"]], [w.A, w.B, w.C], [w.L1, w.L2])
    # when things not on the shipment are scanned, or more than its quantity, or non-positive quantities
    cases = [
        ((w.B,), {(("barcode",), "INVALID")}),                      # a sku on another shipment
        ((f"{w.p}-EAN-B",), {(("barcode",), "INVALID")}),           # that sku's barcode
        ((w.C,), {(("barcode",), "INVALID")}),                      # a product on no shipment
        (("NO-SUCH-BARCODE",), {(("barcode",), "INVALID")}),
        ((w.A, 3), {(("quantity",), "INVALID")}),                   # more than its quantity
        ((f"{w.p}-EAN-A", 0), {(("quantity",), "INVALID")}),
        ((w.A, -1), {(("quantity",), "INVALID")}),
    ]
    for args, expected in cases:
        assert_refused(await scan(c, sid, *args), expected)
    # then the shipment is still PENDING with nothing picked, and nothing else moved
    assert await snapshot(c, [order["id"], other["id"]], [w.A, w.B, w.C], [w.L1, w.L2]) == before
    # once partly picked, over-scanning is refused too and keeps what was picked
    ok(await scan(c, sid, w.A))
    mid = await snapshot(c, [order["id"]], [w.A], [w.L1])
    assert_refused(await scan(c, sid, f"{w.p}-EAN-A", 2), {(("quantity",), "INVALID")})
    assert await snapshot(c, [order["id"]], [w.A], [w.L1]) == mid
    assert (await get_shipment(c, sid))["lines"] == [{"sku": w.A, "quantity": 2, "picked": 1}]


async def test_pack_only_when_every_line_is_fully_picked(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L1, "onHand": 5}])
    order = await w.place(line(w.A, 2), line(w.B, 1))
    sid = shipment_at(order, w.L1)["id"]
    # pack before any pick
    before = await snapshot(c, [order["id"]], [w.A, w.B], [w.L1])
    assert_refused(await pack(c, sid), {(("id",), "INVALID_STATE")})
    assert await snapshot(c, [order["id"]], [w.A, w.B], [w.L1]) == before
    # pack with one line fully picked and the other not at all / partly
    ok(await scan(c, sid, w.B))
    ok(await scan(c, sid, w.A))
    partly = await snapshot(c, [order["id"]], [w.A, w.B], [w.L1])
    assert_refused(await pack(c, sid), {(("id",), "INVALID_STATE")})
    assert await snapshot(c, [order["id"]], [w.A, w.B], [w.L1]) == partly
    # when the last unit is picked, packing works and still moves no stock
    ok(await scan(c, sid, f"{w.p}-EAN-A"))
    packed = ok(await pack(c, sid))["shipment"]
    assert packed["status"] == "PACKED"
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (5, 2, 3)
    assert (await get_order(c, order["id"]))["status"] == "ALLOCATED"


async def test_ship_takes_units_out_of_on_hand_and_committed_with_a_ledger_entry(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 7}, {"sku": w.B, "location": w.L1, "onHand": 4}])
    order = await w.place(line(w.A, 3), line(w.B, 1))
    sid = shipment_at(order, w.L1)["id"]
    await pack_out(c, sid)
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (7, 3, 4)
    # when it is shipped with carrier and tracking
    shipped = ok(await ship(c, sid, "DHL", "JD0123", "https://track.example/JD0123"))["shipment"]
    # then it is SHIPPED with its tracking and the units left onHand and committed
    assert shipped["status"] == "SHIPPED" and shipped["shippedAt"] and shipped["deliveredAt"] is None
    assert (shipped["carrier"], shipped["trackingNumber"], shipped["trackingUrl"]) == ("DHL", "JD0123", "https://track.example/JD0123")
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (4, 0, 4)
    assert level_tuple(await stock_level(c, w.B, w.L1)) == (3, 0, 3)
    uri = f"oms://shipments/{node_seq(sid)}"
    for sku, delta, after in ((w.A, -3, 4), (w.B, -1, 3)):
        last = (await ledger(c, sku, w.L1))[-1]
        assert (last["delta"], last["onHandAfter"], last["reason"], last["referenceDocumentUri"]) == (delta, after, "SHIPPED", uri)
    got = await get_order(c, order["id"])
    assert got["status"] == "SHIPPED"
    assert {l["sku"]: (l["allocated"], l["shipped"], l["backordered"]) for l in got["lines"]} == {w.A: (3, 3, 0), w.B: (1, 1, 0)}
    assert shipped["order"]["status"] == "SHIPPED"
    await assert_stock_invariants(c, [(w.A, w.L1), (w.B, w.L1)])


async def test_ship_needs_a_carrier_and_tracking_number(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 2}])
    order = await w.place(line(w.A, 1))
    sid = shipment_at(order, w.L1)["id"]
    await pack_out(c, sid)
    before = await snapshot(c, [order["id"]], [w.A], [w.L1])
    assert_refused(await ship(c, sid, carrier="  "), {(("carrier",), "INVALID")})
    assert_refused(await ship(c, sid, tracking=""), {(("trackingNumber",), "INVALID")})
    assert await snapshot(c, [order["id"]], [w.A], [w.L1]) == before


async def test_split_order_goes_partially_shipped_shipped_then_delivered_when_every_shipment_is(w):
    c = w.c
    # given A only at L1 and B only at L2: one order, two shipments
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L2, "onHand": 5}])
    order = await w.place(line(w.A, 2), line(w.B, 1))
    s1, s2 = shipment_at(order, w.L1)["id"], shipment_at(order, w.L2)["id"]
    # when L1 ships, the order is PARTIALLY_SHIPPED
    await ship_out(c, s1)
    got = await get_order(c, order["id"])
    assert got["status"] == "PARTIALLY_SHIPPED"
    assert {l["sku"]: l["shipped"] for l in got["lines"]} == {w.A: 2, w.B: 0}
    # delivering L1 alone does not make the order DELIVERED
    delivered = ok(await deliver(c, s1))["shipment"]
    assert delivered["status"] == "DELIVERED" and delivered["deliveredAt"]
    assert (await get_order(c, order["id"]))["status"] == "PARTIALLY_SHIPPED"
    # when L2 ships, SHIPPED; when L2 is delivered too, DELIVERED
    await ship_out(c, s2)
    assert (await get_order(c, order["id"]))["status"] == "SHIPPED"
    ok(await deliver(c, s2))
    got = await get_order(c, order["id"])
    assert got["status"] == "DELIVERED"
    assert sorted(s["status"] for s in got["shipments"]) == ["DELIVERED", "DELIVERED"]
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (3, 0, 3)
    assert level_tuple(await stock_level(c, w.B, w.L2)) == (4, 0, 4)


# ---------------------------------------------------------------- short picks

async def test_short_pick_leaves_on_hand_as_shrinkage_and_reroutes_to_the_second_warehouse(w):
    c = w.c
    # given 3 A at L1 (preferred) and 5 at L2, and an order for 3 routed to L1
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 3}, {"sku": w.A, "location": w.L2, "onHand": 5}])
    order = await w.place(line(w.A, 3))
    assert allocs(order) == {w.A: [(w.L1, 3)]}
    sid = shipment_at(order, w.L1)["id"]
    ok(await scan(c, sid, w.A))
    # when the picker reports 2 units missing
    s = ok(await report_short(c, sid, w.A, 2))["shipment"]
    # then the L1 line shrinks to what was picked, and the 2 units leave L1 as SHRINKAGE
    assert s["status"] == "PICKING" and s["lines"] == [{"sku": w.A, "quantity": 1, "picked": 1}]
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (1, 1, 0)
    last = (await ledger(c, w.A, w.L1))[-1]
    assert (last["delta"], last["onHandAfter"], last["reason"], last["referenceDocumentUri"]) == (
        -2, 1, "SHRINKAGE", f"oms://shipments/{node_seq(sid)}")
    # and the units are routed again, to L2, in a new PENDING shipment there
    got = await get_order(c, order["id"])
    assert allocs(got) == {w.A: [(w.L1, 1), (w.L2, 2)]}
    assert (got["status"], got["lines"][0]["allocated"], got["lines"][0]["backordered"]) == ("ALLOCATED", 3, 0)
    s2 = shipment_at(got, w.L2)
    assert (s2["status"], s2["lines"]) == ("PENDING", [{"sku": w.A, "quantity": 2, "picked": 0}])
    assert level_tuple(await stock_level(c, w.A, w.L2)) == (5, 2, 3)
    assert [ch["reason"] for ch in await ledger(c, w.A, w.L2)] == ["CYCLE_COUNT"]
    # and both shipments can complete the order
    ok(await pack(c, sid))
    ok(await ship(c, sid))
    await ship_out(c, s2["id"])
    got = await get_order(c, order["id"])
    assert (got["status"], got["lines"][0]["shipped"]) == ("SHIPPED", 3)
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (0, 0, 0)
    assert level_tuple(await stock_level(c, w.A, w.L2)) == (3, 0, 3)
    await assert_stock_invariants(c, [(w.A, w.L1), (w.A, w.L2)])


async def test_short_pick_with_no_stock_elsewhere_backorders_then_fills_when_stock_arrives(w):
    c = w.c
    # given all A at L1, exactly what the order takes
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 4}])
    order = await w.place(line(w.A, 4))
    sid = shipment_at(order, w.L1)["id"]
    # when 3 units are reported missing before any pick
    s = ok(await report_short(c, sid, w.A, 3))["shipment"]
    # then they leave onHand and, with no stock elsewhere, are backordered
    assert s["status"] == "PENDING" and s["lines"] == [{"sku": w.A, "quantity": 1, "picked": 0}]
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (1, 1, 0)
    got = await get_order(c, order["id"])
    assert got["status"] == "PARTIALLY_ALLOCATED"
    assert (got["lines"][0]["allocated"], got["lines"][0]["backordered"]) == (1, 3)
    assert [(x["location"], x["status"]) for x in got["shipments"]] == [(w.L1, "PENDING")]
    # when 5 units arrive at L2
    await adjust_stock(c, [{"sku": w.A, "location": w.L2, "delta": 5}], reason="RECEIVED")
    # then the backorder is filled from L2 in a new shipment
    got = await get_order(c, order["id"])
    assert got["status"] == "ALLOCATED"
    assert allocs(got) == {w.A: [(w.L1, 1), (w.L2, 3)]}
    s2 = shipment_at(got, w.L2)
    assert (s2["status"], s2["lines"]) == ("PENDING", [{"sku": w.A, "quantity": 3, "picked": 0}])
    assert level_tuple(await stock_level(c, w.A, w.L2)) == (5, 3, 2)
    await assert_stock_invariants(c, [(w.A, w.L1), (w.A, w.L2)])


async def test_short_pick_is_never_rerouted_to_the_short_location_itself(w):
    c = w.c
    # given plenty of A at L1 and none anywhere else
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 10}])
    order = await w.place(line(w.A, 3))
    sid = shipment_at(order, w.L1)["id"]
    # when 2 are reported missing
    ok(await report_short(c, sid, w.A, 2))
    # then L1 loses them, keeps its other units free, and the 2 wait as a backorder
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (8, 1, 7)
    got = await get_order(c, order["id"])
    assert allocs(got) == {w.A: [(w.L1, 1)]}
    assert (got["status"], got["lines"][0]["backordered"]) == ("PARTIALLY_ALLOCATED", 2)
    assert [(x["location"], x["status"]) for x in got["shipments"]] == [(w.L1, "PENDING")]


async def test_short_pick_of_every_unit_empties_the_shipment_and_delivery_ignores_it(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 2}, {"sku": w.A, "location": w.L2, "onHand": 2}])
    order = await w.place(line(w.A, 2))
    sid = shipment_at(order, w.L1)["id"]
    # when every unit of the only line is missing
    s = ok(await report_short(c, sid, w.A, 2))["shipment"]
    # then the L1 shipment has nothing left (CANCELLED) and L2 takes the order
    assert s["status"] == "CANCELLED" and s["lines"] == []
    got = await get_order(c, order["id"])
    assert allocs(got) == {w.A: [(w.L2, 2)]}
    s2 = shipment_at(got, w.L2)["id"]
    # the emptied shipment can no longer be worked
    for payload in (await scan(c, sid, w.A), await pack(c, sid), await report_short(c, sid, w.A, 1)):
        assert_refused(payload, {(("id",), "INVALID_STATE")})
    # when the L2 shipment is shipped and delivered, the order is DELIVERED
    await ship_out(c, s2)
    ok(await deliver(c, s2))
    assert (await get_order(c, order["id"]))["status"] == "DELIVERED"
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (0, 0, 0)


async def test_refused_short_reports_change_nothing(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L1, "onHand": 5},
                        {"sku": w.A, "location": w.L2, "onHand": 5}])
    order = await w.place(line(w.A, 3))
    sid = shipment_at(order, w.L1)["id"]
    ok(await scan(c, sid, w.A, 2))
    before = await snapshot(c, [order["id"]], [w.A, w.B], [w.L1, w.L2])
    cases = [
        ((w.B, 1), {(("sku",), "INVALID")}),                # not on the shipment
        (("NO-SUCH-SKU", 1), {(("sku",), "INVALID")}),
        ((w.A, 2), {(("quantity",), "INVALID")}),           # only 1 unit is left unpicked
        ((w.A, 0), {(("quantity",), "INVALID")}),
        ((w.A, -1), {(("quantity",), "INVALID")}),
    ]
    for args, expected in cases:
        assert_refused(await report_short(c, sid, *args), expected)
    assert await snapshot(c, [order["id"]], [w.A, w.B], [w.L1, w.L2]) == before
    # a packed shipment cannot report a short any more
    ok(await scan(c, sid, w.A))
    ok(await pack(c, sid))
    packed = await snapshot(c, [order["id"]], [w.A, w.B], [w.L1, w.L2])
    assert_refused(await report_short(c, sid, w.A, 1), {(("id",), "INVALID_STATE")})
    assert await snapshot(c, [order["id"]], [w.A, w.B], [w.L1, w.L2]) == packed


# ---------------------------------------------------------------- illegal transitions

async def test_every_illegal_shipment_transition_is_invalid_state_and_changes_nothing(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 6}])
    order = await w.place(line(w.A, 2))
    sid = shipment_at(order, w.L1)["id"]
    state = lambda: snapshot(c, [order["id"]], [w.A], [w.L1, w.L2])  # noqa: E731
    bad = {(("id",), "INVALID_STATE")}

    async def refused(*calls) -> None:
        before = await state()
        for call in calls:
            assert_refused(await call, bad)
        assert await state() == before

    # PENDING: ship before pack, deliver before ship
    await refused(ship(c, sid), deliver(c, sid))
    ok(await scan(c, sid, w.A))
    # PICKING: ship before pack, deliver
    await refused(ship(c, sid), deliver(c, sid))
    ok(await scan(c, sid, w.A))
    ok(await pack(c, sid))
    # PACKED: pack again, scan, deliver before ship
    await refused(pack(c, sid), scan(c, sid, w.A), deliver(c, sid))
    ok(await ship(c, sid))
    # SHIPPED: scan, pack, ship again, short
    await refused(scan(c, sid, w.A), pack(c, sid), ship(c, sid, "FedEx", "X2"), report_short(c, sid, w.A, 1))
    ok(await deliver(c, sid))
    # DELIVERED: everything again
    await refused(deliver(c, sid), ship(c, sid), pack(c, sid), scan(c, sid, w.A), report_short(c, sid, w.A, 1))
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (4, 0, 4)


async def test_shipment_mutations_check_ids(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 2}])
    order = await w.place(line(w.A, 1))
    sid = shipment_at(order, w.L1)["id"]
    before = await snapshot(c, [order["id"]], [w.A], [w.L1])
    calls = [
        lambda i: scan(c, i, w.A), lambda i: report_short(c, i, w.A, 1), lambda i: pack(c, i),
        lambda i: ship(c, i), lambda i: deliver(c, i),
    ]
    for call in calls:
        for malformed in ("nope", "", order["id"], fake_id("Shipment", "abc")):   # an Order id is the wrong type
            assert_refused(await call(malformed), {(("id",), "INVALID")})
        assert_refused(await call(fake_id("Shipment")), {(("id",), "NOT_FOUND")})
    assert await snapshot(c, [order["id"]], [w.A], [w.L1], [sid]) == before


# ---------------------------------------------------------------- cancelling in the warehouse

async def test_cancel_with_one_shipment_shipped_and_one_not(w):
    c = w.c
    # given A at L1 and B at L2: one order, two shipments; L1 has shipped, L2 is being picked
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L2, "onHand": 5}])
    order = await w.place(line(w.A, 2), line(w.B, 3))
    s1, s2 = shipment_at(order, w.L1)["id"], shipment_at(order, w.L2)["id"]
    await ship_out(c, s1)
    ok(await scan(c, s2, w.B))
    ledger_b = await ledger(c, w.B)
    # when the order is cancelled
    got = ok((await c.data(ORDER_CANCEL, {"id": order["id"], "reason": "customer asked"}))["orderCancel"])["order"]
    # then the unshipped shipment is cancelled and its stock released; shipped units stay shipped
    by = lines_by_sku(got)
    assert (by[w.A]["shipped"], by[w.A]["cancelled"], by[w.A]["allocated"]) == (2, 0, 2)
    assert (by[w.B]["shipped"], by[w.B]["cancelled"], by[w.B]["allocated"], by[w.B]["backordered"]) == (0, 3, 0, 0)
    assert by[w.B]["allocations"] == []
    assert {s["location"]: s["status"] for s in got["shipments"]} == {w.L1: "SHIPPED", w.L2: "CANCELLED"}
    assert got["status"] == "SHIPPED"  # a cancelled order with shipped units keeps the status its shipments give it
    assert level_tuple(await stock_level(c, w.B, w.L2)) == (5, 0, 5)
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (3, 0, 3)
    assert await ledger(c, w.B) == ledger_b  # releasing is not a movement of stock
    # when it is cancelled again, nothing is left: INVALID_STATE, nothing changes
    before = await snapshot(c, [order["id"]], [w.A, w.B], [w.L1, w.L2])
    assert_refused((await c.data(ORDER_CANCEL, {"id": order["id"]}))["orderCancel"], {(("id",), "INVALID_STATE")}, "order")
    # and the cancelled shipment cannot be worked
    for payload in (await scan(c, s2, w.B), await report_short(c, s2, w.B, 1), await pack(c, s2),
                    await ship(c, s2), await deliver(c, s2)):
        assert_refused(payload, {(("id",), "INVALID_STATE")})
    assert await snapshot(c, [order["id"]], [w.A, w.B], [w.L1, w.L2]) == before
    # delivering the shipped one delivers the order
    ok(await deliver(c, s1))
    assert (await get_order(c, order["id"]))["status"] == "DELIVERED"
    await assert_stock_invariants(c, [(w.A, w.L1), (w.B, w.L2)])


async def test_cancel_releases_a_packed_shipment_and_its_backorders_go_to_waiting_orders(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 3}])
    first = await w.place(line(w.A, 3))
    waiting = await w.place(line(w.A, 2))
    assert waiting["status"] == "BACKORDERED"
    sid = shipment_at(first, w.L1)["id"]
    await pack_out(c, sid)
    # when the order with the packed shipment is cancelled
    got = ok((await c.data(ORDER_CANCEL, {"id": first["id"]}))["orderCancel"])["order"]
    # then the box is cancelled, the units are free again and fill the waiting order
    assert got["status"] == "CANCELLED" and got["lines"][0]["cancelled"] == 3
    assert (await get_shipment(c, sid))["status"] == "CANCELLED"
    w2 = await get_order(c, waiting["id"])
    assert (w2["status"], allocs(w2)) == ("ALLOCATED", {w.A: [(w.L1, 2)]})
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (3, 2, 1)
    # the cancelled shipment cannot be shipped
    before = await snapshot(c, [first["id"], waiting["id"]], [w.A], [w.L1])
    assert_refused(await ship(c, sid), {(("id",), "INVALID_STATE")})
    assert await snapshot(c, [first["id"], waiting["id"]], [w.A], [w.L1]) == before


async def test_cancelled_and_fully_shipped_orders_have_nothing_left_to_cancel(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    done = await w.place(line(w.A, 2))
    await ship_out(c, shipment_at(done, w.L1)["id"])
    cancelled = await w.place(line(w.A, 1))
    ok((await c.data(ORDER_CANCEL, {"id": cancelled["id"]}))["orderCancel"])
    before = await snapshot(c, [done["id"], cancelled["id"]], [w.A], [w.L1])
    for order in (done, cancelled):
        assert_refused((await c.data(ORDER_CANCEL, {"id": order["id"]}))["orderCancel"], {(("id",), "INVALID_STATE")}, "order")
    # acting on the cancelled order in other ways is refused as well
    assert_refused((await c.data(ORDER_HOLD, {"id": cancelled["id"], "reason": "x"}))["orderHold"], {(("id",), "INVALID_STATE")}, "order")
    assert_refused((await c.data(ORDER_RELEASE, {"id": cancelled["id"]}))["orderRelease"], {(("id",), "INVALID_STATE")}, "order")
    # and ids are checked: malformed or of another type INVALID, unknown NOT_FOUND
    for malformed in ("nope", done["shipments"][0]["id"]):
        assert_refused((await c.data(ORDER_CANCEL, {"id": malformed}))["orderCancel"], {(("id",), "INVALID")}, "order")
    assert_refused((await c.data(ORDER_CANCEL, {"id": fake_id("Order")}))["orderCancel"], {(("id",), "NOT_FOUND")}, "order")
    assert await snapshot(c, [done["id"], cancelled["id"]], [w.A], [w.L1]) == before
    assert [(await get_order(c, o["id"]))["status"] for o in (done, cancelled)] == ["SHIPPED", "CANCELLED"]


# ---------------------------------------------------------------- packed units and stock counts

async def test_on_hand_cannot_be_set_below_units_packed_at_a_location(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    packed_order = await w.place(line(w.A, 3))
    pending_order = await w.place(line(w.A, 2))
    sid = shipment_at(packed_order, w.L1)["id"]
    await pack_out(c, sid)
    orders = [packed_order["id"], pending_order["id"]]
    before = await snapshot(c, orders, [w.A], [w.L1])
    # when a count or an adjustment would leave fewer than the 3 packed units
    payload = (await c.data(INVENTORY_SET, {"input": [{"sku": w.A, "location": w.L1, "onHand": 2}]}))["inventorySet"]
    assert payload["stockLevels"] == [] and error_set(payload) == {(("input", "0", "onHand"), "INVALID_STATE")}
    payload = (await c.data(INVENTORY_ADJUST, {"input": [{"sku": w.A, "location": w.L1, "delta": -3}], "reason": "DAMAGED"}))["inventoryAdjust"]
    assert payload["stockLevels"] == [] and error_set(payload) == {(("input", "0", "delta"), "INVALID_STATE")}
    # then nothing changed
    assert await snapshot(c, orders, [w.A], [w.L1]) == before
    # when the count is exactly the packed units, the pending order gives its units back instead
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 3}])
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (3, 3, 0)
    assert (await get_order(c, pending_order["id"]))["status"] == "BACKORDERED"
    assert (await get_shipment(c, sid))["status"] == "PACKED"
    shipped = ok(await ship(c, sid))["shipment"]
    assert shipped["status"] == "SHIPPED"
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (0, 0, 0)
    await assert_stock_invariants(c, [(w.A, w.L1)])


async def test_bundle_split_over_two_warehouses_is_partially_shipped_when_one_ships(w):
    c = w.c
    kit = f"{w.p}-KIT"
    await add_products(c, [{"sku": kit, "name": "Kit", "price": "20.00",
                            "components": [{"sku": w.A, "quantity": 2}, {"sku": w.B, "quantity": 1}]}])
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 4}, {"sku": w.B, "location": w.L2, "onHand": 2}])
    order = await w.place(line(kit, 2))
    assert order["status"] == "ALLOCATED"
    assert allocs(order) == {kit: [(w.L1, 4), (w.L2, 2)]}
    # when the L1 box (the A components) ships, the L2 one (the B components) not yet
    shipped = await ship_out(c, shipment_at(order, w.L1)["id"])
    assert shipped["status"] == "SHIPPED"
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (0, 0, 0)
    # then the order follows its shipments: PARTIALLY_SHIPPED, also once the L1 box is delivered
    assert (await get_order(c, order["id"]))["status"] == "PARTIALLY_SHIPPED"
    ok(await deliver(c, shipped["id"]))
    assert (await get_order(c, order["id"]))["status"] == "PARTIALLY_SHIPPED"
    # and SHIPPED, then DELIVERED, once the L2 box follows
    s2 = shipment_at(order, w.L2)["id"]
    await ship_out(c, s2)
    assert (await get_order(c, order["id"]))["status"] == "SHIPPED"
    ok(await deliver(c, s2))
    assert (await get_order(c, order["id"]))["status"] == "DELIVERED"
