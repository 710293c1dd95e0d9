"""Forecast adjustments: a factor over a time window (a promotion: 1.5; a closure: 0)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True, slots=True)
class Adjustment:
    sku: str | None  # None: every sku
    start: datetime  # inclusive
    end: datetime    # exclusive
    factor: float

    def __post_init__(self):
        if not (math.isfinite(self.factor) and self.factor >= 0.0):
            raise ValueError("factor must be finite and >= 0")
        if not self.start < self.end:
            raise ValueError("an adjustment must end after it starts")


def overlap_fraction(adjustment: Adjustment, bucket_start: datetime, bucket_end: datetime) -> float:
    inside = min(adjustment.end, bucket_end) - max(adjustment.start, bucket_start)
    return max(inside / (bucket_end - bucket_start), 0.0)


def adjust(points: np.ndarray, edges: list[datetime], sku: str, adjustments: list[Adjustment]) -> np.ndarray:
    """Points of one sku ([n_buckets], bucket i spanning edges[i]..edges[i+1]) with every
    adjustment of that sku (or of every sku) applied. The factor applies to the part of each
    bucket inside its window, so a promotion of 3 days scales a weekly bucket by 3/7 of it;
    overlapping adjustments multiply."""
    if len(edges) != len(points) + 1:
        raise ValueError("need one edge more than points")
    out = np.asarray(points, dtype=np.float64).copy()
    for adj in adjustments:
        if adj.sku is not None and adj.sku != sku:
            continue
        for i in range(len(out)):
            out[i] *= 1.0 + (adj.factor - 1.0) * overlap_fraction(adj, edges[i], edges[i + 1])
    return out
