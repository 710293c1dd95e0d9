"""Stock levels, availability, the inventory ledger and when backordered units are due."""
from __future__ import annotations

from typing import Any, Iterator

from ..domain import limits, orders as order_rules
from ..domain.catalog import Catalog
from ..domain.routing import location_mask, policy_record
from ..domain.stock import level_view
from ..storage.stock_rows import decode_row
from ..storage.store import BACKORDER_KEY, LEDGER_KEY, U32, ReadTxn, loads, u32, u64
from .base import ReadBase, iso_from_s, locations_in, page


class StockReads(ReadBase):
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
            return [_level(sku, loc, row, loc["idx"]) for loc in locations_in(r) if level_exists(row, loc["idx"])]

    def stock_levels(self, after: str | None, first: int, sku: str | None = None, location: str | None = None,
                     below_safety: bool | None = None) -> tuple[list[dict], bool]:
        """Ordered by (sku index, location index); cursor 's:l'."""
        with self.txn() as r:
            return page(self._levels(r, after, sku, location, below_safety), first)

    def _levels(self, r: ReadTxn, after, sku, location, below_safety) -> Iterator[dict]:
        locs = locations_in(r)
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
            return page(rows(), first)

    def expected_at(self, order: dict, line_index: int) -> str | None:
        """When a backordered line's units are due: open purchase orders are promised to
        backorders first come, first served, each to the earliest one (at a location its
        channel may use) whose unpromised quantity covers it."""
        line = order["lines"][line_index]
        if order["status"] == "CANCELLED" or order_rules.line_backordered(line) <= 0:
            return None
        with self.txn() as r:
            dates = []
            for pi, part in enumerate(line["parts"]):
                if order_rules.part_missing(line, part) > 0:
                    dates.append(_promise(r, order, line_index, pi, part["sku"]))
            return None if not dates or None in dates else max(dates)


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
        missing = order_rules.part_missing(line, line["parts"][pi])
        if waiting["channel"] not in allowed:
            codes = {l["code"] for l in locations_in(r) if l["idx"] in set(_allowed(r, waiting["channel"]))}
            allowed[waiting["channel"]] = codes
        promised = next((p for p in pos if p["location"] in allowed[waiting["channel"]] and unpromised[p["seq"]] >= missing), None)
        if (seq, li, pi) == (order["seq"], line_index, part_index):
            return promised["expectedAt"] if promised else None
        if promised:
            unpromised[promised["seq"]] -= missing
    return None


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
    locations = locations_in(r)
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
