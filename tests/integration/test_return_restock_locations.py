"""A returned bundle puts each component unit back where it shipped from (unless the return names a location)."""
from engine.domain.commands import (
    ApproveReturn, PackShipment, ReceiveReturn, RequestReturn, ReturnLineDraft, ScanShipment, ShipShipment,
)
from engine import Engine
from engine.storage.audit import audit
from engine.handlers.returns import restock_split
from engine.storage.store import Store, dumps, loads, u64
from tests.integration.conftest import World


def shipped_kit_split(world, engine, kits=2):
    # given MUG-SET = MUG + LID, MUG stocked only at east, LID only at west, one kit order shipped in two parcels
    world.location("east")
    world.location("west")
    world.location("dock", priority=9)
    world.products("MUG", "LID")
    world.bundle("MUG-SET", [("MUG", 1), ("LID", 1)])
    world.channel()
    world.stock(MUG__east=5, LID__west=5)
    order = world.order(("MUG-SET", kits))
    assert world.allocations(order) == [("LID", "west", kits), ("MUG", "east", kits)]
    for shipment in engine.read.order(order["seq"])["shipments"]:
        world.ok(ScanShipment(shipment["seq"], {"east": "MUG", "west": "LID"}[shipment["loc"]], kits))
        world.ok(PackShipment(shipment["seq"]))
        world.ok(ShipShipment(shipment["seq"], "UPS", f"1Z{shipment['seq']}"))
    assert engine.read.order(order["seq"])["status"] == "SHIPPED"
    return order


def restocks(engine, sku, loc):
    entries, _ = engine.read.inventory_changes(sku, loc, None, 100)
    return [(e["reason"], e["delta"]) for e in entries if e["reason"] == "RETURN_RESTOCK"]


def on_hand(world):
    return {(s, l): world.level(s, l)["onHand"] for s in ("MUG", "LID") for l in ("east", "west", "dock")}


def test_resellable_kit_restocks_each_component_where_it_shipped_from(world, engine):
    order = shipped_kit_split(world, engine)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("MUG-SET", 1)]))
    world.ok(ApproveReturn(rma["seq"]))
    world.ok(ReceiveReturn(rma["seq"], [("MUG-SET", 1, "RESELLABLE")]))
    assert restocks(engine, "MUG", "east") == [("RETURN_RESTOCK", 1)]
    assert restocks(engine, "LID", "west") == [("RETURN_RESTOCK", 1)]
    assert restocks(engine, "LID", "east") == [] and restocks(engine, "MUG", "west") == []
    assert on_hand(world) == {("MUG", "east"): 4, ("MUG", "west"): 0, ("MUG", "dock"): 0,
                              ("LID", "east"): 0, ("LID", "west"): 4, ("LID", "dock"): 0}


def test_damaged_kit_restocks_nothing(world, engine):
    order = shipped_kit_split(world, engine)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("MUG-SET", 2)]))
    world.ok(ApproveReturn(rma["seq"]))
    world.ok(ReceiveReturn(rma["seq"], [("MUG-SET", 2, "DAMAGED")]))
    assert all(restocks(engine, s, l) == [] for s in ("MUG", "LID") for l in ("east", "west", "dock"))
    assert on_hand(world)[("MUG", "east")] == 3 and on_hand(world)[("LID", "west")] == 3


def test_named_restock_location_takes_every_component(world, engine):
    order = shipped_kit_split(world, engine)
    rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("MUG-SET", 2)], restock_location="dock"))
    world.ok(ApproveReturn(rma["seq"]))
    world.ok(ReceiveReturn(rma["seq"], [("MUG-SET", 2, "RESELLABLE")]))
    assert restocks(engine, "MUG", "dock") == [("RETURN_RESTOCK", 2)]
    assert restocks(engine, "LID", "dock") == [("RETURN_RESTOCK", 2)]
    assert restocks(engine, "MUG", "east") == [] and restocks(engine, "LID", "west") == []


def test_a_return_record_of_the_previous_release_keeps_its_one_restock_location(tmp_path):
    # given a return requested and approved by release 0.1.0: one restockLocation per line (no restockTo)
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        order = shipped_kit_split(world, engine)
        rma = world.ok(RequestReturn(order["seq"], [ReturnLineDraft("MUG-SET", 1)]))
        world.ok(ApproveReturn(rma["seq"]))
    store = Store(tmp_path)
    with store.env.begin(write=True) as txn:
        record = loads(txn.get(u64(rma["seq"]), db=store.db["returns"]))
        for line in record["lines"]:
            del line["restockTo"]
            line["restockLocation"] = "east"
        txn.put(u64(rma["seq"]), dumps(record), db=store.db["returns"])
    store.close()
    # when it is received resellable after the upgrade
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        world.ok(ReceiveReturn(rma["seq"], [("MUG-SET", 1, "RESELLABLE")]))
        # then both components go back to the one location it stored
        assert restocks(engine, "MUG", "east") == [("RETURN_RESTOCK", 1)]
        assert restocks(engine, "LID", "east") == [("RETURN_RESTOCK", 1)]
        assert restocks(engine, "LID", "west") == []
        assert audit(engine.store) == []


def test_split_counts_shipped_units_in_allocation_order_after_earlier_returns():
    part = {"sku": "A", "per": 2, "allocs": [
        {"loc": "east", "qty": 3, "shipped": 3}, {"loc": "west", "qty": 4, "shipped": 4},
        {"loc": "east", "qty": 2, "shipped": 1}, {"loc": "north", "qty": 1, "shipped": 0}]}
    assert restock_split(part, 0, 2) == [("east", 2)]
    assert restock_split(part, 2, 4) == [("east", 1), ("west", 3)]
    assert restock_split(part, 6, 2) == [("west", 1), ("east", 1)]
    assert restock_split(part, 0, 8) == [("east", 4), ("west", 4)]
