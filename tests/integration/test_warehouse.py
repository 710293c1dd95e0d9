"""Pick (scan), short pick, pack, ship, deliver, and cancelling in the warehouse."""
from engine.domain.commands import (
    AdjustInventory, CancelOrder, DeliverShipment, PackShipment, ProductDraft, ReportShort, ScanShipment,
    SetInventory, ShipShipment, StockSetItem, UpsertProducts,
)


def given_an_order(world, east=5, west=5, quantity=2):
    world.location("east")
    world.location("west", priority=1)
    world.ok(UpsertProducts([ProductDraft("MUG", "Mug", barcode="4006381333931", price="12.00")]))
    world.channel()
    world.stock(MUG__east=east, MUG__west=west)
    order = world.order(("MUG", quantity))
    return order, order["shipments"][0]["seq"]


def test_pick_pack_ship_deliver(world, engine):
    order, ship = given_an_order(world)
    picking = world.ok(ScanShipment(ship, "4006381333931"))
    assert picking["status"] == "PICKING" and picking["lines"][0]["picked"] == 1
    assert engine.execute(PackShipment(ship)).errors[0].code.value == "INVALID_STATE"
    world.ok(ScanShipment(ship, "MUG"))
    assert world.ok(PackShipment(ship))["status"] == "PACKED"
    shipped = world.ok(ShipShipment(ship, "UPS", "1Z999", "https://ups.example/1Z999"))
    assert (shipped["status"], shipped["carrier"], shipped["trackingNumber"]) == ("SHIPPED", "UPS", "1Z999")
    assert engine.read.order(order["seq"])["status"] == "SHIPPED"
    assert world.level("MUG", "east") | {"updatedAt": None} == world.level("MUG", "east") | {
        "onHand": 3, "committed": 0, "available": 3, "updatedAt": None}
    changes, _ = engine.read.inventory_changes("MUG", "east", None, 10)
    assert (changes[-1]["reason"], changes[-1]["delta"]) == ("SHIPPED", -2)
    world.ok(DeliverShipment(ship))
    assert engine.read.order(order["seq"])["status"] == "DELIVERED"


def test_illegal_transitions_change_nothing(world, engine):
    order, ship = given_an_order(world)
    for command in (ShipShipment(ship, "UPS", "1"), DeliverShipment(ship), PackShipment(ship)):
        assert engine.execute(command).errors[0].code.value == "INVALID_STATE"
    for bad in (ScanShipment(ship, "NOPE"), ScanShipment(ship, "MUG", 3), ScanShipment(ship, "MUG", 0)):
        assert engine.execute(bad).errors[0].code.value == "INVALID"
    assert engine.read.shipment(ship)["status"] == "PENDING"
    assert engine.read.shipment(ship)["lines"][0]["picked"] == 0


def test_short_pick_shrinks_the_line_and_routes_to_another_warehouse(world, engine):
    order, ship = given_an_order(world, east=5, west=5, quantity=2)
    world.ok(ScanShipment(ship, "MUG"))
    short = world.ok(ReportShort(ship, "MUG", 1))
    assert short["lines"] == [{"sku": "MUG", "quantity": 1, "picked": 1}]
    assert world.level("MUG", "east")["onHand"] == 4
    changes, _ = engine.read.inventory_changes("MUG", "east", None, 10)
    assert changes[-1]["reason"] == "SHRINKAGE"
    fresh = engine.read.order(order["seq"])
    assert sorted((a["loc"], a["qty"]) for a in fresh["lines"][0]["parts"][0]["allocs"]) == [("east", 1), ("west", 1)]
    assert sorted(s["loc"] for s in fresh["shipments"]) == ["east", "west"]
    assert fresh["status"] == "ALLOCATED"


def test_short_pick_with_no_stock_elsewhere_backorders(world, engine):
    order, ship = given_an_order(world, east=2, west=0)
    world.ok(ReportShort(ship, "MUG", 2))
    fresh = engine.read.order(order["seq"])
    assert fresh["status"] == "BACKORDERED"
    assert engine.read.shipment(ship)["status"] == "CANCELLED"
    world.ok(AdjustInventory([("MUG", "west", 2)], "RECEIVED"))
    assert engine.read.order(order["seq"])["status"] == "ALLOCATED"


def test_cancel_in_the_warehouse_keeps_shipped_units(world, engine):
    world.location("east")
    world.location("west", priority=1)
    world.products("A", "B")
    world.channel()
    world.stock(A__east=5, B__west=5)
    order = world.order(("A", 1), ("B", 1))
    east, west = (s["seq"] for s in sorted(order["shipments"], key=lambda s: s["loc"]))
    world.ok(ScanShipment(east, "A"))
    world.ok(PackShipment(east))
    world.ok(ShipShipment(east, "DHL", "123"))
    cancelled = world.ok(CancelOrder(order["seq"]))
    assert cancelled["status"] == "SHIPPED"
    assert [(l["sku"], l["cancelled"]) for l in cancelled["lines"]] == [("A", 0), ("B", 1)]
    assert {s["loc"]: s["status"] for s in cancelled["shipments"]} == {"east": "SHIPPED", "west": "CANCELLED"}
    assert world.level("B", "west")["committed"] == 0
    assert engine.execute(CancelOrder(order["seq"])).errors[0].code.value == "INVALID_STATE"


def test_packed_units_are_never_released_by_a_count(world, engine):
    order, ship = given_an_order(world, east=2, west=0)
    world.ok(ScanShipment(ship, "MUG", 2))
    world.ok(PackShipment(ship))
    refused = engine.execute(SetInventory([StockSetItem("MUG", "east", 1)]))
    assert [(e.code.value, e.field) for e in refused.errors] == [("INVALID_STATE", ("input", "0", "onHand"))]
    assert world.level("MUG", "east")["onHand"] == 2
