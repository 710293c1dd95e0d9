"""The quick-start flow over HTTP, as given / when / then: locations, products (one bundle),
channels and routing, stock, orders, backorders, ledger, order life cycle, queries."""
from __future__ import annotations

from decimal import Decimal

import pytest

from .helpers import (
    ORDER_BY_EXT, ORDER_BY_ID, ORDER_BY_NUMBER, ORDER_CANCEL, ORDER_HOLD, ORDER_RELEASE, ORDERS_PAGE, ORDERS_PLACE,
    add_channel, add_location, add_products, adjust_stock, assert_stock_invariants, error_set, ledger, line, ok,
    place, place_ok, set_stock, stock_level,
)

NYC = {"country": "US", "latitude": 40.71, "longitude": -74.01}
SF = {"country": "US", "latitude": 37.77, "longitude": -122.42}


@pytest.fixture
async def world(client):
    """Given two warehouses with coordinates, four products (KIT = 2 TEE + 1 MUG), a `web`
    channel routed by CEL rule then nearest, a `store` channel on the default policy, and stock."""
    await add_location(client, "EAST", lat=40.75, lon=-73.99, priority=0)
    await add_location(client, "WEST", lat=34.05, lon=-118.24, priority=1)
    await add_products(client, [
        {"sku": "TEE", "name": "T-shirt", "price": "20.00"},
        {"sku": "MUG", "name": "Mug", "price": "8.50"},
        {"sku": "CAP", "name": "Cap", "price": "12.00"},
        {"sku": "HAT", "name": "Hat", "price": "15.00"},
    ])
    kit = await add_products(client, [{"sku": "KIT", "name": "Starter kit", "price": "45.00",
                                       "components": [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]}])
    assert kit[0]["components"] == [{"sku": "TEE", "quantity": 2}, {"sku": "MUG", "quantity": 1}]
    await add_channel(client, "web", rules=[
        {"name": "vip-east", "condition": "'vip' in order.tags", "locations": ["EAST"], "sort": ["PRIORITY"]},
        {"name": "nearest", "sort": ["FEWEST_SHIPMENTS", "NEAREST"]},
    ])
    await add_channel(client, "store", "POS")
    levels = await set_stock(client, [
        {"sku": "TEE", "location": "EAST", "onHand": 10}, {"sku": "TEE", "location": "WEST", "onHand": 10},
        {"sku": "MUG", "location": "EAST", "onHand": 5}, {"sku": "CAP", "location": "WEST", "onHand": 4},
    ], reason="RECEIVED", ref="urn:oms:asn/1")
    assert [(lv["sku"], lv["location"], lv["onHand"], lv["committed"]) for lv in levels] == [
        ("TEE", "EAST", 10, 0), ("TEE", "WEST", 10, 0), ("MUG", "EAST", 5, 0), ("CAP", "WEST", 4, 0)]
    return client


async def test_catalog_is_readable(world):
    data = await world.data("""{ locations { code priority active address { latitude longitude } }
        channel(code: "web") { code kind routing { onShortage rules { name condition locations sort allowSplit } } }
        channels { code } products(first: 10) { totalCount edges { node { sku } } } }""")
    assert [(l["code"], l["priority"], l["address"]["latitude"]) for l in data["locations"]] == [
        ("EAST", 0, 40.75), ("WEST", 1, 34.05)]
    routing = data["channel"]["routing"]
    assert routing["onShortage"] == "BACKORDER"
    assert [r["name"] for r in routing["rules"]] == ["vip-east", "nearest"]
    assert routing["rules"][0]["locations"] == ["EAST"] and routing["rules"][1]["allowSplit"] is True
    assert {c["code"] for c in data["channels"]} == {"web", "store"}
    assert data["products"]["totalCount"] == 5
    store = await world.data('{ channel(code: "store") { routing { onShortage rules { name sort allowSplit locations } } } }')
    default = store["channel"]["routing"]
    assert default["onShortage"] == "BACKORDER"
    assert len(default["rules"]) == 1 and default["rules"][0]["sort"] == ["FEWEST_SHIPMENTS", "PRIORITY"]


async def test_order_is_routed_to_nearest_with_rule_and_reason(world):
    # when an order ships to San Francisco
    order = await place_ok(world, {"channel": "web", "externalId": "w-1", "shippingAddress": SF,
                                   "lines": [line("TEE", 2)]})
    # then it is allocated at WEST by the `nearest` rule, with a reason, in one PENDING shipment
    assert order["number"] == "SO-000001"
    assert order["status"] == "ALLOCATED"
    assert Decimal(order["subtotal"]) == Decimal("40.00") == Decimal(order["total"])
    assert order["currency"] == "USD"
    (only,) = order["lines"]
    assert (only["allocated"], only["backordered"], only["quantity"]) == (2, 0, 2)
    (alloc,) = only["allocations"]
    assert (alloc["sku"], alloc["location"], alloc["quantity"], alloc["rule"]) == ("TEE", "WEST", 2, "nearest")
    assert alloc["reason"] and "km" in alloc["reason"]
    assert [(s["location"], s["status"], s["lines"]) for s in order["shipments"]] == [
        ("WEST", "PENDING", [{"sku": "TEE", "quantity": 2, "picked": 0}])]
    assert (await stock_level(world, "TEE", "WEST"))["committed"] == 2
    assert (await stock_level(world, "TEE", "EAST"))["committed"] == 0


async def test_cel_rule_routes_vip_orders(world):
    order = await place_ok(world, {"channel": "web", "shippingAddress": SF, "tags": ["vip"], "lines": [line("TEE", 1)]})
    (alloc,) = order["lines"][0]["allocations"]
    assert (alloc["location"], alloc["rule"]) == ("EAST", "vip-east")
    assert alloc["reason"]


async def test_split_order_gets_one_pending_shipment_per_location(world):
    # MUG is only at EAST and CAP only at WEST
    order = await place_ok(world, {"channel": "web", "shippingAddress": NYC, "lines": [line("MUG", 1), line("CAP", 2)]})
    assert order["status"] == "ALLOCATED"
    by_sku = {l["sku"]: l["allocations"] for l in order["lines"]}
    assert [(a["location"], a["quantity"]) for a in by_sku["MUG"]] == [("EAST", 1)]
    assert [(a["location"], a["quantity"]) for a in by_sku["CAP"]] == [("WEST", 2)]
    assert all(a["rule"] and a["reason"] for allocs in by_sku.values() for a in allocs)
    shipments = sorted((s["location"], s["status"], [(l["sku"], l["quantity"]) for l in s["lines"]]) for s in order["shipments"])
    assert shipments == [("EAST", "PENDING", [("MUG", 1)]), ("WEST", "PENDING", [("CAP", 2)])]


async def test_bundle_is_allocated_as_components_and_available_counts_kits(world):
    # given 20 TEE and 5 MUG: min(20 // 2, 5 // 1) = 5 kits
    before = await world.data('{ kit: product(sku: "KIT") { available } tee: product(sku: "TEE") { available } }')
    assert before == {"kit": {"available": 5}, "tee": {"available": 20}}
    # when two kits are ordered
    order = await place_ok(world, {"channel": "web", "shippingAddress": NYC, "lines": [line("KIT", 2)]})
    # then the line is allocated as its components, named by their skus
    (kit_line,) = order["lines"]
    assert (kit_line["sku"], kit_line["allocated"], kit_line["backordered"]) == ("KIT", 2, 0)
    assert Decimal(order["subtotal"]) == Decimal("90.00")
    assert sorted((a["sku"], a["location"], a["quantity"]) for a in kit_line["allocations"]) == [
        ("MUG", "EAST", 2), ("TEE", "EAST", 4)]
    assert [s["location"] for s in order["shipments"]] == ["EAST"]
    assert sorted((l["sku"], l["quantity"]) for l in order["shipments"][0]["lines"]) == [("MUG", 2), ("TEE", 4)]
    after = await world.data('{ kit: product(sku: "KIT") { available stockLevels { sku } } tee: product(sku: "TEE") { available } }')
    assert after["kit"]["available"] == 3 and after["tee"]["available"] == 16
    assert after["kit"]["stockLevels"] == []  # a bundle holds no stock of its own
    assert (await stock_level(world, "MUG", "EAST"))["committed"] == 2


async def test_available_with_channel_counts_only_its_locations(world):
    await add_channel(world, "east-only", rules=[{"name": "east", "locations": ["EAST"]}])
    data = await world.data('{ product(sku: "TEE") { all: available east: available(channel: "east-only") web: available(channel: "web") } }')
    assert data["product"] == {"all": 20, "east": 10, "web": 20}
    await set_stock(world, [{"sku": "TEE", "location": "EAST", "onHand": 10, "safetyStock": 3}])
    data = await world.data('{ product(sku: "TEE") { east: available(channel: "east-only") } }')
    assert data["product"]["east"] == 7


async def test_stock_levels_page_by_one(world):
    everything = (await world.data("{ stockLevels(first: 250) { edges { node { sku location onHand } } } }"))["stockLevels"]["edges"]
    assert len(everything) >= 4
    paged, after = [], None
    for _ in range(len(everything) + 1):
        page = (await world.data("""query($a: String) { stockLevels(first: 1, after: $a) {
            edges { node { sku location onHand } } pageInfo { hasNextPage endCursor } } }""", {"a": after}))["stockLevels"]
        paged += page["edges"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == everything
    east = (await world.data('{ location(code: "EAST") { stockLevels(first: 250) { edges { node { sku location } } } } }'))
    assert {e["node"]["location"] for e in east["location"]["stockLevels"]["edges"]} == {"EAST"}


async def test_order_numbers_increase_from_so_000001(world):
    numbers = [(await place_ok(world, {"channel": "store", "lines": [line("TEE")]}))["number"] for _ in range(3)]
    batch = (await world.data(ORDERS_PLACE, {"input": [{"channel": "web", "lines": [line("MUG")]} for _ in range(2)]}))["ordersPlace"]
    ok(batch)
    numbers += [o["number"] for o in batch["orders"]]
    assert numbers == [f"SO-{i:06d}" for i in range(1, 6)]
    found = (await world.data(ORDER_BY_NUMBER, {"n": "SO-000004"}))["order"]
    assert found["number"] == "SO-000004" and found["channel"] == "web"
    assert (await world.data(ORDER_BY_NUMBER, {"n": "SO-999999"}))["order"] is None


async def test_order_by_number_matches_the_number_exactly(world):
    await place_ok(world, {"channel": "store", "lines": [line("TEE")]})
    assert (await world.data(ORDER_BY_NUMBER, {"n": "SO-000001"}))["order"]["number"] == "SO-000001"
    for other in ("SO-1", "SO-0000001", "SO-00001"):
        assert (await world.data(ORDER_BY_NUMBER, {"n": other}))["order"] is None, other


async def test_retry_on_channel_and_external_id_returns_same_order_and_reserves_nothing_more(world):
    order = {"channel": "web", "externalId": "shop-1001", "shippingAddress": SF, "lines": [line("TEE", 3)]}
    first = await place_ok(world, order)
    committed = (await stock_level(world, "TEE", "WEST"))["committed"]
    assert committed == 3
    # when the channel sends it again, alone and twice inside a batch
    again = await place_ok(world, order)
    batch = ok((await world.data(ORDERS_PLACE, {"input": [order, order]}))["ordersPlace"])
    # then every answer is the first order, unchanged, and nothing more is reserved
    assert again["id"] == first["id"] and again["number"] == first["number"] == "SO-000001"
    assert again["lines"] == first["lines"]
    assert [o["id"] for o in batch["orders"]] == [first["id"], first["id"]]
    assert (await stock_level(world, "TEE", "WEST"))["committed"] == committed
    by_ext = (await world.data(ORDER_BY_EXT, {"c": "web", "e": "shop-1001"}))["order"]
    assert by_ext["id"] == first["id"]
    # a new externalId inside one batch, repeated: one order
    fresh = {**order, "externalId": "shop-1002", "lines": [line("TEE", 1)]}
    batch = ok((await world.data(ORDERS_PLACE, {"input": [fresh, fresh]}))["ordersPlace"])
    assert batch["orders"][0]["id"] == batch["orders"][1]["id"]
    assert batch["orders"][0]["number"] == "SO-000002"
    # the same externalId on another channel is another order
    other = await place_ok(world, {**order, "channel": "store"})
    assert other["id"] != first["id"] and other["number"] == "SO-000003"
    total = (await world.data(ORDERS_PAGE, {"first": 10}))["orders"]["totalCount"]
    assert total == 3
    assert (await stock_level(world, "TEE", "WEST"))["committed"] + (await stock_level(world, "TEE", "EAST"))["committed"] == 3 + 1 + 3


async def test_reject_policy_stores_nothing_and_uses_no_order_number(world):
    await add_channel(world, "b2b", "B2B", reject=True)
    first = await place_ok(world, {"channel": "b2b", "lines": [line("CAP", 1)]})
    assert first["number"] == "SO-000001"
    before = [await stock_level(world, s, l) for s, l in (("CAP", "WEST"), ("TEE", "EAST"), ("TEE", "WEST"))]
    # when an order asks for more CAP than exists (3 left), with a TEE line that could be filled
    refused = await place(world, {"channel": "b2b", "externalId": "po-9", "lines": [line("TEE", 1), line("CAP", 4)]})
    # then it is refused as a whole, and nothing is stored or reserved
    assert refused["order"] is None
    assert {e["code"] for e in refused["userErrors"]} == {"INSUFFICIENT_STOCK"}
    after = [await stock_level(world, s, l) for s, l in (("CAP", "WEST"), ("TEE", "EAST"), ("TEE", "WEST"))]
    assert after == before
    assert (await world.data(ORDER_BY_EXT, {"c": "b2b", "e": "po-9"}))["order"] is None
    assert (await world.data(ORDERS_PAGE, {"first": 10}))["orders"]["totalCount"] == 1
    # and in a batch the refused one is null while the others are stored
    batch = (await world.data(ORDERS_PLACE, {"input": [
        {"channel": "b2b", "lines": [line("CAP", 9)]}, {"channel": "b2b", "lines": [line("CAP", 3)]}]}))["ordersPlace"]
    assert batch["orders"][0] is None and batch["orders"][1]["number"] == "SO-000002"
    assert error_set(batch)  and {e["code"] for e in batch["userErrors"]} == {"INSUFFICIENT_STOCK"}
    assert all(e["field"][:2] == ["input", "0"] for e in batch["userErrors"])
    # the next accepted order takes the next number: refusals used none
    nxt = await place_ok(world, {"channel": "web", "lines": [line("TEE", 1)]})
    assert nxt["number"] == "SO-000003"


async def test_backorders_are_filled_first_come_first_served(world):
    # given 5 MUG at EAST: A takes 4, B gets 1 of 3, C waits for 2
    a = await place_ok(world, {"channel": "store", "externalId": "A", "lines": [line("MUG", 4)]})
    b = await place_ok(world, {"channel": "store", "externalId": "B", "lines": [line("MUG", 3)]})
    c = await place_ok(world, {"channel": "store", "externalId": "C", "lines": [line("MUG", 2)]})
    assert [o["status"] for o in (a, b, c)] == ["ALLOCATED", "PARTIALLY_ALLOCATED", "BACKORDERED"]
    assert [(o["lines"][0]["allocated"], o["lines"][0]["backordered"]) for o in (a, b, c)] == [(4, 0), (1, 2), (0, 2)]
    assert c["shipments"] == []
    # when 3 units arrive: B (older) is completed before C gets anything
    await adjust_stock(world, [{"sku": "MUG", "location": "EAST", "delta": 3}], "RECEIVED", "urn:oms:po/7")
    b2, c2 = [(await world.data(ORDER_BY_ID, {"id": o["id"]}))["order"] for o in (b, c)]
    assert (b2["status"], b2["lines"][0]["allocated"], b2["lines"][0]["backordered"]) == ("ALLOCATED", 3, 0)
    assert (c2["status"], c2["lines"][0]["allocated"], c2["lines"][0]["backordered"]) == ("PARTIALLY_ALLOCATED", 1, 1)
    assert [(s["location"], s["status"]) for s in c2["shipments"]] == [("EAST", "PENDING")]
    level = await stock_level(world, "MUG", "EAST")
    assert (level["onHand"], level["committed"], level["available"]) == (8, 8, 0)
    # when A is cancelled, its 4 units go to C first (1 needed), 3 stay free
    cancelled = ok((await world.data(ORDER_CANCEL, {"id": a["id"], "reason": "customer asked"}))["orderCancel"])["order"]
    assert cancelled["status"] == "CANCELLED"
    c3 = (await world.data(ORDER_BY_ID, {"id": c["id"]}))["order"]
    assert (c3["status"], c3["lines"][0]["allocated"]) == ("ALLOCATED", 2)
    level = await stock_level(world, "MUG", "EAST")
    assert (level["onHand"], level["committed"], level["available"]) == (8, 5, 3)
    changes = await ledger(world, "MUG", "EAST")
    assert [(ch["delta"], ch["onHandAfter"], ch["reason"], ch["referenceDocumentUri"]) for ch in changes] == [
        (5, 5, "RECEIVED", "urn:oms:asn/1"), (3, 8, "RECEIVED", "urn:oms:po/7")]
    page = (await world.data("""{ inventoryChanges(sku: "MUG", first: 1) { edges { cursor node { delta } }
                                  pageInfo { hasNextPage endCursor } } }"""))["inventoryChanges"]
    assert [e["node"]["delta"] for e in page["edges"]] == [5] and page["pageInfo"]["hasNextPage"] is True
    page = (await world.data("""query($a: String) { inventoryChanges(sku: "MUG", first: 1, after: $a) {
        edges { node { delta } } pageInfo { hasNextPage } } }""", {"a": page["pageInfo"]["endCursor"]}))["inventoryChanges"]
    assert [e["node"]["delta"] for e in page["edges"]] == [3] and page["pageInfo"]["hasNextPage"] is False
    await assert_stock_invariants(world)


async def test_inventory_set_below_committed_releases_the_newest_allocation(world):
    # given two store orders at EAST (priority 0): 4 then 3 TEE
    first = await place_ok(world, {"channel": "store", "lines": [line("TEE", 4)]})
    second = await place_ok(world, {"channel": "store", "lines": [line("TEE", 3)]})
    assert [a["location"] for a in first["lines"][0]["allocations"] + second["lines"][0]["allocations"]] == ["EAST", "EAST"]
    assert (await stock_level(world, "TEE", "EAST"))["committed"] == 7
    # when a count finds only 5 at EAST
    await set_stock(world, [{"sku": "TEE", "location": "EAST", "onHand": 5}], reason="DAMAGED", ref="urn:oms:count/42")
    # then the newest allocation gives back 2 units, which are routed again (to WEST)
    one, two = [(await world.data(ORDER_BY_ID, {"id": o["id"]}))["order"] for o in (first, second)]
    assert [(a["location"], a["quantity"]) for a in one["lines"][0]["allocations"]] == [("EAST", 4)]
    assert sorted((a["location"], a["quantity"]) for a in two["lines"][0]["allocations"]) == [("EAST", 1), ("WEST", 2)]
    assert two["status"] == "ALLOCATED" and two["lines"][0]["allocated"] == 3
    live = sorted((s["location"], [(l["sku"], l["quantity"]) for l in s["lines"]]) for s in two["shipments"] if s["status"] == "PENDING")
    assert live == [("EAST", [("TEE", 1)]), ("WEST", [("TEE", 2)])]
    east, west = await stock_level(world, "TEE", "EAST"), await stock_level(world, "TEE", "WEST")
    assert (east["onHand"], east["committed"], east["available"]) == (5, 5, 0)
    assert (west["onHand"], west["committed"]) == (10, 2)
    # and the ledger records the change with its reason and reference document
    last = (await ledger(world, "TEE", "EAST"))[-1]
    assert (last["delta"], last["onHandAfter"], last["reason"], last["referenceDocumentUri"]) == (-5, 5, "DAMAGED", "urn:oms:count/42")
    assert last["sku"] == "TEE" and last["location"] == "EAST" and last["at"]
    # when no other location has stock, the released units wait as a backorder
    c1 = await place_ok(world, {"channel": "store", "lines": [line("CAP", 2)]})
    c2 = await place_ok(world, {"channel": "store", "lines": [line("CAP", 2)]})
    await set_stock(world, [{"sku": "CAP", "location": "WEST", "onHand": 3}], reason="SHRINKAGE")
    c1, c2 = [(await world.data(ORDER_BY_ID, {"id": o["id"]}))["order"] for o in (c1, c2)]
    assert (c1["status"], c1["lines"][0]["allocated"]) == ("ALLOCATED", 2)
    assert (c2["status"], c2["lines"][0]["allocated"], c2["lines"][0]["backordered"]) == ("PARTIALLY_ALLOCATED", 1, 1)
    assert (await ledger(world, "CAP", "WEST"))[-1]["reason"] == "SHRINKAGE"
    await assert_stock_invariants(world)


async def test_hold_release_cancel_state_rules(world):
    # an order that is not on hold cannot be released (holding a fresh one: test_hold_flow.py)
    allocated = await place_ok(world, {"channel": "store", "lines": [line("TEE", 1)]})
    refused = (await world.data(ORDER_RELEASE, {"id": allocated["id"]}))["orderRelease"]
    assert error_set(refused) == {(("id",), "INVALID_STATE")}

    # a backordered order can be held; stock then reserves units but creates no shipment
    waiting = await place_ok(world, {"channel": "store", "lines": [line("HAT", 2)]})
    assert waiting["status"] == "BACKORDERED" and waiting["shipments"] == []
    held = ok((await world.data(ORDER_HOLD, {"id": waiting["id"], "reason": "fraud check"}))["orderHold"])["order"]
    assert (held["status"], held["holdReason"]) == ("ON_HOLD", "fraud check")
    again = (await world.data(ORDER_HOLD, {"id": waiting["id"], "reason": "twice"}))["orderHold"]
    assert error_set(again) == {(("id",), "INVALID_STATE")}
    await adjust_stock(world, [{"sku": "HAT", "location": "WEST", "delta": 2}])
    still = (await world.data(ORDER_BY_ID, {"id": waiting["id"]}))["order"]
    assert still["status"] == "ON_HOLD" and still["lines"][0]["allocated"] == 2 and still["shipments"] == []
    assert (await stock_level(world, "HAT", "WEST"))["committed"] == 2

    # release creates its shipments
    released = ok((await world.data(ORDER_RELEASE, {"id": waiting["id"]}))["orderRelease"])["order"]
    assert released["status"] == "ALLOCATED" and released["holdReason"] is None
    assert [(s["location"], s["status"]) for s in released["shipments"]] == [("WEST", "PENDING")]
    again = (await world.data(ORDER_RELEASE, {"id": waiting["id"]}))["orderRelease"]
    assert error_set(again) == {(("id",), "INVALID_STATE")}
    # until picking starts it can be held again: its shipment is withdrawn, then created anew
    again = ok((await world.data(ORDER_HOLD, {"id": waiting["id"], "reason": "address check"}))["orderHold"])["order"]
    assert again["status"] == "ON_HOLD" and [s["status"] for s in again["shipments"]] == ["CANCELLED"]
    again = ok((await world.data(ORDER_RELEASE, {"id": waiting["id"]}))["orderRelease"])["order"]
    assert [s["status"] for s in again["shipments"]] == ["CANCELLED", "PENDING"]

    # cancel releases every unit and cancels the shipments; then nothing is left to cancel
    cancelled = ok((await world.data(ORDER_CANCEL, {"id": waiting["id"], "reason": "changed mind"}))["orderCancel"])["order"]
    assert cancelled["status"] == "CANCELLED"
    assert [(l["cancelled"], l["allocated"], l["backordered"]) for l in cancelled["lines"]] == [(2, 0, 0)]
    assert all(s["status"] == "CANCELLED" for s in cancelled["shipments"])
    assert (await stock_level(world, "HAT", "WEST"))["committed"] == 0
    for mutation, name, variables in ((ORDER_CANCEL, "orderCancel", {}), (ORDER_HOLD, "orderHold", {"reason": "x"}),
                                      (ORDER_RELEASE, "orderRelease", {})):
        payload = (await world.data(mutation, {"id": waiting["id"], **variables}))[name]
        assert payload["order"] is None and error_set(payload) == {(("id",), "INVALID_STATE")}, name

    # a held order can be cancelled
    await set_stock(world, [{"sku": "HAT", "location": "WEST", "onHand": 0}])
    other = await place_ok(world, {"channel": "store", "lines": [line("HAT", 5)]})
    ok((await world.data(ORDER_HOLD, {"id": other["id"], "reason": "check"}))["orderHold"])
    assert ok((await world.data(ORDER_CANCEL, {"id": other["id"]}))["orderCancel"])["order"]["status"] == "CANCELLED"

    # an id of the right form that names no order
    missing = (await world.data(ORDER_CANCEL, {"id": "T3JkZXI6OTk5OQ"}))["orderCancel"]  # Order:9999
    assert error_set(missing) == {(("id",), "NOT_FOUND")}
    await assert_stock_invariants(world)


async def test_orders_filter_and_pagination(world):
    placed = []
    for i, (channel, tags, email) in enumerate([
        ("web", ["vip"], "ada@example.com"), ("store", [], "bob@example.com"), ("web", ["gift"], "ada@example.com"),
        ("store", ["vip"], None), ("web", [], "bob@example.com"),
    ]):
        order = {"channel": channel, "tags": tags, "externalId": f"f-{i}",
                 "lines": [line("TEE" if i % 2 == 0 else "HAT", 1)], "placedAt": f"2026-01-0{i + 1}T12:00:00Z"}
        if email:
            order["customer"] = {"email": email, "name": email.split("@")[0].title()}
        placed.append(await place_ok(world, order))

    # pages of 2: 2, 2, 1, in placement order, cursors chaining
    seen, after, pages = [], None, []
    for _ in range(5):
        page = (await world.data(ORDERS_PAGE, {"first": 2, "after": after}))["orders"]
        pages.append(page)
        seen += [e["node"]["number"] for e in page["edges"]]
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert [len(p["edges"]) for p in pages] == [2, 2, 1]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False, True, True]
    assert seen == [o["number"] for o in placed] == [f"SO-{i:06d}" for i in range(1, 6)]

    async def numbers(filter: dict, first: int = 50) -> tuple[list[str], int]:
        page = (await world.data(ORDERS_PAGE, {"first": first, "filter": filter}))["orders"]
        return [e["node"]["number"] for e in page["edges"]], page["totalCount"]

    assert await numbers({"channel": "web"}) == (["SO-000001", "SO-000003", "SO-000005"], 3)
    assert await numbers({"channel": "store"}) == (["SO-000002", "SO-000004"], 2)
    assert await numbers({"customerEmail": "ada@example.com"}) == (["SO-000001", "SO-000003"], 2)
    assert await numbers({"tag": "vip"}) == (["SO-000001", "SO-000004"], 2)
    assert await numbers({"sku": "HAT"}) == (["SO-000002", "SO-000004"], 2)
    assert await numbers({"status": ["BACKORDERED"]}) == (["SO-000002", "SO-000004"], 2)
    assert await numbers({"status": ["ALLOCATED"], "channel": "web"}) == (["SO-000001", "SO-000003", "SO-000005"], 3)
    assert await numbers({"placedAfter": "2026-01-02T12:00:00Z", "placedBefore": "2026-01-05T00:00:00Z"}) == (
        ["SO-000003", "SO-000004"], 2)
    assert await numbers({"channel": "nope"}) == ([], 0)
    # a filtered page with more to come
    page = (await world.data(ORDERS_PAGE, {"first": 1, "filter": {"channel": "web"}}))["orders"]
    assert page["pageInfo"]["hasNextPage"] is True and page["totalCount"] == 3
    page2 = (await world.data(ORDERS_PAGE, {"first": 5, "after": page["pageInfo"]["endCursor"], "filter": {"channel": "web"}}))["orders"]
    assert [e["node"]["number"] for e in page2["edges"]] == ["SO-000003", "SO-000005"]
    assert page2["pageInfo"]["hasNextPage"] is False


async def test_customer_stats(world):
    ada = {"email": "ada@example.com", "name": "Ada"}
    await place_ok(world, {"channel": "web", "customer": ada, "placedAt": "2026-02-01T10:00:00Z",
                           "lines": [line("TEE", 2), line("MUG", 1, "10.00")]})            # 50.00, 3 units
    await place_ok(world, {"channel": "store", "customer": ada, "placedAt": "2026-03-01T10:00:00Z",
                           "lines": [line("CAP", 1)]})                                   # 12.00, 1 unit
    gone = await place_ok(world, {"channel": "web", "customer": ada, "placedAt": "2026-04-01T10:00:00Z",
                                  "lines": [line("TEE", 5)]})
    ok((await world.data(ORDER_CANCEL, {"id": gone["id"]}))["orderCancel"])
    await place_ok(world, {"channel": "web", "customer": {"email": "bob@example.com"}, "lines": [line("TEE", 1)]})
    data = await world.data("""{ customer(email: "ada@example.com") { id email name
        stats { orders units revenue averageOrderValue returnedUnits firstOrderAt lastOrderAt }
        orders(first: 10) { totalCount edges { node { number } } } }
        nobody: customer(email: "nobody@example.com") { email } }""")
    customer = data["customer"]
    assert (customer["email"], customer["name"]) == ("ada@example.com", "Ada")
    stats = customer["stats"]
    assert (stats["orders"], stats["units"], stats["returnedUnits"]) == (2, 4, 0)
    assert Decimal(stats["revenue"]) == Decimal("62.00")
    assert Decimal(stats["averageOrderValue"]) == Decimal("31.00")
    assert stats["firstOrderAt"].startswith("2026-02-01T10:00:00")
    assert stats["lastOrderAt"].startswith("2026-03-01T10:00:00")
    assert customer["orders"]["totalCount"] == 3
    assert [e["node"]["number"] for e in customer["orders"]["edges"]] == ["SO-000001", "SO-000002", "SO-000003"]
    assert data["nobody"] is None


async def test_node_round_trip(world):
    order = await place_ok(world, {"channel": "web", "customer": {"email": "ada@example.com"}, "lines": [line("TEE", 1)]})
    ids = await world.data("""{ location(code: "EAST") { id } product(sku: "KIT") { id } channel(code: "web") { id }
                               customer(email: "ada@example.com") { id } }""")
    pairs = [
        (ids["location"]["id"], "Location", "code", "EAST"), (ids["product"]["id"], "Product", "sku", "KIT"),
        (ids["channel"]["id"], "Channel", "code", "web"), (ids["customer"]["id"], "Customer", "email", "ada@example.com"),
        (order["id"], "Order", "number", order["number"]), (order["shipments"][0]["id"], "Shipment", "location", order["shipments"][0]["location"]),
    ]
    for node_id, typename, key, value in pairs:
        data = await world.data("""query($id: ID!) { node(id: $id) { id __typename
            ... on Location { code } ... on Product { sku } ... on Channel { code } ... on Customer { email }
            ... on Order { number } ... on Shipment { location order { id } } } }""", {"id": node_id})
        node = data["node"]
        assert node is not None, typename
        assert (node["id"], node["__typename"], node[key]) == (node_id, typename, value)
    for bad in ("", "garbage!", "T3JkZXI6OTk5OQ", "TG9jYXRpb246Tk9QRQ", "x" * 500):
        assert (await world.data("query($id: ID!) { node(id: $id) { id } }", {"id": bad}))["node"] is None, bad
