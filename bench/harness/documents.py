"""GraphQL documents the harness sends (setup, load, checks)."""
from __future__ import annotations

ERRORS = "userErrors { field message code }"
LEVEL = "sku location onHand committed available safetyStock"

LOCATION_UPSERT = f"""mutation($input: LocationInput!) {{ locationUpsert(input: $input) {{ location {{ code }} {ERRORS} }} }}"""
PRODUCTS_UPSERT = f"""mutation($input: [ProductInput!]!) {{ productsUpsert(input: $input) {{ {ERRORS} }} }}"""
CHANNEL_UPSERT = f"""mutation($input: ChannelInput!) {{ channelUpsert(input: $input) {{ channel {{ code }} {ERRORS} }} }}"""
ROUTING_SET = f"""mutation($input: RoutingPolicyInput!) {{ routingPolicySet(input: $input) {{ policy {{ channel }} {ERRORS} }} }}"""
INVENTORY_SET = f"""mutation($input: [InventorySetInput!]!) {{ inventorySet(input: $input) {{ {ERRORS} }} }}"""

SEEDED = """query($top: String!, $last: String!, $beyond: String!, $hot: String!) {
  top: product(sku: $top) { price } last: product(sku: $last) { sku } beyond: product(sku: $beyond) { sku }
  hot: product(sku: $hot) { sku } channels { code routing { onShortage } } }"""

PLACED = "id externalId channel status lines { sku quantity allocated backordered }"
ORDER_PLACE = f"""mutation($input: OrderInput!) {{ orderPlace(input: $input) {{ order {{ {PLACED} }} {ERRORS} }} }}"""
ORDERS_PLACE = f"""mutation($input: [OrderInput!]!) {{ ordersPlace(input: $input) {{ orders {{ id externalId }} {ERRORS} }} }}"""

ORDER_BY_ID = """query($id: ID!) { order(id: $id) { id externalId channel status lines { sku quantity allocated } } }"""
ORDERS_PAGE = """query($first: Int, $after: String) { orders(first: $first, after: $after) {
  edges { cursor node { id number status } } pageInfo { hasNextPage endCursor } } }"""
ORDER_COUNT = "query { orders(first: 1) { totalCount } }"
STOCK_OF_SKU = f"""query($sku: String!) {{ stockLevels(first: 50, sku: $sku) {{ edges {{ node {{ {LEVEL} }} }} }} }}"""
ALL_LEVELS = f"""query($after: String) {{ stockLevels(first: 250, after: $after) {{
  edges {{ node {{ {LEVEL} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
ORDERS_WITH_SKU = """query($sku: String!, $after: String) { orders(first: 250, after: $after, filter: {sku: $sku}) {
  edges { node { id status lines { sku shipped allocations { sku location quantity } } } }
  pageInfo { hasNextPage endCursor } } }"""
LEDGER = """query($sku: String!, $after: String) { inventoryChanges(sku: $sku, first: 250, after: $after) {
  edges { node { location delta } } pageInfo { hasNextPage endCursor } } }"""
EVENTS_AFTER = """query($after: String, $types: [EventType!]) { events(first: 250, after: $after, types: $types) {
  edges { cursor node { cursor orderId } } pageInfo { hasNextPage endCursor } } }"""

SUB_ORDER_PLACED = "subscription { events(types: [ORDER_PLACED]) { cursor type orderId occurredAt } }"
