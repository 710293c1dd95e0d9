"""The event log over HTTP, against a real server: every state change appends events in the
commit of the change, with the sku, location and order they concern; STOCK_CHANGED on every
change of a stock level, STOCK_LOW when available at a location drops to 0; the `events`
query (types, orderId, first/after) and Order.events."""
from __future__ import annotations

import base64

import pytest

from .helpers import (
    ORDER_CANCEL, ORDER_RELEASE, add_channel, add_location, add_products, adjust_stock, line, ok, place_ok,
    set_stock,
)
from .live_helpers import EVENTS, ORDER_EVENTS, cursors, events, last_cursor, save_rule_ok, ship_out, unique

NODE_EVENT = "query($id: ID!) { node(id: $id) { id ... on Event { cursor type orderId } } }"


async def world(c):
    p = unique("EV")
    L1, L2, A, B, ch = f"{p}-L1", f"{p}-L2", f"{p}-A", f"{p}-B", f"{p}-web"
    await add_location(c, L1, priority=0)
    await add_location(c, L2, priority=1)
    await add_products(c, [{"sku": A, "name": "A", "price": "10.00"}, {"sku": B, "name": "B", "price": "2.50"}])
    await add_channel(c, ch)
    return L1, L2, A, B, ch


def types_of(rows: list[dict]) -> list[str]:
    return [r["type"] for r in rows]


def stock_events(rows: list[dict], kind: str = "STOCK_CHANGED") -> dict[tuple[str, str], list[dict]]:
    found: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if r["type"] == kind:
            found.setdefault((r["sku"], r["location"]), []).append(r["data"])
    return found


async def test_placing_an_order_appends_its_events_in_the_commit_of_the_placement(shared_client):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 5}, {"sku": B, "location": L2, "onHand": 1}])
    start = await last_cursor(c)

    # when an order for 2 A (at L1) and 1 B (at L2) is placed
    order = await place_ok(c, {"channel": ch, "customer": {"email": "ev@example.com"}, "lines": [line(A, 2), line(B, 1)]})

    # then the log (read right after the answer: nothing acknowledged is missing) holds its events
    rows = await events(c, after=start)
    assert cursors(rows) == sorted(set(cursors(rows))) and int(rows[0]["cursor"]) > int(start)
    assert len({r["id"] for r in rows}) == len(rows)
    ordered = [r for r in rows if r["orderId"] == order["id"]]
    assert types_of(ordered) == ["ORDER_PLACED", "ORDER_ALLOCATED", "SHIPMENT_CREATED", "SHIPMENT_CREATED"]
    assert sorted(r["location"] for r in ordered if r["type"] == "SHIPMENT_CREATED") == [L1, L2]
    placed = next(r for r in ordered if r["type"] == "ORDER_PLACED")
    assert placed["data"]["number"] == order["number"] and placed["data"]["channel"] == ch
    assert placed["data"]["status"] == "ALLOCATED"
    assert placed["sku"] is None
    # and each changed level has its STOCK_CHANGED with the level as it is now
    changed = stock_events(rows)
    assert changed[(A, L1)][-1].items() >= {"onHand": 5, "committed": 2, "available": 3}.items()
    assert changed[(B, L2)][-1].items() >= {"onHand": 1, "committed": 1, "available": 0}.items()
    # and B's only unit at L2 is gone: STOCK_LOW there, not for A
    low = stock_events(rows, "STOCK_LOW")
    assert set(low) == {(B, L2)}
    assert low[(B, L2)][0]["available"] == 0
    # and everything happened in one commit: one timestamp, nothing between the events of others
    assert len({r["occurredAt"] for r in rows}) == 1
    assert set(types_of(rows)) == {"ORDER_PLACED", "ORDER_ALLOCATED", "SHIPMENT_CREATED", "STOCK_CHANGED", "STOCK_LOW"}

    # and an event is a Node
    node = (await c.data(NODE_EVENT, {"id": placed["id"]}))["node"]
    assert node == {"id": placed["id"], "cursor": placed["cursor"], "type": "ORDER_PLACED", "orderId": order["id"]}


async def test_every_stock_change_is_a_stock_changed_event_and_stock_low_fires_when_available_reaches_zero(shared_client):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    start = await last_cursor(c)

    # given 3 units of A at L1
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 3}])
    # when 3 are ordered: available 0 at L1
    o1 = await place_ok(c, {"channel": ch, "lines": [line(A, 3)]})
    # when 2 more are ordered: backordered, no stock level changes
    o2 = await place_ok(c, {"channel": ch, "lines": [line(A, 2)]})
    assert o2["status"] == "BACKORDERED"
    # when 1 unit arrives it is taken by the backorder at once: available stays 0
    await adjust_stock(c, [{"sku": A, "location": L1, "delta": 1}], "RECEIVED")
    # when the first order is cancelled: its 3 units go to the backorder (2 of the 3... 1 left), 2 available
    ok((await c.data(ORDER_CANCEL, {"id": o1["id"], "reason": "changed mind"}))["orderCancel"])
    # when a safety stock covering what is left is set: available drops to 0 again
    lv = await set_stock(c, [{"sku": A, "location": L1, "onHand": 4, "safetyStock": 2}])
    assert lv[0]["available"] == 0
    # when B is counted at L2 then counted down to 0
    await set_stock(c, [{"sku": B, "location": L2, "onHand": 4}])
    await set_stock(c, [{"sku": B, "location": L2, "onHand": 0}])

    rows = await events(c, after=start)
    changed = [(r["sku"], r["location"], r["data"]["onHand"], r["data"]["committed"], r["data"]["available"])
               for r in rows if r["type"] == "STOCK_CHANGED"]
    assert changed == [
        (A, L1, 3, 0, 3),   # counted
        (A, L1, 3, 3, 0),   # o1 allocated
        (A, L1, 4, 4, 0),   # received, taken by o2
        (A, L1, 4, 2, 2),   # o1 cancelled: 3 released, 1 more to o2
        (A, L1, 4, 2, 0),   # safety stock 2
        (B, L2, 4, 0, 4),
        (B, L2, 0, 0, 0),
    ]
    low = [(r["sku"], r["location"]) for r in rows if r["type"] == "STOCK_LOW"]
    assert low == [(A, L1), (A, L1), (B, L2)]
    # each STOCK_LOW follows the STOCK_CHANGED of the same change, in the same commit
    for i, r in enumerate(rows):
        if r["type"] == "STOCK_LOW":
            before = [x for x in rows[:i] if x["type"] == "STOCK_CHANGED" and (x["sku"], x["location"]) == (r["sku"], r["location"])][-1]
            assert before["occurredAt"] == r["occurredAt"] and before["data"] == r["data"]


async def held_channel(c, ch: str) -> str:
    """A channel whose orders an automation rule holds at placement (reason "fraud check")."""
    held_ch = f"{ch}-held"
    await add_channel(c, held_ch)
    await save_rule_ok(c, {"name": f"hold {held_ch}", "event": "ORDER_PLACED", "condition": f'order.channel == "{held_ch}"',
                           "actions": [{"type": "HOLD", "params": {"reason": "fraud check"}}]})
    return held_ch


async def test_order_lifecycle_events_carry_order_location_and_data(shared_client):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    held_ch = await held_channel(c, ch)
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 10}])
    order = await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})
    held = await place_ok(c, {"channel": held_ch, "lines": [line(A, 2)]})
    assert held["status"] == "ON_HOLD" and held["shipments"] == []
    # the first ships; the second is released, then cancelled
    shipped = await ship_out(c, order["shipments"][0], "DHL", "JD0001")
    assert shipped["status"] == "SHIPPED"
    ok((await c.data(ORDER_RELEASE, {"id": held["id"]}))["orderRelease"])
    ok((await c.data(ORDER_CANCEL, {"id": held["id"], "reason": "customer"}))["orderCancel"])

    first = await events(c, order_id=order["id"])
    assert types_of(first) == ["ORDER_PLACED", "ORDER_ALLOCATED", "SHIPMENT_CREATED", "SHIPMENT_PACKED", "SHIPMENT_SHIPPED"]
    shipped_event = first[-1]
    assert shipped_event["location"] == L1 and shipped_event["orderId"] == order["id"]
    assert shipped_event["data"]["carrier"] == "DHL" and shipped_event["data"]["trackingNumber"] == "JD0001"
    assert shipped_event["data"]["shipmentId"] == order["shipments"][0]["id"]

    second = await events(c, order_id=held["id"])
    assert types_of(second)[0] == "ORDER_PLACED"
    assert sorted(types_of(second)[1:3]) == ["ORDER_ALLOCATED", "ORDER_HELD"]
    assert types_of(second)[3:] == ["ORDER_RELEASED", "SHIPMENT_CREATED", "ORDER_CANCELLED"]
    assert next(e for e in second if e["type"] == "ORDER_HELD")["data"]["reason"] == "fraud check"
    assert second[-1]["data"]["reason"] == "customer" and second[-1]["data"]["status"] == "CANCELLED"
    # and the stock level followed: shipping took 1 off onHand, cancelling released 2
    levels = [r["data"] for r in await events(c, types=["STOCK_CHANGED"]) if (r["sku"], r["location"]) == (A, L1)]
    assert [(d["onHand"], d["committed"]) for d in levels] == [(10, 0), (10, 1), (10, 3), (9, 2), (9, 0)]


async def test_events_query_filters_and_pages_and_order_events_match(shared_client):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    start = await last_cursor(c)
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 100}])
    orders = [await place_ok(c, {"channel": ch, "lines": [line(A, 1)]}) for _ in range(4)]
    everything = await events(c, after=start)
    assert len(everything) == 1 + 4 * 4  # one count, then per order PLACED, ALLOCATED, SHIPMENT_CREATED, STOCK_CHANGED

    # pages of 3 walk the same log, in order, none twice
    walked, after, pages = [], start, 0
    while True:
        page = (await c.data(EVENTS, {"first": 3, "after": after}))["events"]
        pages += 1
        walked += [e["node"] for e in page["edges"]]
        assert [e["cursor"] for e in page["edges"]] == [e["node"]["cursor"] for e in page["edges"]]
        if page["edges"]:
            assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == everything and pages == 6

    # types filter, alone and with paging
    placed = await events(c, after=start, types=["ORDER_PLACED", "SHIPMENT_CREATED"])
    assert placed == [e for e in everything if e["type"] in ("ORDER_PLACED", "SHIPMENT_CREATED")]
    page = (await c.data(EVENTS, {"first": 2, "after": start, "types": ["ORDER_PLACED"]}))["events"]
    assert [e["node"]["orderId"] for e in page["edges"]] == [orders[0]["id"], orders[1]["id"]]
    assert page["pageInfo"]["hasNextPage"] is True

    # orderId filter, and Order.events, in pages too
    third = orders[2]["id"]
    of_third = await events(c, order_id=third)
    assert of_third == [e for e in everything if e["orderId"] == third]
    assert types_of(of_third) == ["ORDER_PLACED", "ORDER_ALLOCATED", "SHIPMENT_CREATED"]
    page1 = (await c.data(ORDER_EVENTS, {"id": third, "first": 2}))["order"]["events"]
    page2 = (await c.data(ORDER_EVENTS, {"id": third, "first": 2, "after": page1["pageInfo"]["endCursor"]}))["order"]["events"]
    assert [e["node"] for e in page1["edges"] + page2["edges"]] == of_third
    assert page1["pageInfo"]["hasNextPage"] is True and page2["pageInfo"]["hasNextPage"] is False
    both = await events(c, order_id=third, types=["SHIPMENT_CREATED"])
    assert both == [e for e in of_third if e["type"] == "SHIPMENT_CREATED"]

    # an orderId naming no order, and the log's end, give empty pages
    fake = base64.urlsafe_b64encode(b"Order:99999999").decode().rstrip("=")
    assert await events(c, order_id=fake) == []
    assert await events(c, after=everything[-1]["cursor"]) == []


async def test_an_orders_events_come_in_causal_order_placed_allocated_then_shipment_created(shared_client):
    c = shared_client
    L1, L2, A, B, ch = await world(c)
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 10}])
    order = await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})
    held = await place_ok(c, {"channel": await held_channel(c, ch), "lines": [line(A, 1)]})
    ok((await c.data(ORDER_RELEASE, {"id": held["id"]}))["orderRelease"])
    # a consumer must never hear of a shipment of an order it has not seen placed, allocated (and released)
    first = types_of(await events(c, order_id=order["id"]))
    assert first == ["ORDER_PLACED", "ORDER_ALLOCATED", "SHIPMENT_CREATED"], first
    second = types_of(await events(c, order_id=held["id"]))
    assert second.index("SHIPMENT_CREATED") > second.index("ORDER_RELEASED"), second


@pytest.mark.parametrize("first", [0, 251, -1])
async def test_events_page_size_outside_1_to_250_is_a_graphql_error(shared_client, first):
    body = await shared_client.gql(EVENTS, {"first": first})
    assert body.get("errors"), body
