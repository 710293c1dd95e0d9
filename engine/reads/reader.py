"""Read models over LMDB read transactions: only what is committed is ever visible."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable, Iterator

from ..domain import limits
from ..domain.catalog import Catalog
from ..domain.routing import location_mask, policy_record
from ..domain.stock import level_view
from ..storage.event_log import EventReader
from ..storage.stock_rows import decode_row
from ..storage.store import OUTBOX_KEY
from ..storage.store import ADMIN_TOKEN_KEY, BACKORDER_KEY, LEDGER_KEY, U32, ReadTxn, Store, loads, seq_key, text_key, u32, u64


def iso_from_s(seconds: int) -> str | None:
    return datetime.fromtimestamp(int(seconds), timezone.utc).isoformat() if seconds else None


class Reader:
    def __init__(self, store: Store):
        self.store = store
        self.sku_names: dict[int, str] = {}  # sku index -> sku: an index never changes once given

    def txn(self) -> ReadTxn:
        return self.store.read()

    # ------------------------------------------------------------ catalog
    def admin_token_digest(self) -> str | None:
        with self.txn() as r:
            stored = r.raw("meta", ADMIN_TOKEN_KEY)
        return None if stored is None else stored.decode()

    def location(self, code: str) -> dict | None:
        with self.txn() as r:
            return r.get("locations", code.encode())

    def locations(self) -> list[dict]:
        with self.txn() as r:
            return _locations(r)

    def product(self, sku: str) -> dict | None:
        with self.txn() as r:
            return r.get("products", sku.encode())

    def products(self, after: str | None, first: int, search: str | None) -> tuple[list[dict], bool]:
        needle = search.lower() if search else None
        def wanted(p: dict) -> bool:
            return needle is None or needle in p["sku"].lower() or needle in p["name"].lower()
        with self.txn() as r:
            rows = (r.get("products", k) for k, _ in r.scan("products", start=_after(after)))
            return _page((p for p in rows if wanted(p)), first)

    def product_count(self) -> int:
        with self.txn() as r:
            return r.txn.stat(self.store.db["products"])["entries"]

    def channel(self, code: str) -> dict | None:
        with self.txn() as r:
            return r.get("channels", code.encode())

    def channels(self) -> list[dict]:
        with self.txn() as r:
            return [r.get("channels", k) for k, _ in r.scan("channels")]

    # ------------------------------------------------------------ stock
    def stock_level(self, sku: str, loc: str) -> dict | None:
        with self.txn() as r:
            product, location = r.get("products", sku.encode()), r.get("locations", loc.encode())
            if product is None or location is None or product["components"]:
                return None
            return _level(sku, location, _row(r, product["idx"]), location["idx"])

    def stock_levels_of(self, sku: str) -> list[dict]:
        with self.txn() as r:
            product = r.get("products", sku.encode())
            if product is None or product["components"]:
                return []
            row = _row(r, product["idx"])
            return [_level(sku, loc, row, loc["idx"]) for loc in _locations(r) if level_exists(row, loc["idx"])]

    def stock_levels(self, after: str | None, first: int, sku: str | None = None, location: str | None = None,
                     below_safety: bool | None = None) -> tuple[list[dict], bool]:
        """Ordered by (sku index, location index); cursor 's:l'."""
        with self.txn() as r:
            return _page(self._levels(r, after, sku, location, below_safety), first)

    def _levels(self, r: ReadTxn, after, sku, location, below_safety) -> Iterator[dict]:
        locs = _locations(r)
        if location is not None:
            locs = [l for l in locs if l["code"] == location]
        start_s, start_l = (int(x) for x in after.split(":")) if after else (-1, -1)
        skus = _SkuNames(r, self.sku_names)
        if sku is not None:
            product = r.get("products", sku.encode())
            keys = [(u32(product["idx"]), r.raw("stock", u32(product["idx"])))] if product else []
        else:
            keys = r.scan("stock", start=u32(max(0, start_s)))
        for key, raw in keys:
            if raw is None:
                continue
            s = U32.unpack(key)[0]
            row = decode_row(raw)
            for loc in locs:
                if (s, loc["idx"]) <= (start_s, start_l) or not level_exists(row, loc["idx"]):
                    continue
                level = _level(skus[s], loc, row, loc["idx"], cursor=f"{s}:{loc['idx']}")
                if below_safety and not level["onHand"] - level["committed"] < level["safetyStock"]:
                    continue
                yield level

    def available(self, sku: str, channel: str | None = None) -> int:
        """Units that can still be promised (complete kits for a bundle)."""
        with self.txn() as r:
            product = r.get("products", sku.encode())
            if product is None:
                return 0
            mask = _allowed(r, channel)
            parts = [(c["sku"], c["quantity"]) for c in product["components"]] or [(sku, 1)]
            kits = []
            for part_sku, per in parts:
                part = r.get("products", part_sku.encode())
                row = _row(r, part["idx"])
                units = sum(_level("", {"idx": l, "code": ""}, row, l)["available"] for l in mask if l < len(row["on_hand"]))
                kits.append(units // per)
            return min(kits)

    def inventory_changes(self, sku: str, location: str | None, after: str | None, first: int) -> tuple[list[dict], bool]:
        with self.txn() as r:
            product = r.get("products", sku.encode())
            if product is None:
                return [], False
            prefix = u32(product["idx"])
            start = LEDGER_KEY.pack(product["idx"], int(after) + 1) if after else None
            def rows() -> Iterator[dict]:
                for key, raw in r.scan("ledger", prefix, start):
                    entry = r.get("ledger", key)
                    if location is None or entry["loc"] == location:
                        yield {**entry, "sku": sku, "cursor": str(LEDGER_KEY.unpack(key)[1])}
            return _page(rows(), first)

    # ------------------------------------------------------------ orders
    def order(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("orders", u64(seq))

    def order_by_ext(self, channel: str, external_id: str) -> dict | None:
        with self.txn() as r:
            raw = r.raw("order_ext", text_key(channel, external_id))
            return None if raw is None else r.get("orders", raw)

    def orders(self, after: int | None, first: int, filters: dict | None = None) -> tuple[list[dict], bool, str | None]:
        """(page, more, resume cursor): a page that stops at the scan bound has more=True and a
        resume cursor past the last order scanned, even if no order on it matched."""
        filters = filters or {}
        scanned = [after or 0]
        with self.txn() as r:
            rows, more = _page(self._orders(r, after, filters, scanned), first)
        if not more and scanned[0] is None:
            return rows, True, scanned[1]
        return rows, more, None

    def count_orders(self, filters: dict | None = None) -> int:
        filters = filters or {}
        with self.txn() as r:
            if not filters:
                return r.txn.stat(self.store.db["orders"])["entries"]
            return sum(1 for _ in self._orders(r, None, filters))

    def _orders(self, r: ReadTxn, after: int | None, filters: dict, scanned: list | None = None) -> Iterator[dict]:
        start = (after or 0) + 1
        if filters.get("channel") is not None:
            source = _index(r, "idx_channel", filters["channel"], start)
        elif filters.get("customerEmail") is not None:
            source = _index(r, "idx_customer", filters["customerEmail"], start)
        else:
            source = (k for k, _ in r.scan("orders", start=u64(start)))
        match = order_filter(filters)
        for count, key in enumerate(source):
            if count >= limits.orders_scan_max:
                if scanned is not None:
                    scanned[:] = [None, str(int.from_bytes(key, "big") - 1)]
                return
            order = r.get("orders", key)
            if match(order):
                yield {**order, "cursor": str(order["seq"])}

    def customer(self, email: str) -> dict | None:
        with self.txn() as r:
            record = r.get("customers", email.encode())
            if record is None:
                return None
            return {**record, "stats": customer_stats(r.get("orders", k) for k in _index(r, "idx_customer", email, 1))}

    def shipment(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("shipments", u64(seq))

    def shipments_of(self, order: dict) -> list[dict]:
        with self.txn() as r:
            return [r.get("shipments", u64(s["seq"])) for s in order["shipments"]]

    def shipments(self, after: int | None, first: int, location: str | None, statuses: list[str] | None) -> tuple[list[dict], bool]:
        """A work queue: oldest first."""
        wanted = set(statuses or ()) or None
        with self.txn() as r:
            if location is not None:
                keys = _index(r, "idx_ship_loc", location, (after or 0) + 1)
            else:
                keys = (k for k, _ in r.scan("shipments", start=u64((after or 0) + 1)))
            rows = (r.get("shipments", k) for k in keys)
            return _page(({**x, "cursor": str(x["seq"])} for x in rows if wanted is None or x["status"] in wanted), first)

    def return_(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("returns", u64(seq))

    def returns_of(self, order: dict) -> list[dict]:
        with self.txn() as r:
            return [r.get("returns", u64(seq)) for seq in order.get("returns", ())]

    def returns(self, after: int | None, first: int, statuses: list[str] | None) -> tuple[list[dict], bool]:
        return self._records("returns", after, first, lambda x: not statuses or x["status"] in statuses)

    def purchase_order(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("purchase_orders", u64(seq))

    def purchase_orders(self, after: int | None, first: int, statuses: list[str] | None, location: str | None) -> tuple[list[dict], bool]:
        return self._records("purchase_orders", after, first,
                             lambda x: (not statuses or x["status"] in statuses) and (location is None or x["location"] == location))

    def _records(self, db: str, after: int | None, first: int, match: Callable[[dict], bool]) -> tuple[list[dict], bool]:
        with self.txn() as r:
            rows = (r.get(db, k) for k, _ in r.scan(db, start=u64((after or 0) + 1)))
            return _page(({**x, "cursor": str(x["seq"])} for x in rows if match(x)), first)

    def events(self, after: int | None, first: int, types: list[str] | None = None, order: int | None = None,
               channel: str | None = None) -> tuple[list[dict], bool]:
        """The event log in commit order; cursors are sequence numbers."""
        wanted = set(types or ()) or None
        with self.txn() as r:
            start = (after or 0) + 1
            log = EventReader(r)
            rows = log.since(start) if order is None else log.of_order(order, start)
            return _page((e for e in rows if (wanted is None or e["type"] in wanted)
                          and (channel is None or e["channel"] == channel)), first)

    def last_event_seq(self) -> int:
        with self.txn() as r:
            return (r.get("meta", b"counters") or {}).get("event", 0)

    def rules(self) -> list[dict]:
        with self.txn() as r:
            rows = [loads(v) for _, v in r.scan("rules")]
        return sorted(rows, key=lambda x: (-x["priority"], x["seq"]))

    def rule(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("rules", u64(seq))

    def webhooks(self) -> list[dict]:
        with self.txn() as r:
            return [loads(v) for _, v in r.scan("webhooks")]

    def webhook(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("webhooks", u64(seq))

    def emails(self, after: int | None, first: int, to: str | None = None, order: int | None = None,
               status: str | None = None) -> tuple[list[dict], bool]:
        return self._records("emails", after, first, lambda e: (to is None or e["to"] == to)
                             and (order is None or e["order"] == order) and (status is None or e["status"] == status))

    def email(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("emails", u64(seq))

    def deliveries(self, after: int | None, first: int, webhook: int | None = None, status: str | None = None) -> tuple[list[dict], bool]:
        return self._records("deliveries", after, first, lambda d: (webhook is None or d["webhook"] == webhook)
                             and (status is None or d["status"] == status))

    def delivery(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("deliveries", u64(seq))

    def event(self, seq: int) -> dict | None:
        with self.txn() as r:
            return EventReader(r).event(seq)

    def due(self, kind: bytes, now_ms: int, limit: int, after: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        """(due ms, sequence) of outbox entries of one kind due by now, oldest first, after `after`."""
        start = None if after is None else OUTBOX_KEY.pack(kind, after[0], after[1] + 1)
        with self.txn() as r:
            found = []
            for key, _ in r.scan("outbox", kind, start):
                _, due, seq = OUTBOX_KEY.unpack(key)
                if due > now_ms or len(found) == limit:
                    break
                found.append((due, seq))
            return found

    def next_due_ms(self, kind: bytes) -> int | None:
        with self.txn() as r:
            for key, _ in r.scan("outbox", kind):
                return OUTBOX_KEY.unpack(key)[1]
        return None

    def outbox_backlog(self) -> int:
        with self.txn() as r:
            return r.txn.stat(self.store.db["outbox"])["entries"]

    def expected_at(self, order: dict, line_index: int) -> str | None:
        """When a backordered line's units are due: open purchase orders are promised to
        backorders first come, first served, each to the earliest one (at a location its
        channel may use) whose unpromised quantity covers it."""
        line = order["lines"][line_index]
        if order["status"] == "CANCELLED" or line["quantity"] - line["cancelled"] - _line_allocated(line) <= 0:
            return None
        with self.txn() as r:
            dates = []
            for pi, part in enumerate(line["parts"]):
                missing = (line["quantity"] - line["cancelled"]) * part["per"] - sum(a["qty"] for a in part["allocs"])
                if missing > 0:
                    dates.append(_promise(r, order, line_index, pi, part["sku"]))
            return None if not dates or None in dates else max(dates)


def _line_allocated(line: dict) -> int:
    return min(sum(a["qty"] for a in p["allocs"]) // p["per"] for p in line["parts"])


def _promise(r: ReadTxn, order: dict, line_index: int, part_index: int, sku: str) -> str | None:
    product = r.get("products", sku.encode())
    pos = [r.get("purchase_orders", k[4:]) for k, _ in r.scan("idx_po_sku", u32(product["idx"]))]
    pos = sorted((p for p in pos if p["expectedAt"]), key=lambda p: (p["expectedAt"], p["seq"]))
    unpromised = {p["seq"]: sum(l["quantity"] - l["received"] for l in p["lines"] if l["sku"] == sku) for p in pos}
    allowed: dict[str, set[str]] = {}
    for scanned, (key, _) in enumerate(r.scan("backorders", u32(product["idx"]))):
        if scanned >= limits.expected_at_scan_max:
            return None
        _, seq, li, pi = BACKORDER_KEY.unpack(key)
        waiting = order if seq == order["seq"] else r.get("orders", u64(seq))
        line = waiting["lines"][li]
        part = line["parts"][pi]
        missing = (line["quantity"] - line["cancelled"]) * part["per"] - sum(a["qty"] for a in part["allocs"])
        if waiting["channel"] not in allowed:
            codes = {l["code"] for l in _locations(r) if l["idx"] in set(_allowed(r, waiting["channel"]))}
            allowed[waiting["channel"]] = codes
        promised = next((p for p in pos if p["location"] in allowed[waiting["channel"]] and unpromised[p["seq"]] >= missing), None)
        if (seq, li, pi) == (order["seq"], line_index, part_index):
            return promised["expectedAt"] if promised else None
        if promised:
            unpromised[promised["seq"]] -= missing
    return None


def order_filter(filters: dict) -> Callable[[dict], bool]:
    statuses = set(filters.get("status") or ()) or None
    sku, tag = filters.get("sku"), filters.get("tag")
    after, before = filters.get("placedAfter"), filters.get("placedBefore")
    email = filters.get("customerEmail")
    def match(order: dict) -> bool:
        if statuses and order["status"] not in statuses:
            return False
        if filters.get("channel") is not None and order["channel"] != filters["channel"]:
            return False
        if email is not None and (order.get("customer") or {}).get("email") != email:
            return False
        if sku is not None and not any(l["sku"] == sku or any(p["sku"] == sku for p in l["parts"]) for l in order["lines"]):
            return False
        if tag is not None and tag not in order["tags"]:
            return False
        placed = datetime.fromisoformat(order["placedAt"])
        return (after is None or placed > after) and (before is None or placed < before)
    return match


def customer_stats(orders: Iterator[dict]) -> dict:
    count = units = returned = 0
    revenue = Decimal(0)
    first = last = None
    for order in orders:
        if order["status"] == "CANCELLED":
            continue
        count += 1
        units += sum(l["quantity"] - l["cancelled"] for l in order["lines"])
        returned += sum(l["returned"] for l in order["lines"])
        revenue += sum((Decimal(l["unitPrice"]) * (l["quantity"] - l["cancelled"]) for l in order["lines"]), Decimal(0))
        first = order["placedAt"] if first is None or order["placedAt"] < first else first
        last = order["placedAt"] if last is None or order["placedAt"] > last else last
    average = (revenue / count).quantize(Decimal("0.01")) if count else Decimal(0)
    cap = limits.quantity_max  # counts are served as 32-bit Int: they saturate there
    return {"orders": min(count, cap), "units": min(units, cap), "revenue": revenue, "averageOrderValue": average,
            "returnedUnits": min(returned, cap), "firstOrderAt": first, "lastOrderAt": last}


def _index(r: ReadTxn, db: str, value: str, start: int) -> Iterator[bytes]:
    prefix = value.encode() + b"\0"
    for key, _ in r.scan(db, prefix, seq_key(value, start)):
        yield key[len(prefix):]


def _after(cursor: str | None) -> bytes | None:
    return None if cursor is None else cursor.encode() + b"\0"


def _page(rows: Iterator[dict], first: int) -> tuple[list[dict], bool]:
    page = []
    for row in rows:
        if len(page) == first:
            return page, True
        page.append(row)
    return page, False


def _locations(r: ReadTxn) -> list[dict]:
    return sorted((r.get("locations", k) for k, _ in r.scan("locations")), key=lambda l: l["idx"])


class _SkuNames:
    """sku index -> sku, from the reader's cache; a miss (a product added since) reloads the
    cache from this read transaction, whose stock rows it then covers."""

    def __init__(self, r: ReadTxn, cache: dict[int, str]):
        self.r = r
        self.cache = cache

    def __getitem__(self, s: int) -> str:
        name = self.cache.get(s)
        if name is None:
            self.cache.update((p["idx"], p["sku"]) for p in (loads(v) for _, v in self.r.scan("products")))
            name = self.cache[s]
        return name


def _row(r: ReadTxn, s: int) -> dict[str, Any]:
    raw = r.raw("stock", u32(s))
    return decode_row(raw) if raw is not None else {f: [] for f in ("on_hand", "committed", "safety", "incoming", "updated_s")}


def level_exists(row: dict, l: int) -> bool:
    """A level exists once its sku was set, adjusted or received at the location, or while it has
    committed or incoming units there. Derived from the stored row, as every release wrote it: each
    change of onHand stamps updatedAt (inventorySet too, even to the same onHand), and committed
    units need onHand. Incoming units alone do not stamp it (purchasing_handlers), so a purchase
    order's level ends with the order unless received. (Rows of release 0.1.0 stamped incoming too:
    a level there that only ever had a cancelled purchase order keeps existing, at zeros.)"""
    if l >= len(row["on_hand"]):
        return False
    return bool(row["updated_s"][l] or row["on_hand"][l] or row["committed"][l] or row["safety"][l] or row["incoming"][l])


def _level(sku: str, location: dict, row: dict, l: int, cursor: str | None = None) -> dict:
    present = l < len(row["on_hand"])
    on_hand, committed, safety, incoming, updated = (
        (int(row[f][l]) for f in ("on_hand", "committed", "safety", "incoming", "updated_s")) if present else (0, 0, 0, 0, 0)
    )
    return {
        "sku": sku, "location": location["code"], **level_view(on_hand, committed, safety, incoming),
        "updatedAt": iso_from_s(updated), "cursor": cursor,
    }


def _allowed(r: ReadTxn, channel: str | None) -> list[int]:
    """Location indices whose stock counts: active ones, or those the channel's policy may use."""
    locations = _locations(r)
    if channel is None:
        return [l["idx"] for l in locations if l["active"]]
    record = r.get("channels", channel.encode())
    if record is None:
        return []
    catalog = Catalog()
    for loc in locations:
        catalog.add_location(loc)
    capacity = len(locations)
    allowed = set()
    for rule in policy_record(record)["rules"]:
        mask = location_mask(catalog, rule, capacity)
        allowed.update(int(i) for i in mask.nonzero()[0])
    return sorted(allowed)
