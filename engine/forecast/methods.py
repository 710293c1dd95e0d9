"""Forecast methods by name: the kernel each uses and the parameter grid it is fitted over."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..kernel import _forecast as kernel

METHODS = ("SES", "HOLT", "HOLT_WINTERS", "CROSTON", "TSB")
_CODES = {
    "SES": kernel.SES,
    "HOLT": kernel.HOLT,
    "HOLT_WINTERS": kernel.HOLT_WINTERS,
    "CROSTON": kernel.CROSTON_SBA,
    "TSB": kernel.TSB,
}


def _grid(*axes: tuple[float, ...]) -> np.ndarray:
    rows = np.array(list(itertools.product(*axes)), dtype=np.float64)
    return np.ascontiguousarray(rows)


# Coarse grids: every row costs one pass over the series (see bench/FORECAST.md for timings).
# Trends are always damped (phi < 1): undamped trends over-forecast a month ahead.
GRIDS = {
    "SES": _grid((0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.8, 0.95)),
    "HOLT": _grid((0.05, 0.15, 0.3, 0.5, 0.8), (0.01, 0.05, 0.15), (0.8, 0.9, 0.98)),
    "HOLT_WINTERS": _grid((0.05, 0.15, 0.3, 0.6), (0.01, 0.05), (0.01, 0.1, 0.3), (0.9, 0.98)),
    "CROSTON": _grid((0.05, 0.1, 0.2, 0.3)),
    "TSB": _grid((0.05, 0.1, 0.2, 0.3), (0.02, 0.05, 0.1, 0.2, 0.3)),
}


@dataclass(frozen=True, slots=True)
class SeriesForecast:
    """Forecasts of many series by one method."""
    method: str
    points: np.ndarray  # [n_series, horizon], units per bucket, >= 0
    sigma: np.ndarray   # [n_series]: RMS one-step in-sample residual, NaN with none
    params: np.ndarray  # [n_series, n_params] used


def method_code(method: str) -> int:
    if method not in _CODES:
        raise ValueError(f"unknown forecast method {method!r}")
    return _CODES[method]


def _as_inputs(y: np.ndarray, start: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    y = np.ascontiguousarray(y, dtype=np.float64)
    if y.ndim != 2:
        raise ValueError("y must be [n_series, n_buckets]")
    if start is None:
        start = np.zeros(y.shape[0], np.int64)
    return y, np.ascontiguousarray(start, dtype=np.int64)


def forecast_many(method: str, y: np.ndarray, start: np.ndarray | None, horizon: int,
                  season: int = 0, params: np.ndarray | None = None) -> SeriesForecast:
    """Forecasts every row of y by `method`: with `params` ([n_series, n_params]) as given,
    else with each series' parameters fitted over GRIDS[method]."""
    code = method_code(method)
    y, start = _as_inputs(y, start)
    if params is None:
        fcst, sigma, chosen = kernel.fit(code, y, start, GRIDS[method], horizon, season)
        params = GRIDS[method][chosen]
    else:
        params = np.ascontiguousarray(params, dtype=np.float64)
        fcst, sigma = kernel.run(code, y, start, params, horizon, season)
    # demand is never negative; a falling trend may cross zero
    return SeriesForecast(method, np.maximum(fcst, 0.0), sigma, params)


def forecast_series(method: str, history: np.ndarray, horizon: int, season: int = 0) -> SeriesForecast:
    """One series (a 1-D history) by `method`, parameters fitted."""
    return forecast_many(method, np.asarray(history, dtype=np.float64)[None, :], None, horizon, season)


def level_alpha(forecast: SeriesForecast) -> np.ndarray:
    """The level's smoothing weight of each series (how fast one-step errors accumulate)."""
    return forecast.params[:, 0]
