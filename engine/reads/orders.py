"""Orders, customers, shipments, returns and purchase orders, as committed."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Callable, Iterator

from ..domain import limits
from ..storage.store import ReadTxn, text_key, u64
from .base import ReadBase, index_keys, page


class OrderReads(ReadBase):
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
            rows, more = page(self._orders(r, after, filters, scanned), first)
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
            source = index_keys(r, "idx_channel", filters["channel"], start)
        elif filters.get("customerEmail") is not None:
            source = index_keys(r, "idx_customer", filters["customerEmail"], start)
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
            return {**record, "stats": customer_stats(r.get("orders", k) for k in index_keys(r, "idx_customer", email, 1))}

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
                keys = index_keys(r, "idx_ship_loc", location, (after or 0) + 1)
            else:
                keys = (k for k, _ in r.scan("shipments", start=u64((after or 0) + 1)))
            rows = (r.get("shipments", k) for k in keys)
            return page(({**x, "cursor": str(x["seq"])} for x in rows if wanted is None or x["status"] in wanted), first)

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
