"""Routing through the engine: rules, conditions, filters, sorts, splits, shortages."""
from engine.domain.commands import LineDraft, OrderDraft, PlaceOrders


def test_default_policy_prefers_one_location_that_fills_the_whole_order(world):
    world.location("east", priority=0)
    world.location("west", priority=1)
    world.products("A", "B")
    world.channel()
    world.stock(A__east=5, A__west=5, B__west=5)
    order = world.order(("A", 2), ("B", 1))
    assert world.allocations(order) == [("A", "west", 2), ("B", "west", 1)]
    assert all("fills every remaining line" in a["reason"] for l in order["lines"] for p in l["parts"] for a in p["allocs"])


def test_priority_breaks_ties_and_reason_says_so(world):
    world.location("east", priority=5)
    world.location("west", priority=1)
    world.products("A")
    world.channel()
    world.stock(A__east=5, A__west=5)
    order = world.order(("A", 1))
    alloc = order["lines"][0]["parts"][0]["allocs"][0]
    assert (alloc["loc"], alloc["rule"]) == ("west", "default")
    assert "priority 1" in alloc["reason"]


def test_rules_fall_through_in_order_and_condition_selects_rules(world):
    world.location("store", kind="STORE")
    world.location("dc")
    world.products("A")
    world.channel(rules=[
        {"name": "vip-from-store", "condition": '"vip" in order.tags', "locationKinds": ["STORE"]},
        {"name": "warehouses", "locationKinds": ["WAREHOUSE"]},
    ])
    world.stock(A__store=1, A__dc=10)
    vip = world.order(("A", 3), tags=["vip"])
    plain = world.order(("A", 1))
    assert world.allocations(vip) == [("A", "dc", 2), ("A", "store", 1)]
    assert {a["rule"] for a in vip["lines"][0]["parts"][0]["allocs"]} == {"vip-from-store", "warehouses"}
    assert world.allocations(plain) == [("A", "dc", 1)]


def test_nearest_and_max_distance(world):
    world.location("nyc", lat=40.71, lon=-74.0)
    world.location("la", lat=34.05, lon=-118.24)
    world.location("nowhere")
    world.products("A")
    world.channel(rules=[{"name": "near", "sort": ["NEAREST"], "maxDistanceKm": 500.0}])
    world.stock(A__nyc=1, A__la=5, A__nowhere=5)
    boston = {"country": "US", "latitude": 42.36, "longitude": -71.06}
    first = world.order(("A", 1), shipping_address=boston)
    second = world.order(("A", 1), shipping_address=boston)
    assert world.allocations(first) == [("A", "nyc", 1)]
    assert "km away" in first["lines"][0]["parts"][0]["allocs"][0]["reason"]
    assert world.allocations(second) == []  # LA is too far, 'nowhere' has no known distance
    assert second["status"] == "BACKORDERED"


def test_no_split_rule_allocates_only_from_one_location(world):
    world.location("a")
    world.location("b")
    world.products("X")
    world.channel(rules=[{"name": "whole", "allowSplit": False}])
    world.stock(X__a=2, X__b=2)
    order = world.order(("X", 3))
    assert world.allocations(order) == []
    assert order["lines"][0]["quantity"] == 3 and order["status"] == "BACKORDERED"


def test_max_shipments_caps_locations(world):
    for code in "abc":
        world.location(code)
    world.products("X", "Y")
    world.channel(rules=[{"name": "one", "maxShipments": 1}])
    world.stock(X__a=1, X__b=1, Y__c=1)
    order = world.order(("X", 2), ("Y", 1))
    locations = {loc for _, loc, _ in world.allocations(order)}
    assert len(locations) == 1


def test_most_stock(world):
    world.location("small")
    world.location("big")
    world.products("A")
    world.channel(rules=[{"name": "deep", "sort": ["MOST_STOCK"]}])
    world.stock(A__small=3, A__big=9)
    assert world.allocations(world.order(("A", 1))) == [("A", "big", 1)]


def test_reject_stores_nothing_and_uses_no_number(world):
    world.location("east")
    world.products("A")
    world.channel(on_shortage="REJECT", rules=[{"name": "all"}])
    world.stock(A__east=2)
    refused = world.place(("A", 3))
    assert [e.code.value for e in refused.errors] == ["INSUFFICIENT_STOCK"]
    assert refused.errors[0].field == ("input", "lines")
    assert world.level("A", "east")["committed"] == 0
    assert world.order(("A", 2))["number"] == "SO-000001"


def test_inactive_locations_are_never_used(world):
    world.location("closed", active=False)
    world.location("open", priority=9)
    world.products("A")
    world.channel()
    world.stock(A__closed=5, A__open=1)
    assert world.allocations(world.order(("A", 2))) == [("A", "open", 1)]


def test_bundle_reserves_components_and_counts_complete_kits(world, engine):
    world.location("east")
    world.products("BASE", "LID")
    world.bundle("KIT", [("BASE", 2), ("LID", 1)])
    world.channel()
    world.stock(BASE__east=5, LID__east=10)
    assert engine.read.available("KIT") == 2
    order = world.order(("KIT", 2))
    assert world.allocations(order) == [("BASE", "east", 4), ("LID", "east", 2)]
    assert order["lines"][0]["sku"] == "KIT" and order["status"] == "ALLOCATED"
    assert engine.read.available("KIT") == 0 and engine.read.available("LID") == 8


def test_idempotent_on_channel_and_external_id_across_and_within_batches(world, engine):
    world.location("east")
    world.products("A")
    world.channel()
    world.stock(A__east=10)
    first = world.order(("A", 2), external_id="amz-1")
    again = world.order(("A", 2), external_id="amz-1")
    assert again["seq"] == first["seq"] and world.level("A", "east")["committed"] == 2
    other = world.place(("A", 5), external_id="amz-1")  # another order behind the same key: refused
    assert other.value is None and [e.code.value for e in other.errors] == ["CONFLICT"]
    assert world.level("A", "east")["committed"] == 2
    drafts = [OrderDraft("web", [LineDraft("A", 1)], external_id="amz-2") for _ in range(3)]
    batch = engine.execute(PlaceOrders(drafts)).value
    assert len({o["seq"] for o in batch}) == 1
    assert world.level("A", "east")["committed"] == 3


def test_channel_availability_counts_only_its_locations(world, engine):
    world.location("east")
    world.location("west")
    world.products("A")
    world.channel("web", rules=[{"name": "east-only", "locations": ["east"]}])
    world.stock(A__east=3, A__west=4)
    assert engine.read.available("A") == 7
    assert engine.read.available("A", "web") == 3
