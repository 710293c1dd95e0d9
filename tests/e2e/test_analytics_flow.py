"""Analytics over HTTP: orders on two channels, some shipped, then every analytics field and
the numbers it answers; bad arguments are GraphQL errors with a code, never a 500."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from .helpers import add_channel, add_location, add_products, line, ok, place_ok, set_stock
from .test_warehouse_flow import PACK, SCAN, SHIP

SALES = """query($from: DateTime!, $to: DateTime!, $bucket: TimeBucket, $byChannel: Boolean, $channel: String, $sku: String) {
  salesSummary(from: $from, to: $to, bucket: $bucket, byChannel: $byChannel, channel: $channel, sku: $sku) {
    bucketStart channel orders units revenue discounts margin } }"""
TOP = """query($from: DateTime!, $to: DateTime!, $limit: Int, $channel: String) {
  topProducts(from: $from, to: $to, limit: $limit, channel: $channel) { sku units revenue orders margin } }"""
FULFILMENT = """query($from: DateTime!, $to: DateTime!, $channel: String) {
  fulfillmentStats(from: $from, to: $to, channel: $channel) {
    ordersPlaced ordersShipped fillRate backorderRate medianHoursToShip returnRate } }"""
HISTORY = """query($sku: String!, $location: String, $from: DateTime!, $to: DateTime!, $bucket: TimeBucket) {
  inventoryHistory(sku: $sku, location: $location, from: $from, to: $to, bucket: $bucket) { at onHand committed available } }"""
ORDER_MARGIN = """query($id: ID!) { order(id: $id) { margin lines { sku listPrice discount unitCost } } }"""


async def given_two_channels_with_orders(c) -> tuple[list[dict], str, str]:
    await add_location(c, "east")
    await add_channel(c, "web")
    await add_channel(c, "pos", "POS")
    await add_products(c, [{"sku": "MUG", "name": "Mug", "barcode": "MUG", "price": "12.00", "cost": "5.00"},
                           {"sku": "CAP", "name": "Cap", "barcode": "CAP", "price": "7.50"}])
    await set_stock(c, [{"sku": "MUG", "location": "east", "onHand": 10}, {"sku": "CAP", "location": "east", "onHand": 2}])
    orders = [
        await place_ok(c, {"channel": "web", "lines": [line("MUG", 2), line("CAP", 3)]}),  # 1 CAP backordered
        await place_ok(c, {"channel": "pos", "lines": [line("MUG", 1)]}),
        await place_ok(c, {"channel": "web", "lines": [line("MUG", 3)]}),
    ]
    for order in orders[1:]:
        await ship(c, order)
    today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return orders, today.isoformat(), (today + timedelta(hours=23)).isoformat()


async def ship(c, order: dict) -> None:
    shipment = order["shipments"][0]["id"]
    for placed in order["lines"]:
        ok((await c.data(SCAN, {"id": shipment, "barcode": placed["sku"], "quantity": placed["quantity"]}))["shipmentScan"])
    ok((await c.data(PACK, {"id": shipment}))["shipmentPack"])
    ok((await c.data(SHIP, {"id": shipment, "carrier": "UPS", "tracking": "1Z"}))["shipmentShip"])


async def test_each_analytics_field_answers_from_the_orders(client):
    orders, start, end = await given_two_channels_with_orders(client)
    day = (await client.data(SALES, {"from": start, "to": end}))["salesSummary"]
    assert day == [{"bucketStart": start, "channel": None, "orders": 3, "units": 9, "revenue": "94.50",
                    "discounts": "0.00", "margin": None}]
    by_channel = (await client.data(SALES, {"from": start, "to": end, "byChannel": True}))["salesSummary"]
    assert [(p["channel"], p["orders"], p["units"], p["revenue"]) for p in by_channel] == [
        ("pos", 1, 1, "12.00"), ("web", 2, 8, "82.50")]
    mugs = (await client.data(SALES, {"from": start, "to": end, "bucket": "MONTH", "sku": "MUG", "channel": "web"}))["salesSummary"]
    assert [(p["units"], p["revenue"], p["margin"]) for p in mugs] == [(5, "60.00", "35.00")]
    top = (await client.data(TOP, {"from": start, "to": end}))["topProducts"]
    assert top == [{"sku": "MUG", "units": 6, "revenue": "72.00", "orders": 3, "margin": "42.00"},
                   {"sku": "CAP", "units": 3, "revenue": "22.50", "orders": 1, "margin": None}]
    stats = (await client.data(FULFILMENT, {"from": start, "to": end}))["fulfillmentStats"]
    assert (stats["ordersPlaced"], stats["ordersShipped"], stats["returnRate"]) == (3, 2, 0.0)
    assert stats["fillRate"] == pytest.approx(8 / 9) and stats["backorderRate"] == pytest.approx(1 / 9)
    assert stats["medianHoursToShip"] == 0.5
    pos = (await client.data(FULFILMENT, {"from": start, "to": end, "channel": "pos"}))["fulfillmentStats"]
    assert (pos["ordersPlaced"], pos["ordersShipped"], pos["fillRate"]) == (1, 1, 1.0)
    history = (await client.data(HISTORY, {"sku": "MUG", "location": "east", "from": start, "to": end}))["inventoryHistory"]
    assert [(p["onHand"], p["committed"], p["available"]) for p in history] == [(6, 2, 4)]
    first = (await client.data(ORDER_MARGIN, {"id": orders[0]["id"]}))["order"]
    assert first["margin"] is None and first["lines"][0] == {"sku": "MUG", "listPrice": "12.00", "discount": "0", "unitCost": "5.00"}
    assert (await client.data(ORDER_MARGIN, {"id": orders[1]["id"]}))["order"]["margin"] == "7.00"


@pytest.mark.parametrize("query, variables, code, field", [
    (SALES, {"from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "INVALID", ["from"]),
    (SALES, {"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "INVALID", ["to"]),
    (SALES, {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "bucket": "HOUR"}, "INVALID", ["bucket"]),
    (SALES, {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "sku": "NOPE"}, "NOT_FOUND", ["sku"]),
    (TOP, {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "limit": 0}, "INVALID", ["limit"]),
    (FULFILMENT, {"from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z", "channel": "nope"}, "NOT_FOUND", ["channel"]),
    (HISTORY, {"sku": "MUG", "location": "nowhere", "from": "2026-01-01T00:00:00Z", "to": "2026-01-02T00:00:00Z"},
     "NOT_FOUND", ["location"]),
])
async def test_bad_arguments_are_graphql_errors_with_a_code(client, query, variables, code, field):
    await add_location(client, "east")
    await add_products(client, [{"sku": "MUG", "name": "Mug"}])
    status, body = await client.raw(query, variables)
    assert status == 200 and body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": code, "field": field}


def test_oms_analytics_rebuild_counts_the_orders_again(tmp_path):
    import subprocess
    import sys

    from engine import Engine
    from engine.domain.commands import LineDraft, OrderDraft, PlaceOrders, ProductDraft, UpsertChannel, UpsertProducts
    from engine.storage import aggregates
    from engine.storage.audit import audit

    from .conftest import PROJECT_ROOT

    with Engine.open(tmp_path / "data") as engine:
        engine.execute(UpsertChannel("web", "Web", "STOREFRONT"))
        engine.execute(UpsertProducts([ProductDraft("MUG", "Mug", price="3.00")]))
        assert not engine.execute(PlaceOrders([OrderDraft("web", [LineDraft("MUG", 2)]) for _ in range(3)])).errors
        with engine.store.env.begin(write=True) as txn:  # aggregates lost, as after a bug
            txn.drop(engine.store.db["an_sales"], delete=False)
        assert aggregates.differences(engine.store)
    done = subprocess.run([sys.executable, "-m", "api.cli", "analytics-rebuild", "--data-dir", str(tmp_path / "data")],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "analytics of 3 orders rebuilt" in done.stdout, done.stderr
    with Engine.open(tmp_path / "data") as engine:
        assert audit(engine.store) == []
