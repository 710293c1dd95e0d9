"""Returns (RMA) over HTTP, as given / when / then: a full order life from placement to
refund, what can be requested, approve / reject / receive / refund and their illegal
transitions, resellable vs damaged units, restocking that fills backorders, exchanges,
store credit, numbering, lists and ids."""
from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from .helpers import (
    ERRORS, ORDER_CANCEL, ORDERS_PAGE, add_channel, add_location, add_products, assert_stock_invariants, error_set,
    ledger, line, ok, place_ok, set_stock, stock_level,
)
from .test_warehouse_flow import (
    World, allocs, assert_refused, deliver, fake_id, get_order, level_tuple, make_world, node_seq, pack,
    scan, ship, ship_out, shipment_at, snapshot,
)

RETURN_FIELDS = """id number status resolution refundAmount createdAt
  lines { sku quantity reason exchangeSku received condition }
  order { id number status lines { sku quantity shipped returned } }
  exchangeOrder { id number channel status subtotal total tags customer { email }
                  lines { sku quantity unitPrice allocated backordered } shipments { location status } }"""
RETURN = f"query($id: ID!) {{ return(id: $id) {{ {RETURN_FIELDS} }} }}"
RETURNS = """query($status: [ReturnStatus!], $first: Int, $after: String) {
  returns(status: $status, first: $first, after: $after) {
    edges { cursor node { id number status } } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""
REQUEST = f"mutation($input: ReturnInput!) {{ returnRequest(input: $input) {{ return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"
APPROVE = f"mutation($id: ID!) {{ returnApprove(id: $id) {{ return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"
REJECT = f"mutation($id: ID!, $reason: String!) {{ returnReject(id: $id, reason: $reason) {{ return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"
RECEIVE = f"""mutation($id: ID!, $lines: [ReturnReceiveLineInput!]!) {{
  returnReceive(id: $id, lines: $lines) {{ return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"""
REFUND = f"mutation($id: ID!) {{ returnRefund(id: $id) {{ return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"
ORDER_RETURNS = """query($id: ID!) { order(id: $id) { status lines { sku shipped returned }
  returns { id number status } } }"""
CUSTOMER = """query($email: String!) { customer(email: $email) { email stats { orders units revenue returnedUnits } } }"""


# ---------------------------------------------------------------- steps

async def request_return(c, order_id: str, lines: list[dict], resolution: str | None = None,
                         restock: str | None = None) -> dict:
    value: dict = {"orderId": order_id, "lines": lines}
    if resolution is not None:
        value["resolution"] = resolution
    if restock is not None:
        value["restockLocation"] = restock
    return (await c.data(REQUEST, {"input": value}))["returnRequest"]


async def approve(c, rid: str) -> dict:
    return (await c.data(APPROVE, {"id": rid}))["returnApprove"]


async def reject(c, rid: str, reason: str = "outside the return window") -> dict:
    return (await c.data(REJECT, {"id": rid, "reason": reason}))["returnReject"]


async def receive(c, rid: str, lines: list[dict]) -> dict:
    return (await c.data(RECEIVE, {"id": rid, "lines": lines}))["returnReceive"]


async def refund(c, rid: str) -> dict:
    return (await c.data(REFUND, {"id": rid}))["returnRefund"]


async def get_return(c, rid: str) -> dict | None:
    return (await c.data(RETURN, {"id": rid}))["return"]


def rline(sku: str, quantity: int, **extra) -> dict:
    return {"sku": sku, "quantity": quantity, **extra}


def recv(sku: str, quantity: int, condition: str = "RESELLABLE") -> dict:
    return {"sku": sku, "quantity": quantity, "condition": condition}


async def shipped_order(w: World, *order_lines: dict, email: str | None = None) -> dict:
    """Places an order and ships every shipment of it."""
    extra = {"customer": {"email": email, "name": "Returner"}} if email else {}
    order = await w.place(*order_lines, **extra)
    for s in order["shipments"]:
        await ship_out(w.c, s["id"])
    return await get_order(w.c, order["id"])


async def return_state(c, w: World, order_ids: list[str], return_ids: list[str]) -> dict:
    """Everything a refused returns request must leave as it was."""
    base = await snapshot(c, order_ids, [w.A, w.B, w.C], [w.L1, w.L2])
    returns = await asyncio.gather(*(get_return(c, r) for r in return_ids))
    listed = (await c.data(RETURNS, {"first": 250}))["returns"]["edges"]
    order_count = (await c.data(ORDERS_PAGE, {"first": 1}))["orders"]["totalCount"]
    return {**base, "returns": returns, "listed": listed, "orderCount": order_count}


@pytest.fixture
async def w(shared_client) -> World:
    return await make_world(shared_client, "R")


# ---------------------------------------------------------------- the whole life of an order

async def test_full_order_life_place_pick_pack_ship_deliver_return_restock_refund(client):
    c = client
    # given one warehouse with 10 mugs, a channel, and a customer
    await add_location(c, "DC")
    await add_products(c, [{"sku": "MUG", "name": "Mug", "price": "12.50", "barcode": "4006381333931"}])
    await add_channel(c, "shop")
    await set_stock(c, [{"sku": "MUG", "location": "DC", "onHand": 10}], reason="RECEIVED", ref="urn:asn:1")
    email = "ada@example.com"

    async def levels() -> tuple[int, int, int]:
        return level_tuple(await stock_level(c, "MUG", "DC"))

    async def reasons() -> list[tuple[str, int, int, str | None]]:
        return [(x["reason"], x["delta"], x["onHandAfter"], x["referenceDocumentUri"]) for x in await ledger(c, "MUG", "DC")]

    initial = [("RECEIVED", 10, 10, "urn:asn:1")]
    assert await reasons() == initial

    # when the order is placed: 2 units committed, one PENDING shipment at DC
    order = await place_ok(c, {"channel": "shop", "customer": {"email": email, "name": "Ada"}, "lines": [line("MUG", 2)]})
    assert (order["number"], order["status"]) == ("SO-000001", "ALLOCATED")
    sid = shipment_at(order, "DC", "PENDING")["id"]
    assert await levels() == (10, 2, 8) and await reasons() == initial

    # when both units are scanned by barcode: PICKING, then fully picked; no stock moves
    s = ok(await scan(c, sid, "4006381333931"))["shipment"]
    assert (s["status"], s["lines"]) == ("PICKING", [{"sku": "MUG", "quantity": 2, "picked": 1}])
    s = ok(await scan(c, sid, "4006381333931"))["shipment"]
    assert s["lines"] == [{"sku": "MUG", "quantity": 2, "picked": 2}]
    assert await levels() == (10, 2, 8) and await reasons() == initial

    # when packed: PACKED, no stock moves
    assert ok(await pack(c, sid))["shipment"]["status"] == "PACKED"
    assert await levels() == (10, 2, 8) and await reasons() == initial
    assert (await get_order(c, order["id"]))["status"] == "ALLOCATED"

    # when shipped: onHand and committed fall by 2, ledger SHIPPED for this shipment
    s = ok(await ship(c, sid, "UPS", "1Z0001", "https://ups.example/1Z0001"))["shipment"]
    assert s["status"] == "SHIPPED" and s["trackingNumber"] == "1Z0001"
    assert node_seq(sid) == 1
    shipped_entry = ("SHIPPED", -2, 8, "oms://shipments/1")
    assert await levels() == (8, 0, 8) and await reasons() == initial + [shipped_entry]
    assert (await get_order(c, order["id"]))["status"] == "SHIPPED"

    # when delivered: the order is DELIVERED
    assert ok(await deliver(c, sid))["shipment"]["status"] == "DELIVERED"
    got = await get_order(c, order["id"])
    assert (got["status"], got["lines"][0]["shipped"], got["lines"][0]["returned"]) == ("DELIVERED", 2, 0)

    # when the customer asks to return both: RMA-000001, REQUESTED, no stock moves
    rma = ok(await request_return(c, order["id"], [rline("MUG", 2, reason="chipped?")]))["return"]
    assert (rma["number"], rma["status"], rma["resolution"], rma["refundAmount"]) == ("RMA-000001", "REQUESTED", "REFUND", None)
    assert rma["lines"] == [{"sku": "MUG", "quantity": 2, "reason": "chipped?", "exchangeSku": None, "received": 0, "condition": None}]
    assert rma["order"]["id"] == order["id"] and rma["exchangeOrder"] is None
    listed = (await c.data(ORDER_RETURNS, {"id": order["id"]}))["order"]
    assert [(r["id"], r["status"]) for r in listed["returns"]] == [(rma["id"], "REQUESTED")]
    assert await levels() == (8, 0, 8)

    # when approved: APPROVED, nothing moves yet
    assert ok(await approve(c, rma["id"]))["return"]["status"] == "APPROVED"
    assert await levels() == (8, 0, 8) and len(await reasons()) == 2

    # when both units come back resellable: onHand back to 10, ledger RETURN_RESTOCK for this return
    got_rma = ok(await receive(c, rma["id"], [recv("MUG", 2)]))["return"]
    assert got_rma["status"] == "RECEIVED"
    assert got_rma["lines"][0]["received"] == 2 and got_rma["lines"][0]["condition"] == "RESELLABLE"
    assert Decimal(got_rma["refundAmount"]) == Decimal("25.00")
    assert await levels() == (10, 0, 10)
    assert await reasons() == initial + [shipped_entry, ("RETURN_RESTOCK", 2, 10, "oms://returns/1")]
    got = await get_order(c, order["id"])
    assert (got["lines"][0]["shipped"], got["lines"][0]["returned"]) == (2, 2)
    stats = (await c.data(CUSTOMER, {"email": email}))["customer"]["stats"]
    assert (stats["orders"], stats["units"], stats["returnedUnits"]) == (1, 2, 2)

    # when refunded: REFUNDED, the amount stays, nothing moves
    done = ok(await refund(c, rma["id"]))["return"]
    assert done["status"] == "REFUNDED" and Decimal(done["refundAmount"]) == Decimal("25.00")
    assert await levels() == (10, 0, 10) and len(await reasons()) == 3
    await assert_stock_invariants(c)

    # and nothing more can be returned from this order
    payload = await request_return(c, order["id"], [rline("MUG", 1)])
    assert_refused(payload, {(("input", "lines", "0", "quantity"), "INVALID")}, "return")


# ---------------------------------------------------------------- requesting

async def test_only_shipped_not_yet_returned_quantities_can_be_requested(w):
    c = w.c
    # given A (3) shipped from L1, B (2) still waiting at L2
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L2, "onHand": 5},
                        {"sku": w.C, "location": w.L1, "onHand": 5}])
    order = await w.place(line(w.A, 3), line(w.B, 2))
    await ship_out(c, shipment_at(order, w.L1)["id"])
    before = await return_state(c, w, [order["id"]], [])
    cases = [
        ([rline(w.B, 1)], {(("input", "lines", "0", "quantity"), "INVALID")}),      # not shipped
        ([rline(w.A, 4)], {(("input", "lines", "0", "quantity"), "INVALID")}),      # more than shipped
        ([rline(w.A, 0)], {(("input", "lines", "0", "quantity"), "INVALID")}),
        ([rline(w.A, -1)], {(("input", "lines", "0", "quantity"), "INVALID")}),
        ([rline(w.C, 1)], {(("input", "lines", "0", "sku"), "INVALID")}),           # not on the order
        ([rline(w.A, 1), rline(w.B, 1)], {(("input", "lines", "1", "quantity"), "INVALID")}),  # one good, one bad
        ([], {(("input", "lines"), "INVALID")}),
    ]
    for lines, expected in cases:
        assert_refused(await request_return(c, order["id"], lines), expected, "return")
    assert await return_state(c, w, [order["id"]], []) == before
    # when 2 of the 3 shipped are requested, only 1 more can be
    first = ok(await request_return(c, order["id"], [rline(w.A, 2)]))["return"]
    held = await return_state(c, w, [order["id"]], [first["id"]])
    assert_refused(await request_return(c, order["id"], [rline(w.A, 2)]), {(("input", "lines", "0", "quantity"), "INVALID")}, "return")
    assert await return_state(c, w, [order["id"]], [first["id"]]) == held
    second = ok(await request_return(c, order["id"], [rline(w.A, 1)]))["return"]
    assert int(second["number"][4:]) == int(first["number"][4:]) + 1  # a refused request uses no number
    listed = (await c.data(ORDER_RETURNS, {"id": order["id"]}))["order"]["returns"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert_refused(await request_return(c, order["id"], [rline(w.A, 1)]), {(("input", "lines", "0", "quantity"), "INVALID")}, "return")


async def test_return_request_checks_the_order_id_and_restock_location(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 1))
    before = await return_state(c, w, [order["id"]], [])
    for malformed in ("nope", "", order["shipments"][0]["id"], fake_id("Order", "x")):
        assert_refused(await request_return(c, malformed, [rline(w.A, 1)]), {(("input", "orderId"), "INVALID")}, "return")
    assert_refused(await request_return(c, fake_id("Order"), [rline(w.A, 1)]), {(("input", "orderId"), "NOT_FOUND")}, "return")
    assert_refused(await request_return(c, order["id"], [rline(w.A, 1)], restock="NO-SUCH-LOCATION"),
                   {(("input", "restockLocation"), "NOT_FOUND")}, "return")
    assert await return_state(c, w, [order["id"]], []) == before


async def test_nothing_can_be_returned_from_a_cancelled_order_that_never_shipped(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await w.place(line(w.A, 2))
    ok((await c.data(ORDER_CANCEL, {"id": order["id"]}))["orderCancel"])
    before = await return_state(c, w, [order["id"]], [])
    payload = await request_return(c, order["id"], [rline(w.A, 1)])
    assert payload["return"] is None and payload["userErrors"]
    assert {code for _, code in error_set(payload)} <= {"INVALID", "INVALID_STATE"}
    assert await return_state(c, w, [order["id"]], []) == before


# ---------------------------------------------------------------- approve, reject, receive, refund

async def test_reject_only_from_requested_and_a_rejected_return_frees_its_units(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 2))
    rma = ok(await request_return(c, order["id"], [rline(w.A, 2)]))["return"]
    # when rejected with a reason, it is REJECTED and changes no stock
    rejected = ok(await reject(c, rma["id"], "worn"))["return"]
    assert rejected["status"] == "REJECTED"
    # then receive, approve, reject, refund are all INVALID_STATE and change nothing
    before = await return_state(c, w, [order["id"]], [rma["id"]])
    for payload in (await receive(c, rma["id"], [recv(w.A, 2)]), await approve(c, rma["id"]),
                    await reject(c, rma["id"]), await refund(c, rma["id"])):
        assert_refused(payload, {(("id",), "INVALID_STATE")}, "return")
    assert await return_state(c, w, [order["id"]], [rma["id"]]) == before
    # and the units it held can be requested again
    again = ok(await request_return(c, order["id"], [rline(w.A, 2)]))["return"]
    ok(await approve(c, again["id"]))
    # an APPROVED return cannot be rejected, approved again or refunded before it is received
    before = await return_state(c, w, [order["id"]], [again["id"]])
    for payload in (await reject(c, again["id"]), await approve(c, again["id"]), await refund(c, again["id"])):
        assert_refused(payload, {(("id",), "INVALID_STATE")}, "return")
    assert await return_state(c, w, [order["id"]], [again["id"]]) == before
    # a reject needs a reason
    third_order = await shipped_order(w, line(w.A, 1))
    third = ok(await request_return(c, third_order["id"], [rline(w.A, 1)]))["return"]
    assert_refused(await reject(c, third["id"], " "), {(("reason",), "INVALID")}, "return")
    assert (await get_return(c, third["id"]))["status"] == "REQUESTED"


async def test_receive_restocks_resellable_units_only_and_refund_is_price_times_received(w):
    c = w.c
    email = f"{w.p}@example.com"
    # given A (3 at 7.25 each, not the list price) and B (2) shipped from L1
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 3, "7.25"), line(w.B, 2), email=email)
    rma = ok(await request_return(c, order["id"], [rline(w.A, 3), rline(w.B, 2)]))["return"]
    # receiving before approval is INVALID_STATE
    before = await return_state(c, w, [order["id"]], [rma["id"]])
    assert_refused(await receive(c, rma["id"], [recv(w.A, 1)]), {(("id",), "INVALID_STATE")}, "return")
    assert await return_state(c, w, [order["id"]], [rma["id"]]) == before
    ok(await approve(c, rma["id"]))
    before = await return_state(c, w, [order["id"]], [rma["id"]])
    ledger_b = await ledger(c, w.B)
    # refused receipts: a sku twice, more than requested, a sku not on the return, no lines
    cases = [
        ([recv(w.A, 1), recv(w.A, 1)], {(("lines", "1", "sku"), "DUPLICATE")}),
        ([recv(w.A, 4)], {(("lines", "0", "quantity"), "INVALID")}),
        ([recv(w.A, -1)], {(("lines", "0", "quantity"), "INVALID")}),
        ([recv(w.C, 1)], {(("lines", "0", "sku"), "INVALID")}),
        ([], {(("lines",), "INVALID")}),
    ]
    for lines, expected in cases:
        assert_refused(await receive(c, rma["id"], lines), expected, "return")
    assert await return_state(c, w, [order["id"]], [rma["id"]]) == before
    # when 2 A come back resellable and 1 B damaged
    got = ok(await receive(c, rma["id"], [recv(w.A, 2, "RESELLABLE"), recv(w.B, 1, "DAMAGED")]))["return"]
    # then A's units are back on hand at L1 (RETURN_RESTOCK), B's are not
    assert got["status"] == "RECEIVED"
    assert {l["sku"]: (l["received"], l["condition"]) for l in got["lines"]} == {w.A: (2, "RESELLABLE"), w.B: (1, "DAMAGED")}
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (4, 0, 4)
    assert level_tuple(await stock_level(c, w.B, w.L1)) == (3, 0, 3)
    last = (await ledger(c, w.A, w.L1))[-1]
    assert (last["reason"], last["delta"], last["onHandAfter"], last["referenceDocumentUri"]) == (
        "RETURN_RESTOCK", 2, 4, f"oms://returns/{int(rma['number'][4:])}")
    assert await ledger(c, w.B) == ledger_b
    # refundAmount = unit price x received quantity: 2 x 7.25 + 1 x 4.50
    assert Decimal(got["refundAmount"]) == Decimal("19.00")
    by = {l["sku"]: l for l in got["order"]["lines"]}
    assert (by[w.A]["returned"], by[w.B]["returned"]) == (2, 1)
    stats = (await c.data(CUSTOMER, {"email": email}))["customer"]["stats"]
    assert stats["returnedUnits"] == 3
    # receiving again is INVALID_STATE; refund works once
    before = await return_state(c, w, [order["id"]], [rma["id"]])
    assert_refused(await receive(c, rma["id"], [recv(w.A, 1)]), {(("id",), "INVALID_STATE")}, "return")
    assert await return_state(c, w, [order["id"]], [rma["id"]]) == before
    assert ok(await refund(c, rma["id"]))["return"]["status"] == "REFUNDED"
    assert_refused(await refund(c, rma["id"]), {(("id",), "INVALID_STATE")}, "return")
    assert_refused(await reject(c, rma["id"]), {(("id",), "INVALID_STATE")}, "return")
    await assert_stock_invariants(c, [(w.A, w.L1), (w.B, w.L1)])


async def test_units_requested_but_not_received_can_be_returned_later(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 3))
    rma = ok(await request_return(c, order["id"], [rline(w.A, 3)]))["return"]
    ok(await approve(c, rma["id"]))
    got = ok(await receive(c, rma["id"], [recv(w.A, 1)]))["return"]
    assert Decimal(got["refundAmount"]) == Decimal("10.00")
    assert got["order"]["lines"][0]["returned"] == 1
    # 2 shipped units are still not returned
    assert_refused(await request_return(c, order["id"], [rline(w.A, 3)]), {(("input", "lines", "0", "quantity"), "INVALID")}, "return")
    ok(await request_return(c, order["id"], [rline(w.A, 2)]))


async def test_resellable_units_restock_at_the_chosen_location_and_fill_a_backorder(w):
    c = w.c
    # given an order shipped from L1 and, later, an order for A waiting with no stock anywhere
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 2}])
    order = await shipped_order(w, line(w.A, 2))
    waiting = await w.place(line(w.A, 1))
    assert waiting["status"] == "BACKORDERED"
    rma = ok(await request_return(c, order["id"], [rline(w.A, 2)], restock=w.L2))["return"]
    ok(await approve(c, rma["id"]))
    # when both come back resellable, to L2
    ok(await receive(c, rma["id"], [recv(w.A, 2)]))
    # then L2's onHand rises and the waiting order is filled from it in the same commit
    assert level_tuple(await stock_level(c, w.A, w.L2)) == (2, 1, 1)
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (0, 0, 0)
    got = await get_order(c, waiting["id"])
    assert (got["status"], allocs(got)) == ("ALLOCATED", {w.A: [(w.L2, 1)]})
    assert [(s["location"], s["status"]) for s in got["shipments"]] == [(w.L2, "PENDING")]
    assert [x["reason"] for x in await ledger(c, w.A, w.L2)] == ["RETURN_RESTOCK"]


async def test_damaged_units_do_not_fill_backorders(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 2}])
    order = await shipped_order(w, line(w.A, 2))
    waiting = await w.place(line(w.A, 1))
    rma = ok(await request_return(c, order["id"], [rline(w.A, 2)]))["return"]
    ok(await approve(c, rma["id"]))
    got = ok(await receive(c, rma["id"], [recv(w.A, 2, "DAMAGED")]))["return"]
    assert Decimal(got["refundAmount"]) == Decimal("20.00")
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (0, 0, 0)
    assert (await get_order(c, waiting["id"]))["status"] == "BACKORDERED"


async def test_store_credit_behaves_like_refund_for_amounts(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 2, "3.10"))
    rma = ok(await request_return(c, order["id"], [rline(w.A, 2)], "STORE_CREDIT"))["return"]
    assert rma["resolution"] == "STORE_CREDIT" and rma["exchangeOrder"] is None
    orders_before = (await c.data(ORDERS_PAGE, {"first": 1}))["orders"]["totalCount"]
    ok(await approve(c, rma["id"]))
    assert (await c.data(ORDERS_PAGE, {"first": 1}))["orders"]["totalCount"] == orders_before
    got = ok(await receive(c, rma["id"], [recv(w.A, 2)]))["return"]
    assert Decimal(got["refundAmount"]) == Decimal("6.20")
    done = ok(await refund(c, rma["id"]))["return"]
    assert (done["status"], Decimal(done["refundAmount"])) == ("REFUNDED", Decimal("6.20"))


# ---------------------------------------------------------------- exchanges

async def test_exchange_approval_places_a_zero_priced_replacement_order_in_the_same_channel(w):
    c = w.c
    email = f"{w.p}@example.com"
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L2, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 2), email=email)
    rma = ok(await request_return(c, order["id"], [rline(w.A, 1, exchangeSku=w.B)], "EXCHANGE"))["return"]
    assert rma["lines"][0]["exchangeSku"] == w.B and rma["exchangeOrder"] is None
    # when approved
    got = ok(await approve(c, rma["id"]))["return"]
    # then a zero-priced order for the exchange sku is placed in the same channel, for the same customer
    ex = got["exchangeOrder"]
    assert ex is not None and ex["id"] != order["id"]
    assert ex["channel"] == w.ch and ex["customer"]["email"] == email
    assert [(l["sku"], l["quantity"], Decimal(l["unitPrice"])) for l in ex["lines"]] == [(w.B, 1, Decimal(0))]
    assert Decimal(ex["subtotal"]) == Decimal(0) == Decimal(ex["total"])
    assert (ex["status"], ex["shipments"]) == ("ALLOCATED", [{"location": w.L2, "status": "PENDING"}])
    assert level_tuple(await stock_level(c, w.B, w.L2)) == (5, 1, 4)
    assert (await get_return(c, rma["id"]))["exchangeOrder"]["id"] == ex["id"]
    # receiving works as usual; an exchange is not refunded
    received = ok(await receive(c, rma["id"], [recv(w.A, 1)]))["return"]
    assert received["status"] == "RECEIVED"
    assert level_tuple(await stock_level(c, w.A, w.L1)) == (4, 0, 4)
    before = await return_state(c, w, [order["id"], ex["id"]], [rma["id"]])
    assert_refused(await refund(c, rma["id"]), {(("id",), "INVALID_STATE")}, "return")
    assert await return_state(c, w, [order["id"], ex["id"]], [rma["id"]]) == before


async def test_exchange_without_exchange_sku_replaces_the_same_sku_and_exchange_sku_needs_exchange(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 2))
    assert_refused(await request_return(c, order["id"], [rline(w.A, 1, exchangeSku=w.B)], "REFUND"),
                   {(("input", "lines", "0", "exchangeSku"), "INVALID")}, "return")
    assert_refused(await request_return(c, order["id"], [rline(w.A, 1, exchangeSku="NO-SUCH-SKU")], "EXCHANGE"),
                   {(("input", "lines", "0", "exchangeSku"), "NOT_FOUND")}, "return")
    rma = ok(await request_return(c, order["id"], [rline(w.A, 2)], "EXCHANGE"))["return"]
    assert rma["lines"][0]["exchangeSku"] == w.A
    ex = ok(await approve(c, rma["id"]))["return"]["exchangeOrder"]
    assert [(l["sku"], l["quantity"], Decimal(l["unitPrice"])) for l in ex["lines"]] == [(w.A, 2, Decimal(0))]
    assert ex["status"] == "ALLOCATED"


async def test_exchange_of_two_skus_for_the_same_replacement_sku(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}, {"sku": w.B, "location": w.L1, "onHand": 5},
                        {"sku": w.C, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 1), line(w.B, 1))
    rma = ok(await request_return(c, order["id"], [rline(w.A, 1, exchangeSku=w.C), rline(w.B, 1, exchangeSku=w.C)],
                                  "EXCHANGE"))["return"]
    got = ok(await approve(c, rma["id"]))["return"]
    ex = got["exchangeOrder"]
    assert sum(l["quantity"] for l in ex["lines"] if l["sku"] == w.C) == 2
    assert {l["sku"] for l in ex["lines"]} == {w.C}


# ---------------------------------------------------------------- numbering, lists, ids

async def test_rma_numbers_count_up_from_one_and_returns_list_by_status(client):
    c = client
    w = await make_world(c, "N")
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 10}])
    order = await shipped_order(w, line(w.A, 5))
    # a refused request first: it uses no number
    assert_refused(await request_return(c, order["id"], [rline(w.A, 9)]), {(("input", "lines", "0", "quantity"), "INVALID")}, "return")
    rmas = [ok(await request_return(c, order["id"], [rline(w.A, 1)]))["return"] for _ in range(4)]
    assert [r["number"] for r in rmas] == ["RMA-000001", "RMA-000002", "RMA-000003", "RMA-000004"]
    ok(await approve(c, rmas[1]["id"]))
    ok(await reject(c, rmas[2]["id"]))
    ok(await approve(c, rmas[3]["id"]))
    ok(await receive(c, rmas[3]["id"], [recv(w.A, 1)]))

    async def listed(status=None, first=None, after=None):
        page = (await c.data(RETURNS, {"status": status, "first": first, "after": after}))["returns"]
        return [(e["node"]["number"], e["node"]["status"]) for e in page["edges"]], page["pageInfo"]

    assert (await listed())[0] == [("RMA-000001", "REQUESTED"), ("RMA-000002", "APPROVED"),
                                   ("RMA-000003", "REJECTED"), ("RMA-000004", "RECEIVED")]
    assert (await listed(["APPROVED", "RECEIVED"]))[0] == [("RMA-000002", "APPROVED"), ("RMA-000004", "RECEIVED")]
    assert (await listed(["REFUNDED"]))[0] == []
    rows, info = await listed(first=3)
    assert len(rows) == 3 and info["hasNextPage"] is True
    rows, info = await listed(first=3, after=info["endCursor"])
    assert rows == [("RMA-000004", "RECEIVED")] and info["hasNextPage"] is False
    for unknown in (fake_id("Return"), "garbage", order["id"]):
        assert await get_return(c, unknown) is None


async def test_return_mutations_check_ids(w):
    c = w.c
    await set_stock(c, [{"sku": w.A, "location": w.L1, "onHand": 5}])
    order = await shipped_order(w, line(w.A, 1))
    rma = ok(await request_return(c, order["id"], [rline(w.A, 1)]))["return"]
    before = await return_state(c, w, [order["id"]], [rma["id"]])
    calls = [approve, reject, refund, lambda c_, i: receive(c_, i, [recv(w.A, 1)])]
    for call in calls:
        for malformed in ("nope", "", order["id"], fake_id("Return", "x")):
            assert_refused(await call(c, malformed), {(("id",), "INVALID")}, "return")
        assert_refused(await call(c, fake_id("Return")), {(("id",), "NOT_FOUND")}, "return")
    assert await return_state(c, w, [order["id"]], [rma["id"]]) == before
