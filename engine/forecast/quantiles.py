"""10% and 90% quantiles of demand per forecast bucket.

Smooth series: normal around the point, with the one-step residual scale growing with the
horizon as for simple exponential smoothing (variance sigma^2 (1 + (h - 1) alpha^2)), the lower
bound cut at zero. Intermittent series: a compound quantile (demand occurs with probability
point / mean size, sizes drawn from the series' own nonzero history), never negative.
"""
from __future__ import annotations

import numpy as np

from .normal import normal_ppf

lower_probability = 0.10
upper_probability = 0.90


def normal_bands(points: np.ndarray, sigma: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) [n_series, horizon]; a NaN sigma (no residuals) gives zero width."""
    steps = np.arange(points.shape[1], dtype=np.float64)
    scale = np.nan_to_num(sigma)[:, None] * np.sqrt(1.0 + steps[None, :] * (alpha[:, None] ** 2))
    z = normal_ppf(upper_probability)  # symmetric: the 10% point is -z
    return np.maximum(points - z * scale, 0.0), points + z * scale


def compound_quantile(points: np.ndarray, sizes: np.ndarray, probability: float) -> np.ndarray:
    """Quantile of one bucket's demand per point: zero with probability 1 - p, else a size
    from `sizes` (the nonzero history), with p = point / mean size."""
    points = np.asarray(points, dtype=np.float64)
    if sizes.size == 0:
        return np.zeros_like(points)
    occur = np.clip(points / sizes.mean(), 0.0, 1.0)
    inside = probability > 1.0 - occur
    level = np.where(inside, (probability - (1.0 - occur)) / np.where(occur > 0, occur, 1.0), 0.0)
    values = np.quantile(sizes, np.clip(level, 0.0, 1.0), method="inverted_cdf")
    return np.where(inside, values, 0.0)


def intermittent_bands(points: np.ndarray, history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) for one series. The bands are widened to contain the point, because a
    mean between a zero 10% and a zero 90% quantile reads as an error to the people using it."""
    sizes = history[history > 0]
    lower = compound_quantile(points, sizes, lower_probability)
    upper = compound_quantile(points, sizes, upper_probability)
    return np.minimum(lower, points), np.maximum(upper, points)


def bands(points: np.ndarray, sigma: np.ndarray, alpha: np.ndarray, y: np.ndarray, start: np.ndarray,
          intermittent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of many series: compound for the intermittent ones, normal for the rest."""
    lower, upper = normal_bands(points, sigma, alpha)
    for i in np.flatnonzero(intermittent):
        lower[i], upper[i] = intermittent_bands(points[i], y[i, start[i]:])
    return lower, upper
