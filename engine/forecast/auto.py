"""AUTO: one fixed rule picks each series' method from its history (never a backtest).

The rule, in order:
1. no demand at all: SES (a zero forecast);
2. intermittent (average demand interval >= 1.32 buckets): TSB, which lets the probability
   of demand decay on dying items where Croston keeps forecasting the old rate;
3. a season length >= 2 and at least two full seasons observed: damped Holt-Winters. No test
   of seasonality: on M3 monthly, Holt-Winters beat damped Holt even on the series that the
   autocorrelation test at the season lag calls non-seasonal (MASE 0.874 vs 0.997), and every
   split by that test (90% band, on levels or differences) lost to Holt-Winters everywhere;
4. otherwise, with at least `trend_observations_min` observations: damped Holt; else SES.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .intermittency import is_intermittent, observed_mask
from .methods import forecast_many, level_alpha

trend_observations_min = 8   # fewer: a trend estimated from a handful of points is noise


def choose_methods(y: np.ndarray, start: np.ndarray | None, season: int = 0) -> np.ndarray:
    """The method name AUTO uses for each series (object array of str)."""
    y = np.asarray(y, dtype=np.float64)
    start = np.zeros(y.shape[0], np.int64) if start is None else np.asarray(start, np.int64)
    n_obs = y.shape[1] - start
    any_demand = ((y > 0) & observed_mask(y, start)).any(axis=1)
    methods = np.where(n_obs >= trend_observations_min, "HOLT", "SES").astype(object)
    if season >= 2:
        methods[n_obs >= 2 * season] = "HOLT_WINTERS"
    methods[is_intermittent(y, start)] = "TSB"
    methods[~any_demand] = "SES"
    return methods


@dataclass(frozen=True, slots=True)
class AutoForecast:
    methods: np.ndarray  # [n_series] method names chosen
    points: np.ndarray   # [n_series, horizon]
    sigma: np.ndarray    # [n_series]
    alpha: np.ndarray    # [n_series] level smoothing weight


def forecast_auto(y: np.ndarray, start: np.ndarray | None, horizon: int, season: int = 0) -> AutoForecast:
    """Forecasts each series by the method choose_methods gives it (parameters fitted)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    start = np.zeros(y.shape[0], np.int64) if start is None else np.asarray(start, np.int64)
    methods = choose_methods(y, start, season)
    points = np.zeros((y.shape[0], horizon))
    sigma = np.full(y.shape[0], np.nan)
    alpha = np.zeros(y.shape[0])
    for name in np.unique(methods):
        rows = np.flatnonzero(methods == name)
        part = forecast_many(name, y[rows], start[rows], horizon, season)
        points[rows], sigma[rows], alpha[rows] = part.points, part.sigma, level_alpha(part)
    return AutoForecast(methods, points, sigma, alpha)
