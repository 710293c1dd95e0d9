"""Forecasts of skus from their daily demand, as the API's `forecast` field answers them:
bucketed history, the method (AUTO's rule or the one asked for), quantile bands, adjustments
and the backtest of the method used."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np

from .adjustments import Adjustment, adjust
from .auto import choose_methods
from .backtest import backtest
from .buckets import bucket_start, bucket_sums, forecast_edges, history_edges
from .intermittency import is_intermittent
from .methods import forecast_many, level_alpha
from .quantiles import bands

# Holt-Winters season per bucket: a week of days, a year of weeks, a year of months
season_by_bucket = {"DAY": 7, "WEEK": 52, "MONTH": 12}


@dataclass(frozen=True, slots=True)
class Point:
    start: date
    quantity: float
    lower: float
    upper: float


@dataclass(frozen=True, slots=True)
class SkuForecast:
    sku: str
    method: str
    points: list[Point]
    backtest_mase: float | None
    backtest_rmsse: float | None
    backtest_bias: float | None
    sigma: float                # RMS one-step residual per bucket (NaN: none)
    intermittent: bool
    sizes: np.ndarray           # nonzero bucket demands of the history


def _edge_values(edges: list[date], adjustments: list[Adjustment]) -> list:
    """Edges comparable with the adjustments' bounds (midnight in their time zone if datetimes)."""
    sample = next((a.start for a in adjustments if isinstance(a.start, datetime)), None)
    if sample is None:
        return edges
    return [datetime.combine(e, time(), tzinfo=sample.tzinfo) for e in edges]


def forecast_skus(daily: np.ndarray, first_day: date, first_observed: np.ndarray, skus: list[str],
                  as_of: date, horizon_days: int, method: str = "AUTO", bucket: str = "DAY",
                  adjustments: list[Adjustment] = ()) -> list[SkuForecast]:
    """daily: [n_skus, >= days from first_day to as_of] units per day; first_observed: each sku's
    first day with history (a day offset from first_day, e.g. its creation)."""
    days = (as_of - first_day).days
    if len(skus) != daily.shape[0] or days < 0 or daily.shape[1] < days:
        raise ValueError("daily demand must have one row per sku and reach as_of")
    hist = history_edges(first_day, as_of, bucket)
    y = np.ascontiguousarray(bucket_sums(daily[:, :days], first_day, hist))
    start = np.minimum(bucket_start(first_observed, hist, first_day), y.shape[1])
    edges = forecast_edges(as_of, horizon_days, bucket)
    horizon, season = len(edges) - 1, season_by_bucket[bucket]
    methods = choose_methods(y, start, season) if method == "AUTO" else np.full(len(skus), method, object)
    intermittent = is_intermittent(y, start)
    points, lower, upper = (np.zeros((len(skus), horizon)) for _ in range(3))
    sigma, scores = np.full(len(skus), np.nan), np.full((len(skus), 3), np.nan)
    for name in np.unique(methods):
        rows = np.flatnonzero(methods == name)
        part = forecast_many(name, y[rows], start[rows], horizon, season)
        points[rows], sigma[rows] = part.points, part.sigma
        lower[rows], upper[rows] = bands(part.points, part.sigma, level_alpha(part), y[rows], start[rows],
                                         intermittent[rows])
        test = backtest(name, y[rows], start[rows], horizon, season)
        scores[rows] = np.column_stack([test.mase, test.rmsse, test.bias])
    adj_edges = _edge_values(edges, list(adjustments))
    out = []
    for i, sku in enumerate(skus):
        q, lo, hi = (adjust(v[i], adj_edges, sku, list(adjustments)) for v in (points, lower, upper))
        out.append(SkuForecast(
            sku, str(methods[i]), [Point(edges[j], float(q[j]), float(lo[j]), float(hi[j])) for j in range(horizon)],
            *(None if np.isnan(s) else float(s) for s in scores[i]),
            float(sigma[i]), bool(intermittent[i]), y[i, start[i]:][y[i, start[i]:] > 0]))
    return out
