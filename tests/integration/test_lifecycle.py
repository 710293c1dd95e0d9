"""Holds, releases, cancellations and the shipments they create."""
from engine.commands import CancelOrder, HoldOrder, ReleaseOrder, AdjustInventory


def setup(world, units=10):
    world.location("east")
    world.location("west", priority=1)
    world.products("A", "B")
    world.channel()
    world.stock(A__east=units, B__west=units)


def test_released_order_gets_one_pending_shipment_per_location(world, engine):
    setup(world)
    order = world.order(("A", 1), ("B", 1))
    shipments = engine.read.shipments_of(order)
    assert sorted((s["loc"], s["status"]) for s in shipments) == [("east", "PENDING"), ("west", "PENDING")]
    assert {l["sku"]: l["quantity"] for s in shipments for l in s["lines"]} == {"A": 1, "B": 1}


def test_hold_only_before_shipments_then_release_creates_them(world, engine):
    setup(world, units=0)
    order = world.order(("A", 2))
    held = world.ok(HoldOrder(order["seq"], "fraud check"))
    assert (held["status"], held["holdReason"]) == ("ON_HOLD", "fraud check")
    world.ok(AdjustInventory([("A", "east", 5)], "RECEIVED"))
    still_held = engine.read.order(order["seq"])
    assert still_held["status"] == "ON_HOLD" and still_held["shipments"] == []
    released = world.ok(ReleaseOrder(order["seq"]))
    assert released["status"] == "ALLOCATED" and [s["status"] for s in released["shipments"]] == ["PENDING"]
    again = engine.execute(HoldOrder(order["seq"], "too late"))
    assert again.errors[0].code.value == "INVALID_STATE"
    assert engine.execute(ReleaseOrder(order["seq"])).errors[0].code.value == "INVALID_STATE"


def test_cancel_releases_stock_to_waiting_backorders(world, engine):
    setup(world, units=2)
    first = world.order(("A", 2))
    waiting = world.order(("A", 1))
    cancelled = world.ok(CancelOrder(first["seq"], "customer asked"))
    assert cancelled["status"] == "CANCELLED"
    assert [s["status"] for s in cancelled["shipments"]] == ["CANCELLED"]
    assert cancelled["lines"][0]["cancelled"] == 2
    assert world.allocations(waiting) == [("A", "east", 1)]
    assert world.level("A", "east")["committed"] == 1
    assert engine.execute(CancelOrder(first["seq"])).errors[0].code.value == "INVALID_STATE"


def test_unknown_order(world, engine):
    setup(world)
    assert engine.execute(CancelOrder(99)).errors[0].code.value == "NOT_FOUND"
