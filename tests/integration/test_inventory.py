"""Stock changes: the ledger, releasing the newest allocations, filling backorders."""
from engine.domain.commands import AdjustInventory, SetInventory, StockSetItem


def test_every_change_is_in_the_ledger_with_reason_and_reference(world, engine):
    world.location("east")
    world.products("A")
    world.stock(A__east=10)
    world.ok(AdjustInventory([("A", "east", -3)], "DAMAGED", "rma://77"))
    changes, more = engine.read.inventory_changes("A", None, None, 10)
    assert [(c["delta"], c["onHandAfter"], c["reason"], c["ref"]) for c in changes] == [
        (10, 10, "CYCLE_COUNT", None), (-3, 7, "DAMAGED", "rma://77")]
    assert not more


def test_backorders_fill_first_come_first_served_when_stock_arrives(world):
    world.location("east")
    world.products("A")
    world.channel()
    first, second, third = (world.order(("A", 2)) for _ in range(3))
    assert {o["status"] for o in (first, second, third)} == {"BACKORDERED"}
    world.ok(AdjustInventory([("A", "east", 3)], "RECEIVED"))
    assert world.allocations(first) == [("A", "east", 2)]
    assert world.allocations(second) == [("A", "east", 1)]
    assert world.allocations(third) == []
    assert world.engine.read.order(second["seq"])["status"] == "PARTIALLY_ALLOCATED"


def test_backorders_wait_for_a_location_their_channel_may_use(world):
    world.location("east")
    world.location("west")
    world.products("A")
    world.channel("web", rules=[{"name": "east-only", "locations": ["east"]}])
    waiting = world.order(("A", 1))
    world.stock(A__west=5)
    assert world.allocations(waiting) == []
    world.stock(A__east=1)
    assert world.allocations(waiting) == [("A", "east", 1)]


def test_set_below_committed_releases_the_newest_and_routes_it_again(world):
    world.location("east")
    world.location("west", priority=5)
    world.products("A")
    world.channel()
    world.stock(A__east=3, A__west=1)
    older = world.order(("A", 2))
    newer = world.order(("A", 1))
    world.ok(SetInventory([StockSetItem("A", "east", 2)], "CYCLE_COUNT"))
    assert world.allocations(older) == [("A", "east", 2)]
    assert world.allocations(newer) == [("A", "west", 1)]
    assert world.level("A", "east")["committed"] == 2


def test_compare_and_set_conflict_changes_nothing(world, engine):
    world.location("east")
    world.products("A")
    world.stock(A__east=4)
    result = engine.execute(SetInventory([StockSetItem("A", "east", 9, compare_on_hand=3)]))
    assert [(e.code.value, e.field) for e in result.errors] == [("CONFLICT", ("input", "0", "compareOnHand"))]
    assert world.level("A", "east")["onHand"] == 4


def test_a_bad_item_refuses_the_whole_request(world, engine):
    world.location("east")
    world.products("A", "B")
    world.stock(A__east=1)
    result = engine.execute(AdjustInventory([("B", "east", 5), ("A", "east", -2)], "CORRECTION"))
    assert [(e.code.value, e.field) for e in result.errors] == [("INVALID", ("input", "1", "delta"))]
    assert world.level("B", "east")["onHand"] == 0


def test_shipped_is_never_written_by_hand(world, engine):
    world.location("east")
    world.products("A")
    result = engine.execute(AdjustInventory([("A", "east", 1)], "SHIPPED"))
    assert result.errors[0].field == ("reason",)


def test_safety_stock_is_never_promised(world):
    world.location("east")
    world.products("A")
    world.channel()
    world.ok(SetInventory([StockSetItem("A", "east", 5, safety_stock=4)]))
    order = world.order(("A", 3))
    assert world.allocations(order) == [("A", "east", 1)]
    assert world.level("A", "east")["available"] == 0


def test_stock_level_pages_name_products_added_after_an_earlier_page(world, engine):
    """given a page of levels already read (the reader caches sku names), when a product is
    added and stocked, then the next page names it."""
    world.location("east")
    world.products("A")
    world.channel("web")
    world.stock(A__east=1)
    assert [l["sku"] for l in engine.read.stock_levels(None, 50)[0]] == ["A"]
    world.products("B")
    world.stock(B__east=2)
    assert [(l["sku"], l["onHand"]) for l in engine.read.stock_levels(None, 50)[0]] == [("A", 1), ("B", 2)]
