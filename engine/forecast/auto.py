"""AUTO: one fixed rule picks each series' method from its history (never a backtest).

The rule, in order:
1. no demand at all: SES (a zero forecast);
2. intermittent (average demand interval >= 1.32 buckets): TSB, which lets the probability
   of demand decay on dying items where Croston keeps forecasting the old rate;
3. seasonal (season length >= 2, at least two full seasons observed, and the autocorrelation
   at the season lag outside the 90% band of a white-noise test): damped Holt-Winters;
4. otherwise, with at least `trend_observations_min` observations: damped Holt; else SES.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .intermittency import is_intermittent, observed_mask
from .methods import forecast_many, level_alpha

trend_observations_min = 8   # fewer: a trend estimated from a handful of points is noise
seasonal_z = 1.645           # the 90% band of the seasonality test (two-sided |acf|)


def autocorrelations(y: np.ndarray, start: np.ndarray, lags: int) -> np.ndarray:
    """[n_series, lags + 1] sample autocorrelations of each series' observed part."""
    mask = observed_mask(y, start)
    n_obs = np.maximum(mask.sum(axis=1), 1)
    mean = np.where(mask, y, 0.0).sum(axis=1) / n_obs
    dev = np.where(mask, y - mean[:, None], 0.0)
    var = (dev * dev).sum(axis=1)
    out = np.zeros((y.shape[0], lags + 1))
    for k in range(lags + 1):
        cov = (dev[:, k:] * dev[:, : dev.shape[1] - k]).sum(axis=1)
        out[:, k] = np.divide(cov, var, out=np.zeros_like(cov), where=var > 0)
    return out


def is_seasonal(y: np.ndarray, start: np.ndarray, season: int) -> np.ndarray:
    n_obs = y.shape[1] - np.asarray(start)
    if season < 2:
        return np.zeros(y.shape[0], bool)
    acf = autocorrelations(y, start, season)
    band = seasonal_z * np.sqrt((1.0 + 2.0 * (acf[:, 1:season] ** 2).sum(axis=1)) / np.maximum(n_obs, 1))
    return (n_obs >= 2 * season) & (np.abs(acf[:, season]) > band)


def choose_methods(y: np.ndarray, start: np.ndarray | None, season: int = 0) -> np.ndarray:
    """The method name AUTO uses for each series (object array of str)."""
    y = np.asarray(y, dtype=np.float64)
    start = np.zeros(y.shape[0], np.int64) if start is None else np.asarray(start, np.int64)
    n_obs = y.shape[1] - start
    any_demand = ((y > 0) & observed_mask(y, start)).any(axis=1)
    methods = np.where(n_obs >= trend_observations_min, "HOLT", "SES").astype(object)
    methods[is_seasonal(y, start, season)] = "HOLT_WINTERS"
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
