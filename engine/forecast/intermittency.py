"""Demand pattern measures: how often a series has demand (ADI) and how variable its sizes are."""
from __future__ import annotations

import numpy as np

# Syntetos-Boylan-Croston cut-off: above it demand is intermittent (lumpy or intermittent class)
intermittent_adi_min = 1.32


def observed_mask(y: np.ndarray, start: np.ndarray) -> np.ndarray:
    """True for each bucket at or after its series' start."""
    return np.arange(y.shape[1])[None, :] >= np.asarray(start)[:, None]


def average_demand_interval(y: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Observed buckets per bucket with demand (inf with no demand)."""
    n_obs = y.shape[1] - np.asarray(start)
    n_demand = ((y > 0) & observed_mask(y, start)).sum(axis=1)
    with np.errstate(divide="ignore"):
        return np.where(n_demand > 0, n_obs / np.maximum(n_demand, 1), np.inf)


def is_intermittent(y: np.ndarray, start: np.ndarray) -> np.ndarray:
    adi = average_demand_interval(y, start)
    return np.isfinite(adi) & (adi >= intermittent_adi_min)
