"""stockLevels lists the levels that exist: set, adjusted or received at the location, or with
committed or incoming units there; stockLevel of a known pair still answers zeros."""
from engine import Engine
from engine.storage.audit import audit
from engine.domain.commands import AdjustInventory, CancelPurchaseOrder, CreatePurchaseOrder, ReceivePurchaseOrder
from tests.integration.conftest import World

LOCATIONS = [f"loc{i}" for i in range(10)]


def given_ten_locations_mug_stocked_at_two(world):
    for code in LOCATIONS:
        world.location(code)
    world.products("MUG", "CUP")
    world.channel()
    world.stock(MUG__loc1=5, MUG__loc4=0, CUP__loc1=2)  # set to 0 is still set


def listed(engine, **filters):
    rows, more = engine.read.stock_levels(None, 100, **filters)
    assert not more
    return [(r["sku"], r["location"]) for r in rows]


def test_only_existing_levels_are_listed_and_counted(tmp_path):
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        given_ten_locations_mug_stocked_at_two(world)
        # then a sku stocked at 2 of 10 locations lists 2, for the sku, per location and in total
        assert listed(engine, sku="MUG") == [("MUG", "loc1"), ("MUG", "loc4")]
        assert [(r["sku"], r["location"]) for r in engine.read.stock_levels_of("MUG")] == [("MUG", "loc1"), ("MUG", "loc4")]
        assert listed(engine, location="loc1") == [("MUG", "loc1"), ("CUP", "loc1")]
        assert listed(engine, location="loc7") == []
        assert listed(engine) == [("MUG", "loc1"), ("MUG", "loc4"), ("CUP", "loc1")]
        # and pages count only existing levels
        page, more = engine.read.stock_levels(None, 2)
        assert [(r["sku"], r["location"]) for r in page] == [("MUG", "loc1"), ("MUG", "loc4")] and more
        rest, more = engine.read.stock_levels(page[-1]["cursor"], 2)
        assert [(r["sku"], r["location"]) for r in rest] == [("CUP", "loc1")] and not more
        # and a never-stocked pair still answers zeros
        level = engine.read.stock_level("MUG", "loc7")
        assert (level["onHand"], level["committed"], level["incoming"], level["safetyStock"]) == (0, 0, 0, 0)

        # when MUG is adjusted at a third location: 3
        world.ok(AdjustInventory([("MUG", "loc2", 3)], "RECEIVED"))
        assert listed(engine, sku="MUG") == [("MUG", "loc1"), ("MUG", "loc2"), ("MUG", "loc4")]
        assert audit(engine.store) == []
    # after a restart: the same answers
    with Engine.open(tmp_path) as engine:
        assert listed(engine, sku="MUG") == [("MUG", "loc1"), ("MUG", "loc2"), ("MUG", "loc4")]
        assert listed(engine, location="loc7") == []
        assert engine.read.stock_level("MUG", "loc7")["onHand"] == 0


def test_a_level_with_only_incoming_units_exists_while_they_are_due(tmp_path):
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        given_ten_locations_mug_stocked_at_two(world)
        # when a purchase order brings MUG to loc8 and loc9, where it never was
        due = world.ok(CreatePurchaseOrder("Acme", "loc8", [("MUG", 4)]))
        cancelled = world.ok(CreatePurchaseOrder("Acme", "loc9", [("MUG", 2)]))
        assert listed(engine, sku="MUG") == [("MUG", "loc1"), ("MUG", "loc4"), ("MUG", "loc8"), ("MUG", "loc9")]
        assert listed(engine, location="loc8") == [("MUG", "loc8")]
        assert engine.read.stock_level("MUG", "loc8")["incoming"] == 4
        # and one is cancelled: its level ends with it
        world.ok(CancelPurchaseOrder(cancelled["seq"]))
        assert listed(engine, sku="MUG") == [("MUG", "loc1"), ("MUG", "loc4"), ("MUG", "loc8")]
        # the other is received: its level was received, so stays
        world.ok(ReceivePurchaseOrder(due["seq"], [("MUG", 4)]))
        world.ok(AdjustInventory([("MUG", "loc8", -4)], "SHRINKAGE"))
        assert listed(engine, location="loc8") == [("MUG", "loc8")]
        assert listed(engine, location="loc9") == []
        assert audit(engine.store) == []
    with Engine.open(tmp_path) as engine:
        assert listed(engine, sku="MUG") == [("MUG", "loc1"), ("MUG", "loc4"), ("MUG", "loc8")]


def test_below_safety_stock_lists_existing_levels_only(tmp_path):
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        given_ten_locations_mug_stocked_at_two(world)
        from engine.domain.commands import SetInventory, StockSetItem
        world.ok(SetInventory([StockSetItem("MUG", "loc3", on_hand=1, safety_stock=2)]))
        assert listed(engine, below_safety=True) == [("MUG", "loc3")]
        assert listed(engine, sku="MUG", below_safety=False) == [("MUG", "loc1"), ("MUG", "loc3"), ("MUG", "loc4")]
