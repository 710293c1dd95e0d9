"""Purchase orders over HTTP, as given / when / then: creation raises `incoming`, partial
receipts put units on hand (ledger RECEIVED) and fill waiting backorders first come, first
served in the same commit, cancellation, numbering and lists, illegal transitions, and
OrderLine.expectedAt as the contract describes it."""
from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from .conftest import Client, new_session
from .helpers import (
    ERRORS, INVENTORY_SET, ORDER_CANCEL, add_location, add_products, assert_stock_invariants, error_set, ledger, line, ok,
    set_stock, stock_level,
)
from .test_returns_flow import approve, request_return, rline
from .test_warehouse_flow import (
    World, allocs, assert_refused, fake_id, get_order, level_tuple, make_world, pack_out, ship, ship_out, shipment_at,
    snapshot,
)

PO_FIELDS = "id number supplier location status expectedAt createdAt lines { sku quantity received }"
PO = f"query($id: ID!) {{ purchaseOrder(id: $id) {{ {PO_FIELDS} }} }}"
POS = """query($status: [PurchaseOrderStatus!], $loc: String, $first: Int, $after: String) {
  purchaseOrders(status: $status, location: $loc, first: $first, after: $after) {
    edges { cursor node { id number status location } } pageInfo { hasNextPage endCursor } } }"""
CREATE = f"mutation($input: PurchaseOrderInput!) {{ purchaseOrderCreate(input: $input) {{ purchaseOrder {{ {PO_FIELDS} }} {ERRORS} }} }}"
RECEIVE = f"""mutation($id: ID!, $lines: [PurchaseOrderLineInput!]!) {{
  purchaseOrderReceive(id: $id, lines: $lines) {{ purchaseOrder {{ {PO_FIELDS} }} {ERRORS} }} }}"""
CANCEL = f"mutation($id: ID!) {{ purchaseOrderCancel(id: $id) {{ purchaseOrder {{ {PO_FIELDS} }} {ERRORS} }} }}"
EXPECTED = """query($id: ID!) { order(id: $id) { id status
  lines { sku quantity allocated backordered expectedAt allocations { location quantity } } } }"""

D1, D2, D3, D4 = "2031-03-01T09:00:00Z", "2031-03-08T09:00:00Z", "2031-03-15T09:00:00Z", "2031-03-22T09:00:00Z"
D0 = "2031-02-01T09:00:00Z"


def when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value.replace("Z", "+00:00"))


def pol(sku: str, quantity: int) -> dict:
    return {"sku": sku, "quantity": quantity}


async def create_po(c, location: str, lines: list[dict], expected_at: str | None = None, supplier: str = "Acme Supply") -> dict:
    value = {"supplier": supplier, "location": location, "lines": lines}
    if expected_at is not None:
        value["expectedAt"] = expected_at
    return (await c.data(CREATE, {"input": value}))["purchaseOrderCreate"]


async def create_po_ok(c, location: str, lines: list[dict], expected_at: str | None = None) -> dict:
    return ok(await create_po(c, location, lines, expected_at))["purchaseOrder"]


async def receive_po(c, po_id: str, lines: list[dict]) -> dict:
    return (await c.data(RECEIVE, {"id": po_id, "lines": lines}))["purchaseOrderReceive"]


async def cancel_po(c, po_id: str) -> dict:
    return (await c.data(CANCEL, {"id": po_id}))["purchaseOrderCancel"]


async def get_po(c, po_id: str) -> dict | None:
    return (await c.data(PO, {"id": po_id}))["purchaseOrder"]


async def expected(c, order_id: str) -> list[datetime | None]:
    order = (await c.data(EXPECTED, {"id": order_id}))["order"]
    return [when(l["expectedAt"]) for l in order["lines"]]


async def po_state(c, w: World, po_ids: list[str], order_ids: list[str] = (), locations: list[str] | None = None) -> dict:
    """Everything a refused purchasing request must leave as it was."""
    base = await snapshot(c, list(order_ids), [w.A, w.B], locations or [w.L1, w.L2])
    pos = await asyncio.gather(*(get_po(c, i) for i in po_ids))
    listed = (await c.data(POS, {"first": 250}))["purchaseOrders"]["edges"]
    return {**base, "pos": pos, "listed": listed}


def number(po: dict) -> int:
    return int(po["number"].removeprefix("PO-"))


@pytest.fixture
async def w(shared_client) -> World:
    return await make_world(shared_client, "P")


# ---------------------------------------------------------------- create, numbers, lists

async def test_create_raises_incoming_and_numbers_count_up_from_one(client):
    c = client
    w = await make_world(c, "N")
    await add_products(c, [{"sku": "KIT", "name": "Kit", "price": "9.00", "components": [{"sku": w.A, "quantity": 2}]}])
    # refused creations first: each uses no number and changes nothing
    before = await po_state(c, w, [])
    cases = [
        ({"location": "NOPE"}, {(("input", "location"), "NOT_FOUND")}),
        ({"lines": [pol("NOPE", 1)]}, {(("input", "lines", "0", "sku"), "NOT_FOUND")}),
        ({"lines": [pol("KIT", 1)]}, {(("input", "lines", "0", "sku"), "INVALID")}),
        ({"lines": [pol(w.A, 0)]}, {(("input", "lines", "0", "quantity"), "INVALID")}),
        ({"lines": [pol(w.A, -4)]}, {(("input", "lines", "0", "quantity"), "INVALID")}),
        ({"lines": [pol(w.A, 1), pol(w.A, 2)]}, {(("input", "lines", "1", "sku"), "DUPLICATE")}),
        ({"lines": []}, {(("input", "lines"), "INVALID")}),
        ({"supplier": " "}, {(("input", "supplier"), "INVALID")}),
    ]
    for override, expected_errors in cases:
        value = {"supplier": "Acme", "location": w.L1, "lines": [pol(w.A, 1)], **override}
        payload = (await c.data(CREATE, {"input": value}))["purchaseOrderCreate"]
        assert_refused(payload, expected_errors, "purchaseOrder")
    assert await po_state(c, w, []) == before
    # when a purchase order for 10 A and 5 B is created at L1
    po = await create_po_ok(c, w.L1, [pol(w.A, 10), pol(w.B, 5)], D1)
    # then it is PO-000001, OPEN, and L1's incoming rises; onHand does not
    assert (po["number"], po["status"], po["supplier"], po["location"]) == ("PO-000001", "OPEN", "Acme Supply", w.L1)
    assert when(po["expectedAt"]) == when(D1) and po["createdAt"]
    assert po["lines"] == [{"sku": w.A, "quantity": 10, "received": 0}, {"sku": w.B, "quantity": 5, "received": 0}]
    a1 = await stock_level(c, w.A, w.L1)
    assert (a1["onHand"], a1["incoming"]) == (0, 10)
    assert (await stock_level(c, w.B, w.L1))["incoming"] == 5
    assert (await stock_level(c, w.A, w.L2))["incoming"] == 0
    assert await ledger(c, w.A) == []
    # a second one at L2 and a third at L1 without a date
    po2 = await create_po_ok(c, w.L2, [pol(w.A, 3)])
    po3 = await create_po_ok(c, w.L1, [pol(w.A, 4)])
    assert [po2["number"], po3["number"]] == ["PO-000002", "PO-000003"]
    assert po3["expectedAt"] is None
    assert (await stock_level(c, w.A, w.L1))["incoming"] == 14
    assert (await stock_level(c, w.A, w.L2))["incoming"] == 3
    assert await get_po(c, po2["id"]) == po2

    async def listed(**variables) -> list[str]:
        return [e["node"]["number"] for e in (await c.data(POS, variables))["purchaseOrders"]["edges"]]

    assert await listed() == ["PO-000001", "PO-000002", "PO-000003"]
    assert await listed(loc=w.L1) == ["PO-000001", "PO-000003"]
    ok(await receive_po(c, po3["id"], [pol(w.A, 1)]))
    ok(await cancel_po(c, po2["id"]))
    assert await listed(status=["OPEN"]) == ["PO-000001"]
    assert await listed(status=["PARTIALLY_RECEIVED", "CANCELLED"]) == ["PO-000002", "PO-000003"]
    assert await listed(status=["RECEIVED"]) == []
    page = (await c.data(POS, {"first": 2}))["purchaseOrders"]
    assert len(page["edges"]) == 2 and page["pageInfo"]["hasNextPage"] is True
    rest = (await c.data(POS, {"first": 2, "after": page["pageInfo"]["endCursor"]}))["purchaseOrders"]
    assert [e["node"]["number"] for e in rest["edges"]] == ["PO-000003"] and rest["pageInfo"]["hasNextPage"] is False
    for unknown in (fake_id("PurchaseOrder"), "garbage", po["lines"][0]["sku"]):
        assert await get_po(c, unknown) is None


# ---------------------------------------------------------------- receive

async def test_partial_receipts_put_units_on_hand_and_take_them_off_incoming(w):
    c = w.c
    po = await create_po_ok(c, w.L1, [pol(w.A, 10), pol(w.B, 5)], D1)
    uri = f"oms://purchase-orders/{number(po)}"
    # when 4 A arrive
    got = ok(await receive_po(c, po["id"], [pol(w.A, 4)]))["purchaseOrder"]
    # then the PO is PARTIALLY_RECEIVED, onHand +4 (RECEIVED, this PO), incoming -4
    assert got["status"] == "PARTIALLY_RECEIVED"
    assert got["lines"] == [{"sku": w.A, "quantity": 10, "received": 4}, {"sku": w.B, "quantity": 5, "received": 0}]
    a = await stock_level(c, w.A, w.L1)
    assert (a["onHand"], a["committed"], a["available"], a["incoming"]) == (4, 0, 4, 6)
    entries = [(x["reason"], x["delta"], x["onHandAfter"], x["referenceDocumentUri"]) for x in await ledger(c, w.A, w.L1)]
    assert entries == [("RECEIVED", 4, 4, uri)]
    # refused receipts change nothing: more than still due, a sku not on it, zero, a sku twice, no lines
    before = await po_state(c, w, [po["id"]])
    cases = [
        ([pol(w.A, 7)], {(("lines", "0", "quantity"), "INVALID_STATE")}),
        ([pol(w.B, 1), pol(w.A, 7)], {(("lines", "1", "quantity"), "INVALID_STATE")}),
        ([pol(w.C, 1)], {(("lines", "0", "sku"), "INVALID")}),
        ([pol(w.A, 0)], {(("lines", "0", "quantity"), "INVALID")}),
        ([pol(w.A, 1), pol(w.A, 1)], {(("lines", "1", "sku"), "DUPLICATE")}),
        ([], {(("lines",), "INVALID")}),
    ]
    for lines, expected_errors in cases:
        assert_refused(await receive_po(c, po["id"], lines), expected_errors, "purchaseOrder")
    assert await po_state(c, w, [po["id"]]) == before
    # when the rest arrives in one receipt, the PO is RECEIVED and nothing is incoming
    got = ok(await receive_po(c, po["id"], [pol(w.B, 5), pol(w.A, 6)]))["purchaseOrder"]
    assert got["status"] == "RECEIVED"
    assert [(l["received"], l["quantity"]) for l in got["lines"]] == [(10, 10), (5, 5)]
    a, b = await stock_level(c, w.A, w.L1), await stock_level(c, w.B, w.L1)
    assert (a["onHand"], a["incoming"], b["onHand"], b["incoming"]) == (10, 0, 5, 0)
    assert [(x["reason"], x["delta"], x["referenceDocumentUri"]) for x in await ledger(c, w.B)] == [("RECEIVED", 5, uri)]
    # a received PO cannot be received again nor cancelled
    before = await po_state(c, w, [po["id"]])
    assert_refused(await receive_po(c, po["id"], [pol(w.A, 1)]), {(("id",), "INVALID_STATE")}, "purchaseOrder")
    assert_refused(await cancel_po(c, po["id"]), {(("id",), "INVALID_STATE")}, "purchaseOrder")
    assert await po_state(c, w, [po["id"]]) == before
    await assert_stock_invariants(c, [(w.A, w.L1), (w.B, w.L1)])


async def test_cancel_takes_what_is_still_due_off_incoming(w):
    c = w.c
    open_po = await create_po_ok(c, w.L1, [pol(w.A, 6)], D1)
    partial = await create_po_ok(c, w.L1, [pol(w.A, 10), pol(w.B, 3)], D2)
    ok(await receive_po(c, partial["id"], [pol(w.A, 4)]))
    assert (await stock_level(c, w.A, w.L1))["incoming"] == 6 + 6
    # when the open one is cancelled: CANCELLED, its 6 are no longer incoming
    got = ok(await cancel_po(c, open_po["id"]))["purchaseOrder"]
    assert got["status"] == "CANCELLED"
    assert (await stock_level(c, w.A, w.L1))["incoming"] == 6
    # when the partly received one is cancelled: only what was still due leaves incoming; onHand stays
    ok(await cancel_po(c, partial["id"]))
    a, b = await stock_level(c, w.A, w.L1), await stock_level(c, w.B, w.L1)
    assert (a["onHand"], a["incoming"], b["onHand"], b["incoming"]) == (4, 0, 0, 0)
    assert [x["reason"] for x in await ledger(c, w.A)] == ["RECEIVED"]
    # a cancelled PO cannot be received or cancelled again
    before = await po_state(c, w, [open_po["id"], partial["id"]])
    for po in (open_po, partial):
        assert_refused(await receive_po(c, po["id"], [pol(w.A, 1)]), {(("id",), "INVALID_STATE")}, "purchaseOrder")
        assert_refused(await cancel_po(c, po["id"]), {(("id",), "INVALID_STATE")}, "purchaseOrder")
    assert await po_state(c, w, [open_po["id"], partial["id"]]) == before


async def test_purchase_order_mutations_check_ids(w):
    c = w.c
    po = await create_po_ok(c, w.L1, [pol(w.A, 2)])
    before = await po_state(c, w, [po["id"]])
    for call in (lambda i: receive_po(c, i, [pol(w.A, 1)]), lambda i: cancel_po(c, i)):
        for malformed in ("nope", "", fake_id("Order", 1), fake_id("PurchaseOrder", "x")):
            assert_refused(await call(malformed), {(("id",), "INVALID")}, "purchaseOrder")
        assert_refused(await call(fake_id("PurchaseOrder")), {(("id",), "NOT_FOUND")}, "purchaseOrder")
    assert await po_state(c, w, [po["id"]]) == before


# ---------------------------------------------------------------- backorders

async def test_a_purchase_order_fills_a_backlog_of_backorders_in_arrival_order(w):
    c = w.c
    # given five orders, two A each, waiting with no stock anywhere, oldest first
    orders = [await w.place(line(w.A, 2)) for _ in range(5)]
    assert [o["status"] for o in orders] == ["BACKORDERED"] * 5
    assert [await expected(c, o["id"]) for o in orders] == [[None]] * 5  # nothing is due yet
    # and two purchase orders at L1: 6 due on D1, 10 due on D2
    first = await create_po_ok(c, w.L1, [pol(w.A, 6)], D1)
    second = await create_po_ok(c, w.L1, [pol(w.A, 10)], D2)
    # then the first 6 units are promised to the three oldest orders, the rest to the second PO
    assert [await expected(c, o["id"]) for o in orders] == [[when(D1)]] * 3 + [[when(D2)]] * 2
    # when 5 of the first PO's 6 arrive
    ok(await receive_po(c, first["id"], [pol(w.A, 5)]))
    # then, in the same commit, the oldest orders are filled first: 2, 2, 1, 0, 0
    got = [await get_order(c, o["id"]) for o in orders]
    assert [allocs(o)[w.A] for o in got] == [[(w.L1, 2)], [(w.L1, 2)], [(w.L1, 1)], [], []]
    assert [o["status"] for o in got] == ["ALLOCATED", "ALLOCATED", "PARTIALLY_ALLOCATED", "BACKORDERED", "BACKORDERED"]
    assert [(o["lines"][0]["allocated"], o["lines"][0]["backordered"]) for o in got] == [(2, 0), (2, 0), (1, 1), (0, 2), (0, 2)]
    assert [[(s["location"], s["status"]) for s in o["shipments"]] for o in got] == [[(w.L1, "PENDING")]] * 3 + [[], []]
    a = await stock_level(c, w.A, w.L1)
    assert (a["onHand"], a["committed"], a["available"], a["incoming"]) == (5, 5, 0, 11)
    # and the rest are promised as the contract says: the third order's last unit by the 1 still due
    # on the first PO, the two newest by the second
    assert [await expected(c, o["id"]) for o in orders] == [[None], [None], [when(D1)], [when(D2)], [when(D2)]]
    # when the first PO's last unit arrives, the third order is complete and the rest wait for D2
    ok(await receive_po(c, first["id"], [pol(w.A, 1)]))
    got = [await get_order(c, o["id"]) for o in orders]
    assert [allocs(o)[w.A] for o in got] == [[(w.L1, 2)], [(w.L1, 2)], [(w.L1, 2)], [], []]
    assert [await expected(c, o["id"]) for o in orders] == [[None]] * 3 + [[when(D2)]] * 2
    # when 3 of the second PO arrive: the fourth order is filled, the fifth gets 1
    ok(await receive_po(c, second["id"], [pol(w.A, 3)]))
    got = [await get_order(c, o["id"]) for o in orders]
    assert [(o["lines"][0]["allocated"], o["lines"][0]["backordered"]) for o in got] == [(2, 0)] * 4 + [(1, 1)]
    assert [await expected(c, o["id"]) for o in orders] == [[None]] * 4 + [[when(D2)]]
    a = await stock_level(c, w.A, w.L1)
    assert (a["onHand"], a["committed"], a["available"], a["incoming"]) == (9, 9, 0, 7)
    await assert_stock_invariants(c, [(w.A, w.L1)])


async def test_receipt_fills_only_orders_whose_channel_may_use_the_location(w):
    c = w.c
    L3 = f"{w.p}-L3"
    await add_location(c, L3, priority=2)
    # given an order for A waiting in a channel that may use L1 and L2 only
    order = await w.place(line(w.A, 2))
    po = await create_po_ok(c, L3, [pol(w.A, 5)], D1)
    # a PO at L3 promises nothing to it
    assert await expected(c, order["id"]) == [None]
    # when the L3 PO is received, L3 has the units but the order still waits
    ok(await receive_po(c, po["id"], [pol(w.A, 5)]))
    assert level_tuple(await stock_level(c, w.A, L3)) == (5, 0, 5)
    got = await get_order(c, order["id"])
    assert (got["status"], got["shipments"]) == ("BACKORDERED", [])
    # when a PO at L2 arrives, it fills the order
    po2 = await create_po_ok(c, w.L2, [pol(w.A, 2)], D2)
    assert await expected(c, order["id"]) == [when(D2)]
    ok(await receive_po(c, po2["id"], [pol(w.A, 2)]))
    got = await get_order(c, order["id"])
    assert (got["status"], allocs(got)) == ("ALLOCATED", {w.A: [(w.L2, 2)]})
    assert await expected(c, order["id"]) == [None]


async def test_receipt_of_several_skus_fills_a_multi_line_backorder_in_one_commit(w):
    c = w.c
    order = await w.place(line(w.A, 2), line(w.B, 3))
    po = await create_po_ok(c, w.L2, [pol(w.A, 2), pol(w.B, 3)], D1)
    assert await expected(c, order["id"]) == [when(D1), when(D1)]
    ok(await receive_po(c, po["id"], [pol(w.A, 2), pol(w.B, 3)]))
    got = await get_order(c, order["id"])
    assert (got["status"], allocs(got)) == ("ALLOCATED", {w.A: [(w.L2, 2)], w.B: [(w.L2, 3)]})
    assert [(s["location"], s["status"], sorted((l["sku"], l["quantity"]) for l in s["lines"])) for s in got["shipments"]] == [
        (w.L2, "PENDING", sorted([(w.A, 2), (w.B, 3)]))]
    assert await expected(c, order["id"]) == [None, None]


async def test_cancelled_backorders_are_skipped_by_receipts_and_promises(w):
    c = w.c
    gone = await w.place(line(w.A, 3))
    keep = await w.place(line(w.A, 2))
    po = await create_po_ok(c, w.L1, [pol(w.A, 3)], D1)
    assert await expected(c, keep["id"]) == [None]  # 3 due, all promised to the older order
    ok((await c.data(ORDER_CANCEL, {"id": gone["id"]}))["orderCancel"])
    assert await expected(c, keep["id"]) == [when(D1)]
    assert await expected(c, gone["id"]) == [None]
    ok(await receive_po(c, po["id"], [pol(w.A, 3)]))
    assert (await get_order(c, gone["id"]))["lines"][0]["allocations"] == []
    assert allocs(await get_order(c, keep["id"])) == {w.A: [(w.L1, 2)]}
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (3, 2, 1)


# ---------------------------------------------------------------- expectedAt

async def test_expected_at_is_the_earliest_open_po_at_a_usable_location_that_covers_the_line(w):
    c = w.c
    L3 = f"{w.p}-L3"
    await add_location(c, L3, priority=2)  # the channel may not use L3
    x = await w.place(line(w.A, 4))
    assert await expected(c, x["id"]) == [None]
    # a PO at a location the channel may not use, however early, does not count
    await create_po_ok(c, L3, [pol(w.A, 100)], D0)
    assert await expected(c, x["id"]) == [None]
    # a PO without a date does not count
    await create_po_ok(c, w.L1, [pol(w.A, 50)])
    assert await expected(c, x["id"]) == [None]
    # a PO that does not cover the 4 missing units does not count
    await create_po_ok(c, w.L1, [pol(w.A, 3)], D1)
    assert await expected(c, x["id"]) == [None]
    # the earliest covering one counts, whatever order the POs were created in
    await create_po_ok(c, w.L2, [pol(w.A, 10)], D3)
    assert await expected(c, x["id"]) == [when(D3)]
    d2 = await create_po_ok(c, w.L1, [pol(w.A, 5)], D2)
    assert await expected(c, x["id"]) == [when(D2)]
    # a later backorder is promised what earlier ones left: X holds 4 of D2's 5, so Y (2) is covered
    # by the D1 PO that X skipped, and Y2 (3) by neither D1's last unit nor D2's: D3
    y = await w.place(line(w.A, 2))
    y2 = await w.place(line(w.A, 3))
    assert [await expected(c, o["id"]) for o in (x, y, y2)] == [[when(D2)], [when(D1)], [when(D3)]]
    # cancelling the D2 PO: X moves to D3 (10 due: 4 for X, 6 left), Y keeps D1, Y2 takes 3 of D3's 6
    ok(await cancel_po(c, d2["id"]))
    assert [await expected(c, o["id"]) for o in (x, y, y2)] == [[when(D3)], [when(D1)], [when(D3)]]
    # a bigger order after them is covered by nothing left (D1: 1, D3: 3) until a new PO covers it
    z = await w.place(line(w.A, 5))
    assert await expected(c, z["id"]) == [None]
    await create_po_ok(c, w.L2, [pol(w.A, 5)], D4)
    assert await expected(c, z["id"]) == [when(D4)]
    assert [await expected(c, o["id"]) for o in (x, y, y2)] == [[when(D3)], [when(D1)], [when(D3)]]


# ---------------------------------------------------------------- durability

async def test_purchase_orders_backorders_returns_and_packed_boxes_survive_a_restart(server, client):
    c = client
    w = await make_world(c, "D")
    # given a shipped order with an open return holding 2 of its 3 units, a packed box at L1,
    # two backorders, and an open purchase order
    await set_stock(c, [{"sku": w.B, "location": w.L1, "onHand": 5}])
    shipped = await w.place(line(w.B, 3))
    await ship_out(c, shipment_at(shipped, w.L1)["id"])
    rma = ok(await request_return(c, shipped["id"], [rline(w.B, 2)]))["return"]
    boxed = await w.place(line(w.B, 2))
    box = shipment_at(boxed, w.L1)["id"]
    await pack_out(c, box)
    waiting = [await w.place(line(w.A, 2)) for _ in range(2)]
    po = await create_po_ok(c, w.L1, [pol(w.A, 3)], D1)
    assert [await expected(c, o["id"]) for o in waiting] == [[when(D1)], [None]]

    # when the server restarts on the same data
    await server.arestart()
    async with new_session() as session:
        c = Client(server, session)
        # then incoming, promises, claims and the packed box are as they were
        assert (await stock_level(c, w.A, w.L1))["incoming"] == 3
        assert [await expected(c, o["id"]) for o in waiting] == [[when(D1)], [None]]
        assert_refused(await request_return(c, shipped["id"], [rline(w.B, 2)]),
                       {(("input", "lines", "0", "quantity"), "INVALID")}, "return")
        payload = (await c.data(INVENTORY_SET, {"input": [{"sku": w.B, "location": w.L1, "onHand": 1}]}))["inventorySet"]
        assert error_set(payload) == {(("input", "0", "onHand"), "INVALID_STATE")}
        # and the work goes on: receipt fills the oldest backorder first, numbers continue
        ok(await receive_po(c, po["id"], [pol(w.A, 3)]))
        got = [await get_order(c, o["id"]) for o in waiting]
        assert [(o["lines"][0]["allocated"], o["lines"][0]["backordered"]) for o in got] == [(2, 0), (1, 1)]
        assert (await create_po_ok(c, w.L2, [pol(w.A, 1)]))["number"] == "PO-000002"
        assert ok(await approve(c, rma["id"]))["return"]["status"] == "APPROVED"
        assert (ok(await request_return(c, shipped["id"], [rline(w.B, 1)]))["return"])["number"] == "RMA-000002"
        assert ok(await ship(c, box))["shipment"]["status"] == "SHIPPED"
        await assert_stock_invariants(c)
