"""What an order adds to the analytics counters. No I/O.

Every counter is a sum over the stored orders of what each order adds (`Tally.add`), so the
writer keeps them by adding what a batch's orders add after it and subtracting what they added
before it, and a rebuild from the orders gives the same numbers:
- sales per (day placed, channel, sku): orders with units left, units ordered and not
  cancelled, revenue (unitPrice x those units, less their share of the line's discount), that
  discount, the cost of the units whose cost is known, the units whose cost is not;
- per (day placed, channel): the same summed over skus (orders counted once) and the
  fulfilment counters; per (day shipped, channel): orders shipped and their hours to ship.
Amounts are integers in 1/10,000 (money_decimals_max = 4), days count from 1970-01-01 (UTC).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Callable

from . import limits, orders as order_rules
from .errors import Code, err

money_scale = 10_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

SALES = ("orders", "units", "revenue", "discounts", "cost", "units_uncosted")
FULFILMENT = ("placed", "units_ordered", "units_allocated", "units_backordered", "units_shipped", "units_returned",
              "shipped")
# Hours from placement to shipment: one bin per hour for a week, one per day up to 90 days, one beyond.
hours_hourly_max = 168
hours_daily_max = 90 * 24
HOURS_BINS = hours_hourly_max + (hours_daily_max - hours_hourly_max) // 24 + 1
FULFILMENT_WIDTH = len(FULFILMENT) + HOURS_BINS
SHIPPED_STATUSES = ("SHIPPED", "DELIVERED")


def day_of(iso: str) -> int:
    """The UTC day of a stored timestamp (stored timestamps are UTC isoformat)."""
    return date.fromisoformat(iso[:10]).toordinal() - EPOCH_ORDINAL


def day_start(day: int) -> datetime:
    return datetime.combine(date.fromordinal(day + EPOCH_ORDINAL), datetime.min.time(), timezone.utc)


def minor(amount: str | None) -> int | None:
    """A stored Decimal string in 1/10,000."""
    return None if amount is None else int(Decimal(amount) * money_scale)


def hours_bin(hours: float) -> int:
    if hours < hours_hourly_max:
        return max(0, int(hours))
    if hours < hours_daily_max:
        return hours_hourly_max + int(hours - hours_hourly_max) // 24
    return HOURS_BINS - 1


def bin_hours(b: int) -> float:
    """The middle of a bin, in hours (what a median read from the bins reports)."""
    if b < hours_hourly_max:
        return b + 0.5
    if b < HOURS_BINS - 1:
        return hours_hourly_max + (b - hours_hourly_max) * 24 + 12.0
    return float(hours_daily_max)


def stamp(order: dict, now_iso: str, new: bool) -> None:
    """What the counters need that the order does not say otherwise: the units allocated when it
    was placed, and when it became shipped in full."""
    if new:
        order["allocatedAtPlacement"] = sum(order_rules.line_allocated(line) for line in order["lines"])
    if order["status"] in SHIPPED_STATUSES and not order.get("shippedAt"):
        order["shippedAt"] = now_iso


def allocated_at_placement(order: dict) -> int:
    """Orders stored before it was recorded count the units allocated to them now."""
    known = order.get("allocatedAtPlacement")
    return sum(order_rules.line_allocated(line) for line in order["lines"]) if known is None else known


class Tally:
    """Counters of a set of orders, each entry added with a sign (+1, or -1 to take it back)."""

    __slots__ = ("sku_index", "sales", "totals", "fulfilment", "_days", "_minor")

    def __init__(self, sku_index: Callable[[str], int]):
        self.sku_index = sku_index  # sku -> its dense index
        self.sales: dict[tuple[int, str, int], list[int]] = {}  # (day, channel, sku index) -> SALES
        self.totals: dict[tuple[int, str], list[int]] = {}  # (day, channel) -> SALES
        self.fulfilment: dict[tuple[int, str], list[int]] = {}  # (day, channel) -> FULFILMENT + hour bins
        self._days: dict[str, int] = {}
        self._minor: dict[str | None, int | None] = {None: None}

    def _day(self, iso: str) -> int:
        key = iso[:10]
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = day_of(key)
        return day

    def _amount(self, text: str | None) -> int | None:
        value = self._minor.get(text, False)
        if value is False:
            if len(self._minor) > 100_000:  # prices repeat; a bound keeps an odd batch from growing it
                self._minor = {None: None}
            value = self._minor[text] = minor(text)
        return value

    def add(self, order: dict, sign: int = 1) -> None:
        day, channel = self._day(order["placedAt"]), order["channel"]
        total = self.totals.get((day, channel))
        if total is None:
            total = self.totals[(day, channel)] = [0] * len(SALES)
        sales, index, amount = self.sales, self.sku_index, self._amount
        ordered = shipped = returned = 0
        live = False
        for line in order["lines"]:
            quantity = line["quantity"]
            units = quantity - line["cancelled"]
            ordered += quantity
            returned += line["returned"]
            if line["parts"][0]["allocs"]:
                shipped += order_rules.line_shipped(line)
            price, cost = amount(line["unitPrice"]), amount(line.get("unitCost"))
            discount = amount(line.get("discount") or "0") * units // quantity
            revenue = price * units - discount
            key = (day, channel, index(line["sku"]))
            entry = sales.get(key)
            if entry is None:
                entry = sales[key] = [0, 0, 0, 0, 0, 0]
            live = live or units > 0
            entry[0] += sign * (units > 0)
            entry[1] += sign * units
            entry[2] += sign * revenue
            entry[3] += sign * discount
            total[1] += sign * units
            total[2] += sign * revenue
            total[3] += sign * discount
            if cost is None:
                entry[5] += sign * units
                total[5] += sign * units
            else:
                entry[4] += sign * cost * units
                total[4] += sign * cost * units
        total[0] += sign * live
        self._fulfilment(order, day, channel, sign, ordered, shipped, returned)

    def _fulfilment(self, order: dict, day: int, channel: str, sign: int, ordered: int, shipped: int, returned: int) -> None:
        placed = self._row(day, channel)
        allocated = min(allocated_at_placement(order), ordered)
        for i, value in enumerate((1, ordered, allocated, ordered - allocated, shipped, returned)):
            placed[i] += sign * value
        shipped_at = order.get("shippedAt")
        if shipped_at:
            row = self._row(self._day(shipped_at), channel)
            row[6] += sign
            hours = (datetime.fromisoformat(shipped_at) - datetime.fromisoformat(order["placedAt"])).total_seconds() / 3600
            row[len(FULFILMENT) + hours_bin(hours)] += sign

    def _row(self, day: int, channel: str) -> list[int]:
        row = self.fulfilment.get((day, channel))
        if row is None:
            row = self.fulfilment[(day, channel)] = [0] * FULFILMENT_WIDTH
        return row

    def __bool__(self) -> bool:
        return bool(self.totals)


BUCKETS = ("DAY", "WEEK", "MONTH")  # HOUR is refused: sales and stock are kept per day


def bucket_start(day: int, bucket: str) -> int:
    if bucket == "DAY":
        return day
    if bucket == "WEEK":  # ISO weeks: Monday first
        return day - date.fromordinal(day + EPOCH_ORDINAL).weekday()
    first = date.fromordinal(day + EPOCH_ORDINAL).replace(day=1)
    return first.toordinal() - EPOCH_ORDINAL


def buckets(first_day: int, last_day: int, bucket: str) -> list[tuple[int, int]]:
    """(first day, last day) of each bucket that meets the window, clipped to it."""
    found, day = [], first_day
    while day <= last_day:
        start = bucket_start(day, bucket)
        end = _next_bucket(start, bucket) - 1
        found.append((day, min(end, last_day)))
        day = end + 1
    return found


def _next_bucket(start: int, bucket: str) -> int:
    if bucket == "DAY":
        return start + 1
    if bucket == "WEEK":
        return start + 7
    first = date.fromordinal(start + EPOCH_ORDINAL)
    following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    return following.toordinal() - EPOCH_ORDINAL


def bucket_count(first_day: int, last_day: int, bucket: str) -> int:
    if bucket == "DAY":
        return last_day - first_day + 1
    if bucket == "WEEK":
        return (bucket_start(last_day, "WEEK") - bucket_start(first_day, "WEEK")) // 7 + 1
    a, b = date.fromordinal(first_day + EPOCH_ORDINAL), date.fromordinal(last_day + EPOCH_ORDINAL)
    return (b.year - a.year) * 12 + b.month - a.month + 1


def window(errors: list, start: datetime, end: datetime, bucket: str | None, days_max: int | None = None) -> tuple[int, int]:
    """The UTC days `from` and `to` fall in (both included), checked: from <= to, a kept bucket,
    at most analytics_buckets_max buckets (or days_max days)."""
    first, last = utc_day(start), utc_day(end)
    if utc(start) > utc(end):
        errors.append(err(Code.INVALID, "from is after to", "from"))
    elif bucket is not None and bucket not in BUCKETS:
        errors.append(err(Code.INVALID, f"analytics are kept per day: bucket {bucket} is not served (DAY, WEEK or MONTH)", "bucket"))
    elif bucket is not None and bucket_count(first, last, bucket) > limits.analytics_buckets_max:
        errors.append(err(Code.INVALID, f"the window holds more than {limits.analytics_buckets_max} {bucket} buckets", "to"))
    elif days_max is not None and last - first + 1 > days_max:
        errors.append(err(Code.INVALID, f"the window is longer than {days_max} days", "to"))
    return first, last


def utc(moment: datetime) -> datetime:
    """A naive datetime is taken as UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def utc_day(moment: datetime) -> int:
    return utc(moment).date().toordinal() - EPOCH_ORDINAL


def median_hours(bins) -> float | None:
    """The middle shipment's bin (its middle, in hours); None without shipments."""
    total = int(sum(bins))
    if total == 0:
        return None
    seen = 0
    for b, count in enumerate(bins):
        seen += int(count)
        if 2 * seen >= total:
            return bin_hours(b)
    return None
