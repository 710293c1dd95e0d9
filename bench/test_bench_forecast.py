"""Throughput of the forecasting kernels (engine.kernel._forecast) on one core.

Run: python -m pytest bench/test_bench_forecast.py --benchmark-only
Budget (DESIGN.md): 100k skus x 365 days, 28-day horizon: SES, Holt and TSB together <= 1 s;
Holt-Winters (weekly season 7) <= 10 s. `fixed` runs given parameters (one pass per series);
`fitted` chooses them per series over engine.forecast.methods.GRIDS (one pass per grid row).
"""
from __future__ import annotations

import numpy as np
import pytest

from engine.forecast.methods import GRIDS, forecast_many

N_SKU, N_DAYS, HORIZON, SEASON = 100_000, 365, 28, 7
FIXED = {"SES": [0.1], "HOLT": [0.2, 0.05, 0.9], "HOLT_WINTERS": [0.2, 0.05, 0.1, 0.9], "TSB": [0.1, 0.1]}


@pytest.fixture(scope="module")
def demand():
    rng = np.random.default_rng(5)
    week = np.array([1.0, 1.1, 1.0, 1.2, 1.5, 2.0, 0.8])
    rate = rng.gamma(0.6, 2.0, N_SKU)[:, None] * np.resize(week, N_DAYS)[None, :]
    return rng.poisson(rate).astype(np.float64), np.zeros(N_SKU, np.int64)


@pytest.mark.parametrize("method", ["SES", "HOLT", "TSB", "HOLT_WINTERS"])
def test_bench_fixed(benchmark, demand, method):
    y, start = demand
    params = np.tile(np.array(FIXED[method]), (N_SKU, 1))
    out = benchmark.pedantic(forecast_many, args=(method, y, start, HORIZON, SEASON, params), rounds=5, iterations=1)
    benchmark.extra_info["series_per_s"] = N_SKU / benchmark.stats.stats.median
    assert out.points.shape == (N_SKU, HORIZON)


@pytest.mark.parametrize("method", ["SES", "HOLT", "TSB", "HOLT_WINTERS"])
def test_bench_fitted(benchmark, demand, method):
    y, start = demand
    out = benchmark.pedantic(forecast_many, args=(method, y, start, HORIZON, SEASON), rounds=3, iterations=1)
    benchmark.extra_info["grid_rows"] = len(GRIDS[method])
    benchmark.extra_info["series_per_s"] = N_SKU / benchmark.stats.stats.median
    assert np.all(out.points >= 0)
