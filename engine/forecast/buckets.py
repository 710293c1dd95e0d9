"""DAY / WEEK / MONTH buckets of daily demand.

History buckets are complete and end the day before `as_of`: DAY and WEEK count back from
as_of (weeks of 7 days ending the day before as_of), MONTH takes the calendar months before
as_of's month. Forecast buckets start at as_of (DAY, WEEK) or at the first of as_of's month
(MONTH: the month holding as_of is forecast whole) and cover as_of + horizon_days.
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np

BUCKETS = ("DAY", "WEEK", "MONTH")


def _month_start(d: date, months_ahead: int = 0) -> date:
    index = d.year * 12 + d.month - 1 + months_ahead
    return date(index // 12, index % 12 + 1, 1)


def history_edges(first_day: date, as_of: date, bucket: str) -> list[date]:
    """Edges (n_buckets + 1, ascending) of the complete buckets inside [first_day, as_of)."""
    if bucket == "MONTH":
        edges = [_month_start(as_of)]
        while _month_start(edges[0], -1) >= first_day:
            edges.insert(0, _month_start(edges[0], -1))
        return edges
    days = {"DAY": 1, "WEEK": 7}[bucket]
    count = (as_of - first_day).days // days
    return [as_of - timedelta(days=days * (count - i)) for i in range(count + 1)]


def forecast_edges(as_of: date, horizon_days: int, bucket: str) -> list[date]:
    """Edges of the forecast buckets: the first starts at or before as_of, the last ends at or
    after as_of + horizon_days."""
    end = as_of + timedelta(days=horizon_days)
    if bucket == "MONTH":
        edges = [_month_start(as_of)]
        while edges[-1] < end:
            edges.append(_month_start(edges[-1], 1))
        return edges
    days = {"DAY": 1, "WEEK": 7}[bucket]
    count = -(-horizon_days // days)
    return [as_of + timedelta(days=days * i) for i in range(count + 1)]


def bucket_sums(daily: np.ndarray, first_day: date, edges: list[date]) -> np.ndarray:
    """[n_series, len(edges) - 1] sums of daily demand ([n_series, n_days] from first_day)."""
    daily = np.asarray(daily, dtype=np.float64)
    offsets = np.array([(e - first_day).days for e in edges], dtype=np.int64)
    if len(edges) < 2:
        return np.zeros((daily.shape[0], 0))
    if offsets[0] < 0 or offsets[-1] > daily.shape[1]:
        raise ValueError("edges outside the daily history")
    cumulative = np.concatenate([np.zeros((daily.shape[0], 1)), np.cumsum(daily, axis=1)], axis=1)
    return cumulative[:, offsets[1:]] - cumulative[:, offsets[:-1]]


def bucket_start(first_observed_day: np.ndarray, edges: list[date], first_day: date) -> np.ndarray:
    """Index of each series' first complete bucket, from its first observed day offset."""
    offsets = np.array([(e - first_day).days for e in edges[:-1]], dtype=np.int64)
    return np.searchsorted(offsets, np.asarray(first_observed_day, np.int64), side="left").astype(np.int64)
