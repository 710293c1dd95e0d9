"""Analytics from the aggregates the writer keeps (storage/aggregates.py): key-range reads of
a few records per day, never a scan of the orders."""
from __future__ import annotations

import bisect
from datetime import datetime
from decimal import Decimal

import numpy as np

from ..domain import analytics as rules, limits
from ..domain.analytics import FULFILMENT, SALES, day_start
from ..domain.commands import Result
from ..domain.errors import Code, err
from ..domain.stock import available_array
from ..storage.aggregates import (
    DAY_KEY, SALES_KEY, SALES_WIDTH, STOCK_DAY_KEY, decode_levels, decode_sales, sales_block_skus, seconds_per_day,
)
from ..storage.store import ReadTxn, loads, u32
from .base import ReadBase
from .stock import _SkuNames

int_max = 2**31 - 1


class AnalyticsReads(ReadBase):
    def sales_summary(self, start: datetime, end: datetime, bucket: str = "DAY", by_channel: bool = False,
                      channel: str | None = None, sku: str | None = None) -> Result:
        errors: list = []
        first, last = rules.window(errors, start, end, bucket)
        with self.txn() as r:
            product = _known(r, errors, channel, sku)
            if errors:
                return Result(None, errors)
            rows = _sku_days(r, product["idx"], first, last) if product else _total_days(r, first, last)
        spans = rules.buckets(first, last, bucket)
        starts = [a for a, _ in spans]
        sums: dict[tuple[int, str | None], np.ndarray] = {}
        for day, code, values in rows:
            if channel is not None and code != channel:
                continue
            key = (bisect.bisect_right(starts, day) - 1, code if by_channel else None)
            sums[key] = sums.get(key, 0) + values
        points = []
        for i, (a, _) in enumerate(spans):
            codes = sorted(c for b, c in sums if b == i) if by_channel else [None]
            for code in codes:
                points.append(_sales_point(day_start(rules.bucket_start(a, bucket)), code, sums.get((i, code))))
        return Result(points)

    def top_products(self, start: datetime, end: datetime, limit: int = 10, channel: str | None = None) -> Result:
        errors: list = []
        first, last = rules.window(errors, start, end, None, limits.analytics_window_days_max)
        if not 1 <= limit <= limits.analytics_top_max:
            errors.append(err(Code.INVALID, f"limit must be between 1 and {limits.analytics_top_max}", "limit"))
        with self.txn() as r:
            _known(r, errors, channel, None)
            if errors:
                return Result(None, errors)
            rows = _sales_rows(r, first, last, channel)
            if not len(rows):
                return Result([])
            dense = np.zeros((int(rows[:, 0].max()) + 1, len(SALES)), dtype=np.int64)
            np.add.at(dense, rows[:, 0], rows[:, 1:])  # by sku index: no sort of the window's rows
            skus = np.flatnonzero(dense.any(axis=1))
            sums = dense[skus]
            revenue = sums[:, SALES.index("revenue")]
            ranked = np.lexsort((skus, -revenue))[:limit]  # highest revenue first, then by sku index
            names = _SkuNames(r, self.sku_names)
            return Result([{"sku": names[int(skus[i])], **_sales_values(sums[i])} for i in ranked])

    def fulfillment_stats(self, start: datetime, end: datetime, channel: str | None = None) -> Result:
        errors: list = []
        first, last = rules.window(errors, start, end, None, limits.analytics_window_days_max)
        with self.txn() as r:
            _known(r, errors, channel, None)
            if errors:
                return Result(None, errors)
            total = np.zeros(rules.FULFILMENT_WIDTH, dtype=np.int64)
            for day, code, values in _day_records(r, "an_fulfil", first, last):
                if channel is None or code == channel:
                    total += values
        c = dict(zip(FULFILMENT, total[: len(FULFILMENT)].tolist()))
        ordered = c["units_ordered"]
        return Result({
            "ordersPlaced": min(c["placed"], int_max), "ordersShipped": min(c["shipped"], int_max),
            "fillRate": c["units_allocated"] / ordered if ordered else 0.0,
            "backorderRate": c["units_backordered"] / ordered if ordered else 0.0,
            "medianHoursToShip": rules.median_hours(total[len(FULFILMENT):]),
            "returnRate": c["units_returned"] / c["units_shipped"] if c["units_shipped"] else 0.0,
        })

    def inventory_history(self, sku: str, location: str | None, start: datetime, end: datetime, bucket: str = "DAY") -> Result:
        errors: list = []
        first, last = rules.window(errors, start, end, bucket)
        with self.txn() as r:
            product = r.get("products", sku.encode())
            if product is None:
                errors.append(err(Code.NOT_FOUND, f"unknown sku {sku[:limits.key_chars_max]}", "sku"))
            place = r.get("locations", location.encode()) if location is not None else None
            if location is not None and place is None:
                errors.append(err(Code.NOT_FOUND, f"unknown location {location[:limits.key_chars_max]}", "location"))
            if errors:
                return Result(None, errors)
            days, states = _stock_states(r, product["idx"], first, last)
        points = []
        for _, end_day in rules.buckets(first, last, bucket):
            i = bisect.bisect_right(days, end_day) - 1
            on_hand, committed, safety = states[i] if i >= 0 else (np.zeros(0, np.int64),) * 3
            if place is not None:
                l = place["idx"]
                on_hand, committed, safety = (a[l : l + 1] for a in (on_hand, committed, safety))
            points.append({"at": day_start(end_day + 1), "onHand": _int(on_hand.sum()), "committed": _int(committed.sum()),
                           "available": _int(available_array(on_hand, committed, safety).sum())})
        return Result(points)

    def daily_units(self, sku: str, first_day: int, days: int) -> np.ndarray:
        """Units ordered and not cancelled per day (all channels), days first_day .. first_day + days - 1
        (days counted from 1970-01-01): the demand a forecast reads. Unknown sku: zeros."""
        series = np.zeros(days, dtype=np.int64)
        with self.txn() as r:
            product = r.get("products", sku.encode())
            if product is None:
                return series
            for day, _, values in _sku_days(r, product["idx"], first_day, first_day + days - 1):
                series[day - first_day] += values[SALES.index("units")]
        return series


def _known(r: ReadTxn, errors: list, channel: str | None, sku: str | None) -> dict | None:
    if channel is not None and r.raw("channels", channel.encode()) is None:
        errors.append(err(Code.NOT_FOUND, f"unknown channel {channel[:limits.key_chars_max]}", "channel"))
    if sku is None:
        return None
    product = r.get("products", sku.encode())
    if product is None:
        errors.append(err(Code.NOT_FOUND, f"unknown sku {sku[:limits.key_chars_max]}", "sku"))
    return product


def _day_records(r: ReadTxn, db: str, first: int, last: int):
    """(day, channel, int64 values) of a day-keyed aggregate, days first..last."""
    for key, raw in r.scan(db, start=DAY_KEY.pack(first)):
        day = DAY_KEY.unpack_from(key)[0]
        if day > last:
            return
        yield day, key[DAY_KEY.size:].decode(), np.frombuffer(raw, dtype=np.int64)


def _total_days(r: ReadTxn, first: int, last: int) -> list:
    return list(_day_records(r, "an_totals", first, last))


def _sku_days(r: ReadTxn, s: int, first: int, last: int) -> list:
    """(day, channel, SALES) of one sku, from its block's records of days first..last."""
    block = s // sales_block_skus
    found = []
    for key, raw in r.scan("an_sales", start=SALES_KEY.pack(block, first)):
        key_block, day = SALES_KEY.unpack_from(key)
        if key_block != block or day > last:
            break
        rows = decode_sales(raw)
        i = int(np.searchsorted(rows[:, 0], s))
        if i < len(rows) and rows[i, 0] == s:
            found.append((day, key[SALES_KEY.size:].decode(), rows[i, 1:]))
    return found


def _sales_rows(r: ReadTxn, first: int, last: int, channel: str | None) -> np.ndarray:
    """Every [sku, SALES] row of days first..last (of one channel, if given): per block, one
    key range, the cursor jumping from each block's last day to the next block's first."""
    chunks = []
    suffix = None if channel is None else channel.encode()
    with r.txn.cursor(db=r.store.db["an_sales"]) as cursor:
        block = 0
        while cursor.set_range(SALES_KEY.pack(block, first)):
            block, day = SALES_KEY.unpack_from(cursor.key())
            if day < first:
                continue  # the block starts after `first`: set_range again from its first day
            while day <= last:
                key = cursor.key()
                if suffix is None or key[SALES_KEY.size:] == suffix:
                    chunks.append(cursor.value())
                if not cursor.next():
                    break
                key_block, day = SALES_KEY.unpack_from(cursor.key())
                if key_block != block:
                    break
            block += 1
    if not chunks:
        return np.zeros((0, SALES_WIDTH), dtype=np.int64)
    return np.frombuffer(b"".join(chunks), dtype=np.int64).reshape(-1, SALES_WIDTH)


def _stock_states(r: ReadTxn, s: int, first: int, last: int) -> tuple[list[int], list]:
    """Days and the levels at their end: the last snapshot before the window, those in it, and
    the stock row itself from the day it last changed."""
    days, states = [], []
    prefix = u32(s)
    for key, raw in r.scan("an_stock", prefix, STOCK_DAY_KEY.pack(s, first), reverse=True):
        days.append(STOCK_DAY_KEY.unpack(key)[1])
        states.append(decode_levels(raw))
        break
    for key, raw in r.scan("an_stock", prefix, STOCK_DAY_KEY.pack(s, first)):
        day = STOCK_DAY_KEY.unpack(key)[1]
        if day > last:
            break
        days.append(day)
        states.append(decode_levels(raw))
    raw = r.raw("stock", u32(s))
    if raw is not None:
        values = np.frombuffer(raw, dtype=np.int64)
        n = len(values) // 5
        updated = int(values[4 * n :].max()) if n else 0
        days.append(updated // seconds_per_day)
        states.append((values[:n], values[n : 2 * n], values[2 * n : 3 * n]))
    order = sorted(range(len(days)), key=days.__getitem__)
    return [days[i] for i in order], [states[i] for i in order]


def _sales_point(start: datetime, channel: str | None, values) -> dict:
    values = np.zeros(len(SALES), dtype=np.int64) if values is None else values
    return {"bucketStart": start, "channel": channel, **_sales_values(values)}


def _sales_values(values) -> dict:
    c = dict(zip(SALES, values.tolist()))
    return {"orders": _int(c["orders"]), "units": _int(c["units"]), "revenue": _money(c["revenue"]),
            "discounts": _money(c["discounts"]),
            "margin": None if c["units_uncosted"] else _money(c["revenue"] - c["cost"])}


def _money(minor: int) -> Decimal:
    """1/10,000 as a Decimal, with two places when they say it all (12.50, not 12.5000)."""
    amount = Decimal(minor).scaleb(-4)
    cents = amount.quantize(CENT)
    return cents if cents == amount else amount


CENT = Decimal("0.01")


def _int(value) -> int:
    return max(-int_max - 1, min(int(value), int_max))
