"""GraphQL documents and small steps shared by the e2e tests (given/when/then helpers)."""
from __future__ import annotations

from typing import Any

ERRORS = "userErrors { field message code }"
LEVEL = "sku location onHand committed available safetyStock incoming"
ORDER = """
  id number channel externalId status holdReason currency subtotal total tags placedAt updatedAt
  customer { email name }
  lines { sku quantity unitPrice allocated backordered shipped returned cancelled
          allocations { sku location quantity rule reason } }
  shipments { id location status lines { sku quantity picked } }
"""

LOCATION_UPSERT = f"""mutation($input: LocationInput!) {{
  locationUpsert(input: $input) {{ location {{ id code name kind priority active address {{ country latitude longitude }} }} {ERRORS} }} }}"""
PRODUCTS_UPSERT = f"""mutation($input: [ProductInput!]!) {{
  productsUpsert(input: $input) {{ products {{ id sku name price components {{ sku quantity }} }} {ERRORS} }} }}"""
CHANNEL_UPSERT = f"""mutation($input: ChannelInput!) {{
  channelUpsert(input: $input) {{ channel {{ id code name kind routing {{ onShortage rules {{ name }} }} }} {ERRORS} }} }}"""
ROUTING_SET = f"""mutation($input: RoutingPolicyInput!) {{
  routingPolicySet(input: $input) {{ policy {{ channel onShortage rules {{ name condition locations sort allowSplit maxShipments }} }} {ERRORS} }} }}"""
INVENTORY_SET = f"""mutation($input: [InventorySetInput!]!, $reason: InventoryReason, $ref: String) {{
  inventorySet(input: $input, reason: $reason, referenceDocumentUri: $ref) {{ stockLevels {{ {LEVEL} }} {ERRORS} }} }}"""
INVENTORY_ADJUST = f"""mutation($input: [InventoryAdjustInput!]!, $reason: InventoryReason!, $ref: String) {{
  inventoryAdjust(input: $input, reason: $reason, referenceDocumentUri: $ref) {{ stockLevels {{ {LEVEL} }} {ERRORS} }} }}"""
ORDER_PLACE = f"""mutation($input: OrderInput!) {{ orderPlace(input: $input) {{ order {{ {ORDER} }} {ERRORS} }} }}"""
ORDER_PLACE_SHORT = f"""mutation($input: OrderInput!) {{ orderPlace(input: $input) {{ order {{ id number externalId status }} {ERRORS} }} }}"""
ORDERS_PLACE = f"""mutation($input: [OrderInput!]!) {{ ordersPlace(input: $input) {{ orders {{ id number externalId status }} {ERRORS} }} }}"""
ORDER_CANCEL = f"""mutation($id: ID!, $reason: String) {{ orderCancel(id: $id, reason: $reason) {{ order {{ {ORDER} }} {ERRORS} }} }}"""
ORDER_HOLD = f"""mutation($id: ID!, $reason: String!) {{ orderHold(id: $id, reason: $reason) {{ order {{ {ORDER} }} {ERRORS} }} }}"""
ORDER_RELEASE = f"""mutation($id: ID!) {{ orderRelease(id: $id) {{ order {{ {ORDER} }} {ERRORS} }} }}"""
ORDER_BY_ID = f"""query($id: ID!) {{ order(id: $id) {{ {ORDER} }} }}"""
ORDER_BY_NUMBER = f"""query($n: String!) {{ order(number: $n) {{ {ORDER} }} }}"""
ORDER_BY_EXT = f"""query($c: String!, $e: String!) {{ order(channel: $c, externalId: $e) {{ {ORDER} }} }}"""
STOCK_LEVEL = f"""query($sku: String!, $loc: String!) {{ stockLevel(sku: $sku, location: $loc) {{ {LEVEL} }} }}"""
LEDGER = """query($sku: String!, $loc: String, $after: String) {
  inventoryChanges(sku: $sku, location: $loc, first: 250, after: $after) {
    edges { cursor node { sku location delta onHandAfter reason referenceDocumentUri at } }
    pageInfo { hasNextPage endCursor } } }"""
ORDERS_PAGE = """query($first: Int, $after: String, $filter: OrderFilter) {
  orders(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id number channel externalId status
      lines { sku quantity allocated backordered shipped cancelled allocations { sku location quantity } } } } } }"""
ALL_LEVELS = f"""query($after: String) {{ stockLevels(first: 250, after: $after) {{
  edges {{ cursor node {{ {LEVEL} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""


def ok(payload: dict) -> dict:
    """A mutation payload that must have no userErrors."""
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


def error_set(payload: dict) -> set[tuple[tuple[str, ...], str]]:
    return {(tuple(e["field"] or ()), e["code"]) for e in payload["userErrors"]}


async def add_location(c, code: str, *, lat: float | None = None, lon: float | None = None, priority: int = 0,
                       kind: str = "WAREHOUSE", active: bool = True) -> dict:
    address = {"country": "US", "latitude": lat, "longitude": lon} if lat is not None else None
    data = await c.data(LOCATION_UPSERT, {"input": {"code": code, "name": f"Location {code}", "kind": kind,
                                                    "priority": priority, "active": active, "address": address}})
    return ok(data["locationUpsert"])["location"]


async def add_products(c, products: list[dict]) -> list[dict]:
    data = await c.data(PRODUCTS_UPSERT, {"input": products})
    return ok(data["productsUpsert"])["products"]


async def add_channel(c, code: str, kind: str = "STOREFRONT", *, reject: bool = False, rules: list[dict] | None = None) -> dict:
    data = await c.data(CHANNEL_UPSERT, {"input": {"code": code, "name": f"Channel {code}", "kind": kind}})
    channel = ok(data["channelUpsert"])["channel"]
    if reject or rules is not None:
        await set_policy(c, code, rules or [{"name": "all"}], "REJECT" if reject else "BACKORDER")
    return channel


async def set_policy(c, channel: str, rules: list[dict], on_shortage: str = "BACKORDER") -> dict:
    data = await c.data(ROUTING_SET, {"input": {"channel": channel, "rules": rules, "onShortage": on_shortage}})
    return ok(data["routingPolicySet"])["policy"]


async def set_stock(c, items: list[dict], reason: str | None = None, ref: str | None = None) -> list[dict]:
    variables: dict[str, Any] = {"input": items, "ref": ref}
    if reason:
        variables["reason"] = reason
    data = await c.data(INVENTORY_SET, variables)
    return ok(data["inventorySet"])["stockLevels"]


async def adjust_stock(c, items: list[dict], reason: str = "RECEIVED", ref: str | None = None) -> list[dict]:
    data = await c.data(INVENTORY_ADJUST, {"input": items, "reason": reason, "ref": ref})
    return ok(data["inventoryAdjust"])["stockLevels"]


async def place(c, order: dict) -> dict:
    data = await c.data(ORDER_PLACE, {"input": order})
    return data["orderPlace"]


async def place_ok(c, order: dict) -> dict:
    return ok(await place(c, order))["order"]


async def stock_level(c, sku: str, loc: str) -> dict:
    return (await c.data(STOCK_LEVEL, {"sku": sku, "loc": loc}))["stockLevel"]


async def ledger(c, sku: str, loc: str | None = None) -> list[dict]:
    rows, after = [], None
    for _ in range(10_000):
        page = (await c.data(LEDGER, {"sku": sku, "loc": loc, "after": after}))["inventoryChanges"]
        rows.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("ledger paging did not end")


async def all_orders(c, filter: dict | None = None) -> list[dict]:
    rows, after = [], None
    for _ in range(10_000):
        page = (await c.data(ORDERS_PAGE, {"first": 250, "after": after, "filter": filter}))["orders"]
        rows.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("orders paging did not end")


async def all_levels(c) -> list[dict]:
    rows, after = [], None
    for _ in range(10_000):
        page = (await c.data(ALL_LEVELS, {"after": after}))["stockLevels"]
        rows.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("stockLevels paging did not end")


def line(sku: str, quantity: int = 1, unit_price: str | None = None) -> dict:
    value: dict[str, Any] = {"sku": sku, "quantity": quantity}
    if unit_price is not None:
        value["unitPrice"] = unit_price
    return value


async def assert_stock_invariants(c, skus_locs: list[tuple[str, str]] | None = None) -> list[dict]:
    """Per level: 0 <= committed <= onHand, available = max(0, onHand - committed - safetyStock),
    and onHand equals the sum of the ledger's deltas there."""
    levels = await all_levels(c) if skus_locs is None else [await stock_level(c, s, l) for s, l in skus_locs]
    by_sku: dict[str, list[dict]] = {}
    for lv in levels:
        assert 0 <= lv["committed"] <= lv["onHand"], lv
        assert lv["available"] == max(0, lv["onHand"] - lv["committed"] - lv["safetyStock"]), lv
        by_sku.setdefault(lv["sku"], []).append(lv)
    for sku, sku_levels in by_sku.items():
        changes = await ledger(c, sku)
        for lv in sku_levels:
            deltas = [ch["delta"] for ch in changes if ch["location"] == lv["location"]]
            assert sum(deltas) == lv["onHand"], (lv, deltas[-10:])
            if deltas:
                last = [ch for ch in changes if ch["location"] == lv["location"]][-1]
                assert last["onHandAfter"] == lv["onHand"], (lv, last)
    return levels
