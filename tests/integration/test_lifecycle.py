"""Holds, releases, cancellations and the shipments they create."""
from engine.domain.commands import AdjustInventory, CancelOrder, HoldOrder, ReleaseOrder, ScanShipment
from engine.domain.ids import global_id


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


def queue(engine, location):
    """The warehouse's pick queue: (shipment seq, order seq) of its PENDING shipments."""
    rows, _ = engine.read.shipments(None, 100, location, ["PENDING"])
    return [(s["seq"], s["order"]) for s in rows]


def test_a_fresh_order_is_held_then_released_to_new_shipments_where_its_allocations_are(world, engine):
    setup(world)
    order = world.order(("A", 1), ("B", 2))
    placed = {s["loc"]: s["seq"] for s in order["shipments"]}
    assert queue(engine, "east") == [(placed["east"], order["seq"])] and queue(engine, "west") == [(placed["west"], order["seq"])]
    # when customer service holds it right after placement
    held = world.ok(HoldOrder(order["seq"], "fraud check"))
    # then its shipments are withdrawn, the warehouses' queues are empty, and the units stay reserved
    assert (held["status"], held["holdReason"]) == ("ON_HOLD", "fraud check")
    assert sorted(s["status"] for s in engine.read.shipments_of(held)) == ["CANCELLED", "CANCELLED"]
    assert queue(engine, "east") == [] and queue(engine, "west") == []
    assert (world.level("A", "east")["committed"], world.level("B", "west")["committed"]) == (1, 2)
    assert world.allocations(held) == [("A", "east", 1), ("B", "west", 2)]
    # when it is released
    released = world.ok(ReleaseOrder(order["seq"]))
    # then new shipments wait where the allocations are, with the same lines
    assert released["status"] == "ALLOCATED" and released["holdReason"] is None
    fresh = {s["loc"]: s for s in engine.read.shipments_of(released) if s["status"] == "PENDING"}
    assert set(fresh) == {"east", "west"} and not set(s["seq"] for s in fresh.values()) & set(placed.values())
    assert [(l["sku"], l["quantity"]) for l in fresh["east"]["lines"]] == [("A", 1)]
    assert [(l["sku"], l["quantity"]) for l in fresh["west"]["lines"]] == [("B", 2)]
    assert queue(engine, "east") == [(fresh["east"]["seq"], order["seq"])]
    assert (world.level("A", "east")["committed"], world.level("B", "west")["committed"]) == (1, 2)


def test_the_events_of_a_hold_and_release_come_in_order(world, engine):
    setup(world)
    order = world.order(("A", 1), ("B", 1))
    first = engine.read.last_event_seq()
    world.ok(HoldOrder(order["seq"], "address check"))
    world.ok(ReleaseOrder(order["seq"]))
    events, _ = engine.read.events(first, 100, order=order["seq"])
    assert [(e["type"], e["location"]) for e in events] == [
        ("ORDER_HELD", None), ("ORDER_RELEASED", None), ("SHIPMENT_CREATED", "east"), ("SHIPMENT_CREATED", "west")]
    withdrawn = sorted(engine.read.shipments_of(order), key=lambda s: s["seq"])[:2]
    assert events[0]["data"]["reason"] == "address check"
    assert events[0]["data"]["withdrawnShipmentIds"] == [global_id("Shipment", s["seq"]) for s in withdrawn]


def test_hold_is_refused_once_picking_started_and_changes_nothing(world, engine):
    setup(world)
    order = world.order(("A", 2), ("B", 1))
    east = next(s["seq"] for s in order["shipments"] if s["loc"] == "east")
    world.ok(ScanShipment(east, "A"))
    before = engine.read.order(order["seq"])
    last = engine.read.last_event_seq()
    refused = engine.execute(HoldOrder(order["seq"], "too late"))
    assert [(e.code.value, e.field) for e in refused.errors] == [("INVALID_STATE", ("id",))]
    assert "PICKING" in refused.errors[0].message
    assert engine.read.order(order["seq"]) == before and engine.read.last_event_seq() == last
    assert sorted(s["status"] for s in engine.read.shipments_of(before)) == ["PENDING", "PICKING"]


def test_a_backordered_order_held_gets_stock_but_no_shipment_until_released(world, engine):
    setup(world, units=0)
    order = world.order(("A", 2))
    held = world.ok(HoldOrder(order["seq"], "fraud check"))
    assert (held["status"], held["holdReason"]) == ("ON_HOLD", "fraud check")
    world.ok(AdjustInventory([("A", "east", 5)], "RECEIVED"))
    still_held = engine.read.order(order["seq"])
    assert still_held["status"] == "ON_HOLD" and still_held["shipments"] == []
    assert world.allocations(still_held) == [("A", "east", 2)]
    released = world.ok(ReleaseOrder(order["seq"]))
    assert released["status"] == "ALLOCATED" and [s["status"] for s in released["shipments"]] == ["PENDING"]
    assert engine.execute(ReleaseOrder(order["seq"])).errors[0].code.value == "INVALID_STATE"


def test_an_order_on_hold_or_cancelled_cannot_be_held_again(world, engine):
    setup(world)
    order = world.order(("A", 1))
    world.ok(HoldOrder(order["seq"], "first"))
    assert engine.execute(HoldOrder(order["seq"], "second")).errors[0].code.value == "INVALID_STATE"
    world.ok(CancelOrder(order["seq"], "customer asked"))
    assert engine.execute(HoldOrder(order["seq"], "third")).errors[0].code.value == "INVALID_STATE"
    assert engine.execute(ReleaseOrder(order["seq"])).errors[0].code.value == "INVALID_STATE"
    assert world.level("A", "east")["committed"] == 0


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
