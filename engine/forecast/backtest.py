"""Rolling-origin backtest over the last `windows` horizons of each series' history.

Each origin refits on the history before it and forecasts one horizon. MASE and RMSSE are
scaled by the in-sample naive one-step MAE and MSE of that origin's history and averaged over
the windows; bias is (sum of forecast - sum of actual) / sum of actual over all windows.
NaN (None for the API) where the first origin leaves fewer than `train_buckets_min(...)`
observations, the naive scale is zero, or (bias) nothing was sold.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .methods import forecast_many

backtest_windows = 3


@dataclass(frozen=True, slots=True)
class Backtest:
    mase: np.ndarray   # [n_series], NaN: none
    rmsse: np.ndarray
    bias: np.ndarray

    def of(self, i: int) -> tuple[float | None, float | None, float | None]:
        return tuple(None if np.isnan(v) else float(v) for v in (self.mase[i], self.rmsse[i], self.bias[i]))


def train_buckets_min(method: str, season: int) -> int:
    return 2 * season if method == "HOLT_WINTERS" and season >= 2 else 3


def naive_scales(y: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(MAE, MSE) of the one-step naive forecast over each series' observed part."""
    diff = np.diff(y, axis=1)
    mask = np.arange(1, y.shape[1])[None, :] >= (start[:, None] + 1)
    count = np.maximum(mask.sum(axis=1), 1)
    mae = np.where(mask, np.abs(diff), 0.0).sum(axis=1) / count
    mse = np.where(mask, diff * diff, 0.0).sum(axis=1) / count
    return mae, mse


def backtest(method: str, y: np.ndarray, start: np.ndarray | None, horizon: int, season: int = 0,
             windows: int = backtest_windows, params: np.ndarray | None = None) -> Backtest:
    """params: fixed parameters per series (None: fitted at every origin)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    n, width = y.shape
    start = np.zeros(n, np.int64) if start is None else np.asarray(start, np.int64)
    first_origin = width - windows * horizon
    valid = (horizon > 0) & (first_origin - start >= train_buckets_min(method, season))
    mase, rmsse = np.zeros(n), np.zeros(n)
    sum_fcst, sum_actual = np.zeros(n), np.zeros(n)
    for w in range(windows):
        origin = max(first_origin + w * horizon, 0)
        train, actual = y[:, :origin], y[:, origin:origin + horizon]
        train_start = np.minimum(start, origin)
        fcst = forecast_many(method, train, train_start, horizon, season, params).points
        mae, mse = naive_scales(train, train_start)
        valid &= (mae > 0) & (mse > 0)
        err = fcst - actual
        with np.errstate(divide="ignore", invalid="ignore"):
            mase += np.abs(err).mean(axis=1) / mae
            rmsse += np.sqrt((err * err).mean(axis=1) / mse)
        sum_fcst += fcst.sum(axis=1)
        sum_actual += actual.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        bias = np.where(valid & (sum_actual > 0), (sum_fcst - sum_actual) / sum_actual, np.nan)
    nan = np.full(n, np.nan)
    return Backtest(np.where(valid, mase / windows, nan), np.where(valid, rmsse / windows, nan), bias)
