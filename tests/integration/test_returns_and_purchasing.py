"""Returns (refund, exchange, store credit) and purchase orders filling backorders."""
from datetime import datetime, timezone

from engine.domain.commands import (
    ApproveReturn, CancelPurchaseOrder, CreatePurchaseOrder, PackShipment, ReceivePurchaseOrder, ReceiveReturn,
    RefundReturn, RejectReturn, RequestReturn, ReturnLineDraft, ScanShipment, ShipShipment,
)


def shipped_order(world, quantity=3):
    world.location("east")
    world.location("returns-dock", priority=9)
    world.products("A", "B")
    world.channel()
    world.stock(A__east=10, B__east=10)
    order = world.order(("A", quantity), customer={"email": "ada@example.com", "name": "Ada"})
    ship = order["shipments"][0]["seq"]
    world.ok(ScanShipment(ship, "A", quantity))
    world.ok(PackShipment(ship))
    world.ok(ShipShipment(ship, "UPS", "1Z"))
    return order


def test_refund_return_restocks_resellable_units(world, engine):
    order = shipped_order(world)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("A", 2, "too big")]))
    assert (rma["number"], rma["status"]) == ("RMA-000001", "REQUESTED")
    assert engine.execute(RequestReturn(order["seq"], [ReturnLineDraft("A", 2)])).errors[0].code.value == "INVALID"
    assert engine.execute(ReceiveReturn(rma["seq"], [("A", 1, "RESELLABLE")])).errors[0].code.value == "INVALID_STATE"
    world.ok(ApproveReturn(rma["seq"]))
    received = world.ok(ReceiveReturn(rma["seq"], [("A", 2, "RESELLABLE")]))
    assert (received["status"], received["refundAmount"]) == ("RECEIVED", "20.00")
    assert world.level("A", "east")["onHand"] == 9
    assert engine.read.order(order["seq"])["lines"][0]["returned"] == 2
    assert engine.read.customer("ada@example.com")["stats"]["returnedUnits"] == 2
    assert world.ok(RefundReturn(rma["seq"]))["status"] == "REFUNDED"


def test_damaged_units_do_not_go_back_on_hand(world, engine):
    order = shipped_order(world)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("A", 1)], restock_location="returns-dock"))
    world.ok(ApproveReturn(rma["seq"]))
    world.ok(ReceiveReturn(rma["seq"], [("A", 1, "DAMAGED")]))
    assert world.level("A", "returns-dock")["onHand"] == 0


def test_exchange_places_a_zero_priced_replacement(world, engine):
    order = shipped_order(world)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("A", 1, exchange_sku="B")], resolution="EXCHANGE"))
    approved = world.ok(ApproveReturn(rma["seq"]))
    replacement = engine.read.order(approved["exchangeOrder"])
    assert replacement["channel"] == "web" and replacement["subtotal"] == "0"
    assert [(l["sku"], l["quantity"], l["unitPrice"]) for l in replacement["lines"]] == [("B", 1, "0")]


def test_rejected_return_frees_its_units_and_cannot_be_received(world, engine):
    order = shipped_order(world)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("A", 3)]))
    world.ok(RejectReturn(rma["seq"], "outside the return window"))
    assert engine.execute(ReceiveReturn(rma["seq"], [("A", 1, "RESELLABLE")])).errors[0].code.value == "INVALID_STATE"
    world.ok(RequestReturn(order["seq"], [ReturnLineDraft("A", 3)]))


def test_unshipped_units_cannot_be_returned(world, engine):
    world.location("east")
    world.products("A")
    world.channel()
    world.stock(A__east=5)
    order = world.order(("A", 1))
    result = engine.execute(RequestReturn(order["seq"], [ReturnLineDraft("A", 1)]))
    assert [(e.code.value, e.field) for e in result.errors] == [("INVALID", ("input", "lines", "0", "quantity"))]


def test_purchase_order_fills_a_backlog_in_arrival_order(world, engine):
    world.location("east")
    world.products("A")
    world.channel()
    waiting = [world.order(("A", 2)) for _ in range(4)]
    po = world.ok(CreatePurchaseOrder("Acme", "east", [("A", 10)], datetime(2030, 1, 1, tzinfo=timezone.utc)))
    assert (po["number"], world.level("A", "east")["incoming"]) == ("PO-000001", 10)
    partial = world.ok(ReceivePurchaseOrder(po["seq"], [("A", 5)]))
    assert partial["status"] == "PARTIALLY_RECEIVED"
    assert [engine.read.order(o["seq"])["status"] for o in waiting] == ["ALLOCATED", "ALLOCATED", "PARTIALLY_ALLOCATED", "BACKORDERED"]
    assert engine.execute(ReceivePurchaseOrder(po["seq"], [("A", 6)])).errors[0].code.value == "INVALID_STATE"
    world.ok(CancelPurchaseOrder(po["seq"]))
    assert world.level("A", "east")["incoming"] == 0
    assert engine.execute(ReceivePurchaseOrder(po["seq"], [("A", 1)])).errors[0].code.value == "INVALID_STATE"


def test_expected_at_promises_purchase_orders_first_come_first_served(world, engine):
    world.location("east")
    world.location("far")
    world.products("A")
    world.channel("web", rules=[{"name": "east", "locations": ["east"]}])
    first, second, third = (world.order(("A", 4)) for _ in range(3))
    soon = datetime(2030, 1, 1, tzinfo=timezone.utc)
    later = datetime(2030, 2, 1, tzinfo=timezone.utc)
    world.ok(CreatePurchaseOrder("Acme", "far", [("A", 100)], datetime(2029, 1, 1, tzinfo=timezone.utc)))
    world.ok(CreatePurchaseOrder("Acme", "east", [("A", 5)], soon))
    world.ok(CreatePurchaseOrder("Acme", "east", [("A", 4)], later))
    expected = [engine.read.expected_at(engine.read.order(o["seq"]), 0) for o in (first, second, third)]
    assert expected == [soon.isoformat(), later.isoformat(), None]
