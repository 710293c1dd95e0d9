"""engine.forecast.replenishment: order-up-to suggestions, reorder rules, safety stock."""
from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.domain.limits import quantity_max
from engine.forecast.adjustments import Adjustment, adjust
from engine.forecast.replenishment import (
    DailyForecast,
    ReorderRule,
    compound_lead_time_quantile,
    suggest,
)

AS_OF = date(2026, 3, 1)
NO_SIZES = np.zeros(0)


def smooth(rate=2.0, sigma=1.0, days=35):
    return DailyForecast(np.full(days, rate), sigma, False, NO_SIZES)


def test_hand_computed_suggestion():
    # given 2 units a day (one-step sigma 1), onHand 10, committed 2, lead time 7, horizon 28
    s = suggest(10, 2, 0, smooth(), AS_OF, 7, 28, 0.95)
    # then safety = ceil(1.645 * 1 * sqrt 7) = 5, reorder point = 14 + 5, up to 70 + 5 - 8
    assert s.safety_stock == math.ceil(NormalDist().inv_cdf(0.95) * math.sqrt(7)) == 5
    assert s.reorder_point == 19
    assert s.forecast_demand == pytest.approx(70.0)
    assert s.suggested_quantity == 67
    assert s.stockout_date == AS_OF + timedelta(days=4)  # 8 available, 10 demanded by day 5
    assert s.reason.startswith("Position 8 is at or below the reorder point 19")


def test_above_the_reorder_point_nothing_is_suggested():
    s = suggest(30, 0, 0, smooth(), AS_OF, 7, 28, 0.95)
    assert s.suggested_quantity == 0
    assert "above the reorder point" in s.reason


def test_incoming_counts_in_the_position():
    s = suggest(0, 0, 60, smooth(), AS_OF, 7, 28, 0.95)
    assert s.suggested_quantity == 0
    assert s.stockout_date == AS_OF + timedelta(days=30)  # 62 demanded by the end of day 31


def test_pack_multiple_rounds_up():
    s = suggest(10, 2, 0, smooth(), AS_OF, 7, 28, 0.95, ReorderRule(multiple=12, supplier="acme"))
    assert s.suggested_quantity == 72
    assert s.supplier == "acme"
    assert "multiple of 12" in s.reason


def test_max_caps_at_a_multiple_below_it():
    s = suggest(10, 2, 0, smooth(), AS_OF, 7, 28, 0.95, ReorderRule(max_quantity=60, multiple=12))
    assert s.suggested_quantity == 48  # room 52 -> rounded up 60 -> down to 48
    assert "maxQuantity 60" in s.reason


def test_max_without_room_for_the_minimum_order_suggests_nothing():
    s = suggest(10, 2, 0, smooth(), AS_OF, 7, 28, 0.95, ReorderRule(max_quantity=20, minimum_order_quantity=50))
    assert s.suggested_quantity == 0
    assert s.reason.startswith("Nothing: maxQuantity 20")


def test_minimum_order_quantity_raises_a_small_order():
    s = suggest(60, 0, 0, smooth(rate=2.0, sigma=0.0), AS_OF, 7, 28, 0.95, ReorderRule(minimum_order_quantity=50))
    assert s.suggested_quantity == 0  # 60 > reorder point 14
    s = suggest(14, 0, 0, smooth(rate=2.0, sigma=0.0), AS_OF, 7, 28, 0.95, ReorderRule(minimum_order_quantity=100))
    assert s.suggested_quantity == 100
    assert "minimum order quantity 100" in s.reason


def test_min_quantity_orders_even_above_the_reorder_point():
    s = suggest(30, 0, 0, smooth(), AS_OF, 7, 28, 0.95, ReorderRule(min_quantity=100))
    assert s.suggested_quantity == 70
    assert "minQuantity 100" in s.reason


def test_rule_lead_time_overrides_the_query():
    s = suggest(0, 0, 0, smooth(days=60), AS_OF, 7, 28, 0.95, ReorderRule(lead_time_days=21))
    assert s.forecast_demand == pytest.approx(2.0 * 49)


def test_no_history_suggests_nothing_unless_min_says_so():
    empty = DailyForecast(np.zeros(35), math.nan, False, NO_SIZES)
    s = suggest(0, 0, 0, empty, AS_OF, 7, 28, 0.95)
    assert (s.suggested_quantity, s.safety_stock, s.reorder_point, s.stockout_date) == (0, 0, 0, None)
    assert suggest(0, 0, 0, empty, AS_OF, 7, 28, 0.95, ReorderRule(min_quantity=10)).suggested_quantity == 10


@pytest.mark.parametrize("factor, quantity", [(0.0, 0), (1.0, 67), (1.5, 104)])
def test_adjustment_factors_reach_the_suggestion(factor, quantity):
    edges = [AS_OF + timedelta(days=i) for i in range(36)]
    points = adjust(np.full(35, 2.0), edges, "a", [Adjustment("a", edges[0], edges[-1], factor)])
    s = suggest(10, 2, 0, DailyForecast(points, 1.0 * factor, False, NO_SIZES), AS_OF, 7, 28, 0.95)
    # 1.5: safety 1.645 * 1.5 * sqrt 7 = 6.53, up to ceil(105 + 6.53 - 8)
    assert s.suggested_quantity == quantity


def test_quantities_are_clipped_to_the_int_limit():
    huge = DailyForecast(np.full(35, 1e12), 1e12, False, NO_SIZES)
    s = suggest(0, 0, 0, huge, AS_OF, 7, 28, 0.95, ReorderRule(multiple=7))
    assert s.suggested_quantity == quantity_max
    assert s.safety_stock == s.reorder_point == quantity_max
    full = suggest(quantity_max, 0, quantity_max, smooth(), AS_OF, 7, 28, 0.95)
    assert full.suggested_quantity == 0


def test_forecast_must_cover_lead_time_and_horizon():
    with pytest.raises(ValueError):
        suggest(0, 0, 0, smooth(days=10), AS_OF, 7, 28, 0.95)
    with pytest.raises(ValueError):
        suggest(0, 0, 0, smooth(), AS_OF, 7, 28, 1.0)
    with pytest.raises(ValueError):
        ReorderRule(min_quantity=10, max_quantity=5)


# --------------------------------------------------------------------------- intermittent safety stock


def brute_force_quantile(occur, sizes, days, level):
    """Enumerates every sequence of daily outcomes (no demand, or one of the sizes)."""
    outcomes = [(0, 1 - occur)] + [(s, occur / len(sizes)) for s in sizes]
    dist = {}
    for combo in itertools.product(outcomes, repeat=days):
        total = sum(c[0] for c in combo)
        dist[total] = dist.get(total, 0.0) + math.prod(c[1] for c in combo)
    acc = 0.0
    for total in sorted(dist):
        acc += dist[total]
        if acc >= level - 1e-12:
            return total


@pytest.mark.parametrize("level", [0.5, 0.8, 0.95, 0.99])
def test_compound_quantile_equals_enumeration(level):
    sizes = np.array([1.0, 2.0, 2.0, 7.0])
    rate = 0.2 * sizes.mean()
    assert compound_lead_time_quantile(rate, sizes, 4, level) == brute_force_quantile(0.2, [1, 2, 2, 7], 4, level)


def test_intermittent_reorder_point_covers_the_service_level():
    # given a sku selling on 5% of days, mostly 1 unit, sometimes 10
    gen = np.random.default_rng(3)
    sizes = np.array([1.0] * 6 + [2.0] * 3 + [10.0])
    rate = 0.05 * sizes.mean()
    forecast = DailyForecast(np.full(35, rate), math.nan, True, sizes)
    s = suggest(100, 0, 0, forecast, AS_OF, 7, 28, 0.95)
    # then lead-time demand stays within the reorder point on >= 95% of simulated lead times
    occur = gen.random((200_000, 7)) < 0.05
    demand = (occur * gen.choice(sizes, (200_000, 7))).sum(axis=1)
    assert np.mean(demand <= s.reorder_point) >= 0.945
    assert np.mean(demand <= s.reorder_point - 1) < 0.95


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(0, 100), st.integers(0, 200), st.floats(0, 50),
       st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(0, 800)),
       st.integers(1, 24), st.integers(1, 60))
def test_suggestions_respect_the_rule(on_hand, committed, incoming, rate, low, high, multiple, moq):
    assume(low is None or high is None or low <= high)
    rule = ReorderRule(min_quantity=low, max_quantity=high, multiple=multiple, minimum_order_quantity=moq)
    s = suggest(on_hand, committed, incoming, smooth(rate=rate), AS_OF, 7, 28, 0.9, rule)
    position = on_hand - committed + incoming
    q = s.suggested_quantity
    assert q >= 0
    if q:
        assert q % multiple == 0 and q >= moq
        assert high is None or position + q <= high
    if low is not None and position < low:
        smallest = -(-max(low - position, moq) // multiple) * multiple  # reaches min as the rule allows
        if high is None or position + smallest <= high:
            assert position + q >= low
