"""engine.forecast: AUTO's rule, quantile bands, backtest, adjustments, buckets, the normal
inverse CDF and the import graph, in given / when / then form."""
from __future__ import annotations

import math
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.forecast.adjustments import Adjustment, adjust
from engine.forecast.auto import choose_methods, forecast_auto
from engine.forecast.backtest import backtest
from engine.forecast.buckets import bucket_sums, forecast_edges, history_edges
from engine.forecast.intermittency import average_demand_interval
from engine.forecast.methods import forecast_many, level_alpha
from engine.forecast.normal import normal_ppf
from engine.forecast.quantiles import bands
from engine.forecast.sku_forecast import forecast_skus

rng = np.random.default_rng(7)
DAYS = 364


def intermittent_series():
    return (rng.random(DAYS) < 0.15) * rng.integers(1, 6, DAYS).astype(float)


def seasonal_series():
    week = np.array([2, 3, 3, 4, 6, 12, 9], float)
    return np.tile(week, DAYS // 7) + rng.normal(0, 0.5, DAYS)


def trend_series(n=60):
    return 10 + 0.5 * np.arange(n) + rng.normal(0, 0.3, n)


# --------------------------------------------------------------------------- AUTO


def test_auto_follows_its_rule_on_synthetic_series():
    # given: intermittent, weekly-seasonal, trending, short and empty histories of 364 days
    y = np.vstack([intermittent_series(), seasonal_series(), np.r_[np.zeros(DAYS - 60), trend_series()],
                   np.r_[np.zeros(DAYS - 5), [3, 4, 5, 4, 3.0]], np.zeros(DAYS)])
    start = np.array([0, 0, DAYS - 60, DAYS - 5, 0])
    # when
    methods = choose_methods(y, start, season=7)
    # then
    assert methods.tolist() == ["TSB", "HOLT_WINTERS", "HOLT_WINTERS", "SES", "SES"]
    assert choose_methods(y, start, season=0).tolist() == ["TSB", "HOLT", "HOLT", "SES", "SES"]


def test_auto_forecasts_each_series_by_its_method():
    y = np.vstack([intermittent_series(), seasonal_series(), np.zeros(DAYS)])
    start = np.zeros(3, np.int64)
    auto = forecast_auto(y, start, 14, 7)
    for i, name in enumerate(auto.methods):
        alone = forecast_many(name, y[i:i + 1], start[i:i + 1], 14, 7)
        np.testing.assert_array_equal(auto.points[i], alone.points[0])
    assert auto.points[2].tolist() == [0.0] * 14


def test_dying_item_tsb_decays_where_croston_keeps_the_old_rate():
    # given: steady demand that stops for the last 120 days
    y = np.r_[(rng.random(244) < 0.5) * 4.0, np.zeros(120)][None, :]
    start = np.zeros(1, np.int64)
    tsb = forecast_many("TSB", y, start, 7).points[0, 0]
    croston = forecast_many("CROSTON", y, start, 7).points[0, 0]
    assert choose_methods(y, start, 7)[0] == "TSB"
    assert tsb < 0.1 * croston


def test_average_demand_interval():
    y = np.array([[0, 1, 0, 0, 2, 0.0], [5, 5, 5, 5, 5, 5.0]])
    assert average_demand_interval(y, np.array([0, 3])).tolist() == [3.0, 1.0]


# --------------------------------------------------------------------------- quantiles


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=0, max_size=80), st.sampled_from(["SES", "HOLT", "HOLT_WINTERS", "TSB"]),
       st.floats(0.0, 0.9))
def test_bands_hold_the_point_and_are_never_negative(history, method, zeros):
    y = np.array(history, float) * (rng.random(len(history)) >= zeros)
    y = y[None, :] if y.size else np.zeros((1, 0))
    start = np.zeros(1, np.int64)
    f = forecast_many(method, y, start, 10, 7)
    for flag in (False, True):
        lower, upper = bands(f.points, f.sigma, level_alpha(f), y, start, np.array([flag]))
        assert np.all(lower >= 0)
        assert np.all(lower <= f.points + 1e-12)
        assert np.all(f.points <= upper + 1e-12)


def test_normal_bands_widen_with_the_horizon():
    y = seasonal_series()[None, :]
    f = forecast_many("SES", y, None, 20)
    lower, upper = bands(f.points, f.sigma, level_alpha(f), y, np.zeros(1, np.int64), np.array([False]))
    width = upper - lower
    assert np.all(np.diff(width[0]) >= 0)
    assert width[0, 0] == pytest.approx(2 * NormalDist().inv_cdf(0.9) * f.sigma[0], rel=1e-6)


def test_intermittent_upper_band_is_a_size_of_the_history():
    y = np.array([[0, 0, 3, 0, 0, 0, 3, 0, 0, 5, 0, 0, 0, 3, 0, 0.0]])
    start = np.zeros(1, np.int64)
    f = forecast_many("TSB", y, start, 3)
    lower, upper = bands(f.points, f.sigma, level_alpha(f), y, start, np.array([True]))
    assert set(upper[0]) <= {3.0, 5.0}
    assert lower[0].tolist() == [0.0] * 3


# --------------------------------------------------------------------------- backtest


def test_backtest_by_hand():
    # given SES alpha 0.5, horizon 1: origins 4, 5, 6 forecast 3.25, 4.625, 3.3125
    y = np.array([[2, 4, 2, 4, 6, 2, 8.0]])
    start = np.zeros(1, np.int64)
    result = backtest("SES", y, start, 1, params=np.array([[0.5]]))
    # naive one-step scales (MAE, MSE) of the three histories: (2, 4), (2, 4), (2.4, 6.4)
    errors, maes, mses = [2.75, 2.625, 4.6875], [2, 2, 2.4], [4, 4, 6.4]
    assert result.mase[0] == pytest.approx(sum(e / s for e, s in zip(errors, maes)) / 3)
    assert result.rmsse[0] == pytest.approx(sum(e / math.sqrt(s) for e, s in zip(errors, mses)) / 3)
    assert result.bias[0] == pytest.approx((3.25 + 4.625 + 3.3125 - 16) / 16)


def test_backtest_is_none_with_too_little_history():
    y = np.array([[1, 2, 3, 4, 5, 6.0], [1, 2, 3, 4, 5, 6.0]])
    result = backtest("SES", y, np.array([0, 4]), 1)
    assert result.of(0)[0] is not None
    assert result.of(1) == (None, None, None)


def test_backtest_bias_is_none_without_sales():
    y = np.array([[3, 1, 2, 0, 0, 0.0]])
    assert backtest("SES", y, None, 1).of(0)[2] is None


# --------------------------------------------------------------------------- adjustments


def test_adjustment_factors_scale_only_inside_their_window():
    day = [date(2026, 3, 1) + timedelta(days=i) for i in range(6)]
    points = np.full(5, 2.0)
    promo = Adjustment("a", day[1], day[3], 1.5)
    closure = Adjustment(None, day[4], day[5], 0.0)
    assert adjust(points, day, "a", [promo, closure]).tolist() == [2, 3, 3, 2, 0]
    assert adjust(points, day, "b", [promo, closure]).tolist() == [2, 2, 2, 2, 0]


def test_adjustment_scales_the_part_of_a_bucket_inside_it():
    week = [date(2026, 3, 2), date(2026, 3, 9)]
    promo = Adjustment(None, date(2026, 3, 6), date(2026, 3, 13), 1.5)  # 3 of the week's 7 days
    assert adjust(np.array([7.0]), week, "x", [promo])[0] == pytest.approx(7 * (1 + 0.5 * 3 / 7))


def test_adjustments_are_validated():
    with pytest.raises(ValueError):
        Adjustment(None, date(2026, 1, 2), date(2026, 1, 1), 1.0)
    with pytest.raises(ValueError):
        Adjustment(None, date(2026, 1, 1), date(2026, 1, 2), -1.0)


def test_forecast_skus_applies_datetime_adjustments():
    daily = np.vstack([np.full(120, 4.0), np.full(120, 4.0)])
    first = date(2026, 1, 1)
    as_of = first + timedelta(days=120)
    when = datetime.combine(as_of, datetime.min.time(), tzinfo=timezone.utc)
    closure = Adjustment("a", when, when + timedelta(days=2), 0.0)
    a, b = forecast_skus(daily, first, np.zeros(2), ["a", "b"], as_of, 5, "SES", "DAY", [closure])
    assert [p.quantity for p in a.points] == pytest.approx([0, 0, 4, 4, 4])
    assert [p.quantity for p in b.points] == pytest.approx([4] * 5)
    assert a.points[0].upper == 0.0


# --------------------------------------------------------------------------- buckets


def test_week_buckets_end_the_day_before_as_of():
    first, as_of = date(2026, 1, 1), date(2026, 1, 20)
    edges = history_edges(first, as_of, "WEEK")
    assert edges == [date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 20)]
    daily = np.arange(19, dtype=float)[None, :]
    assert bucket_sums(daily, first, edges).tolist() == [[sum(range(5, 12)), sum(range(12, 19))]]


def test_month_buckets_are_calendar_months():
    edges = history_edges(date(2025, 11, 15), date(2026, 2, 10), "MONTH")
    assert edges == [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert forecast_edges(date(2026, 2, 10), 28, "MONTH") == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert len(forecast_edges(date(2026, 2, 10), 28, "DAY")) == 29
    assert len(forecast_edges(date(2026, 2, 10), 28, "WEEK")) == 5


def test_forecast_skus_buckets_by_week():
    daily = np.full((1, 364), 2.0)
    first = date(2025, 1, 1)
    (f,) = forecast_skus(daily, first, np.zeros(1), ["a"], first + timedelta(days=364), 28, "SES", "WEEK")
    assert [p.quantity for p in f.points] == pytest.approx([14.0] * 4)
    assert f.method == "SES"


# --------------------------------------------------------------------------- normal and imports


def test_normal_ppf_matches_the_stdlib():
    ps = np.r_[1e-9, 0.001, 0.02, 0.02425, 0.1, 0.5, 0.9, 0.95, 0.975, 0.99, 0.999999]
    want = [NormalDist().inv_cdf(p) for p in ps]
    np.testing.assert_allclose(normal_ppf(ps), want, rtol=2e-9)
    with pytest.raises(ValueError):
        normal_ppf(1.0)


def test_engine_forecast_imports_no_heavy_library():
    code = ("import sys, engine.forecast, engine.forecast.replenishment, engine.forecast.sku_forecast; "
            "print(sorted(m for m in ('pandas', 'scipy', 'statsmodels', 'statsforecast') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
