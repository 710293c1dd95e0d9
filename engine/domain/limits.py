"""Every limit of the OMS, in one place, each with the reason it exists.

The README's Limits table lists every one of them (tests/unit/test_readme.py keeps the two
in step); names are `<thing>_max`, units last.
"""

# GraphQL Int is 32-bit: no stored quantity may leave that range.
quantity_max = 2**31 - 1

# A marketplace order rarely has more than a few dozen lines; 250 covers B2B/EDI orders
# while bounding the work of one allocation (lines x locations).
order_lines_max = 250

# One ordersPlace request: an EDI file or a marketplace sync page; bounds request memory.
batch_orders_max = 1_000

# One productsUpsert / inventoryAdjust / inventorySet request.
batch_items_max = 5_000

# Commands the writer applies in one LMDB commit (group commit). Bounds commit latency.
sequencer_batch_max = 2_000

# Commands waiting for the writer before new ones are refused (overload shedding).
sequencer_queue_max = 50_000

# Request bodies: 10 MiB holds a 1,000-order ordersPlace of ordinary orders with room to spare.
request_body_bytes_max = 10 * 1024 * 1024

# Free-text fields (names, notes, references, addresses).
text_chars_max = 1_000

# Business keys chosen by the user (sku, location code, channel code, externalId, barcode),
# counted in UTF-8 bytes: LMDB keys hold at most 511 bytes, and two keys share one index key.
key_chars_max = 128

# Tags per order and characters per tag.
order_tags_max = 50
tag_chars_max = 64

# Bundle components per product.
bundle_components_max = 50

# Locations: the stock arrays hold one column per location.
locations_max = 1_000

# Rules in one routing policy; each is tried per order.
routing_rules_max = 20

# CEL condition source length.
cel_chars_max = 4_000

# Money: 12 integer digits and 4 decimals.
money_max = 10**12
money_decimals_max = 4

# GraphQL documents: nesting depth, and connection page size (contract: 1..250).
query_depth_max = 12

# GraphQL tokens in one document: about what a 10 MiB body holds, so that a 1,000-order
# ordersPlace written inline (not as variables) is accepted; the body limit bounds parsing.
query_tokens_max = 2_000_000

# Accepted GraphQL documents remembered for the lean POST path (api/prepared.py): clients
# send a handful of distinct documents; the bound keeps one-off documents from growing memory.
prepared_documents_max = 1_024
page_size_max = 250
page_size_default = 50

# Orders scanned to answer one filtered `orders` page or a customer's stats.
orders_scan_max = 200_000

# Earlier backorders walked to answer one backordered line's expectedAt.
expected_at_scan_max = 10_000

# Automation: actions per rule, how long SEND_EMAIL may be delayed, events that rules may
# cause from one command (a rule that cancels on ORDER_CANCELLED must not loop forever).
rule_actions_max = 20
delay_seconds_max = 30 * 24 * 3600
rule_events_max = 10_000

# Outbound messages: attempts before FAILED (webhooks: from 1 s, doubling), webhook timeout.
delivery_attempts_max = 10
webhook_timeout_s = 10
webhook_secret_chars_min = 16
url_chars_max = 2_000

# Live subscriptions: events buffered per subscriber before it is disconnected as too slow
# (it resumes from its last cursor), and subscriptions per websocket connection.
subscriber_buffer_events_max = 10_000
subscriptions_per_connection_max = 100

# GraphQL requests being served at once; past it the server answers 503 at once, so that
# latency stays bounded under overload instead of queueing without end.
requests_inflight_max = 256

# `oms serve --workers N`: worker processes at most; bytes of commits a worker may be behind
# in reading before it is disconnected (it restarts, its subscribers resume by cursor); one
# frame between a worker and the writer (far above the largest answer: 1,000 orders).
workers_max = 64
worker_lag_bytes_max = 64 << 20
frame_bytes_max = 256 << 20

# Replenishment: forecast horizons (the contract: horizonDays 1..730), a supplier's lead time,
# how much an adjustment may multiply demand, and adjustments kept (each forecast applies all).
forecast_horizon_days_max = 730
lead_time_days_max = 365
forecast_factor_max = 100
forecast_adjustments_max = 1_000

# Points one analytics query answers (salesSummary, inventoryHistory): a daily chart of almost
# three years; each bucket is a few stored records read.
analytics_buckets_max = 1_000

# Days of one topProducts or fulfillmentStats window: their reads grow with the days (a
# topProducts day is a few records per 1,024 skus).
analytics_window_days_max = 1_000

# topProducts `limit`.
analytics_top_max = 250
