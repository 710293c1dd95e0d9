"""Forecast kernels (engine.kernel._forecast) vs a plain-Python reference model.

The reference below is the specification: the same recursions written as loops over Python
floats (Croston and TSB as statsforecast describes them: smoothing over the list of nonzero
sizes and the list of intervals). Hypothesis drives both with random series, starts,
parameters, horizons and seasons and requires equal forecasts, residual scales and one-step
fitted values to 1e-9.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.kernel import _forecast as k

NAN = math.nan


# --------------------------------------------------------------------------- reference model


def ses_levels(xs, a):
    """Level after each observation, starting at the first."""
    lev, out = xs[0], [xs[0]]
    for x in xs[1:]:
        lev = a * x + (1 - a) * lev
        out.append(lev)
    return out


def ref_ses(y, p, h, m):
    if not y:
        return [0.0] * h, [], []
    levels = ses_levels(y, p[0])
    fitted = [NAN] + levels[:-1]
    return [levels[-1]] * h, fitted, [y[t] - fitted[t] for t in range(1, len(y))]


def damped_sum(phi, j):
    return sum(phi ** i for i in range(1, j + 1))


def ref_holt(y, p, h, m):
    a, be, phi = p[:3]
    if not y:
        return [0.0] * h, [], []
    lev, b = y[0], (y[1] - y[0] if len(y) > 1 else 0.0)
    fitted, res = [NAN], []
    for t in range(1, len(y)):
        f = lev + phi * b
        fitted.append(f)
        res.append(y[t] - f)
        new = a * y[t] + (1 - a) * f
        b = be * (new - lev) + (1 - be) * phi * b
        lev = new
    return [lev + damped_sum(phi, j) * b for j in range(1, h + 1)], fitted, res


def ref_holt_winters(y, p, h, m):
    a, be, g, phi = p[:4]
    if m < 2 or len(y) < 2 * m:
        return ref_holt(y, (a, be, phi), h, m)
    mean1, mean2 = sum(y[:m]) / m, sum(y[m:2 * m]) / m
    b = (mean2 - mean1) / m
    lev = mean1 + b * (m - 1) / 2
    s = [y[i] - (mean1 + b * (i - (m - 1) / 2)) for i in range(m)]
    fitted, res = [NAN] * m, []
    for t in range(m, len(y)):
        f = lev + phi * b + s[t % m]
        fitted.append(f)
        res.append(y[t] - f)
        new = a * (y[t] - s[t % m]) + (1 - a) * (lev + phi * b)
        b = be * (new - lev) + (1 - be) * phi * b
        s[t % m] = g * (y[t] - new) + (1 - g) * s[t % m]
        lev = new
    n = len(y)
    return [lev + damped_sum(phi, j) * b + s[(n - 1 + j) % m] for j in range(1, h + 1)], fitted, res


def croston_reference(factor_of):
    def ref(y, p, h, m):
        a = p[0]
        factor = factor_of(a)
        demand_at = [t for t, v in enumerate(y) if v > 0]
        if not demand_at:
            return [0.0] * h, [NAN] * len(y), []
        sizes = [y[t] for t in demand_at]
        intervals = [t - prev for t, prev in zip(demand_at, [-1] + demand_at[:-1])]
        z, q = ses_levels(sizes, a), ses_levels(intervals, a)
        fitted, res, seen = [], [], -1
        for t in range(len(y)):
            if seen < 0:
                fitted.append(NAN)
            else:
                fitted.append(factor * z[seen] / q[seen])
                res.append(y[t] - fitted[-1])
            if y[t] > 0:
                seen += 1
        return [factor * z[-1] / q[-1]] * h, fitted, res
    return ref


def ref_tsb(y, p, h, m):
    ad, ap = p[:2]
    if not y:
        return [0.0] * h, [], []
    occurrence = ses_levels([1.0 if v > 0 else 0.0 for v in y], ap)
    fitted, res, size = [NAN], [], (y[0] if y[0] > 0 else None)
    for t in range(1, len(y)):
        if size is None:
            fitted.append(NAN)
        else:
            fitted.append(occurrence[t - 1] * size)
            res.append(y[t] - fitted[-1])
        if y[t] > 0:
            size = y[t] if size is None else ad * y[t] + (1 - ad) * size
    return [occurrence[-1] * size if size is not None else 0.0] * h, fitted, res


REFERENCE = {
    k.SES: ref_ses,
    k.HOLT: ref_holt,
    k.HOLT_WINTERS: ref_holt_winters,
    k.CROSTON_SBA: croston_reference(lambda a: 1 - a / 2),
    k.CROSTON_CLASSIC: croston_reference(lambda a: 1.0),
    k.TSB: ref_tsb,
}


def reference(method, y, start, params, h, m):
    """(fcst, sigma, fitted) of every row, as the kernel returns them."""
    fcst, sigma, fitted = [], [], []
    for row, s, p in zip(y.tolist(), start.tolist(), params.tolist()):
        f, fit, res = REFERENCE[method](row[s:], p, h, m)
        fcst.append(f)
        sigma.append(math.sqrt(sum(e * e for e in res) / len(res)) if res else NAN)
        fitted.append([NAN] * s + fit)
    return np.array(fcst).reshape(len(y), h), np.array(sigma), np.array(fitted).reshape(y.shape)


def sse(method, row, p, m):
    return sum(e * e for e in REFERENCE[method](row, p, 0, m)[2])


# --------------------------------------------------------------------------- strategies

demand = st.one_of(
    st.just(0.0),
    st.integers(0, 20).map(float),
    st.floats(0.0, 1e4, allow_nan=False, allow_infinity=False),
)
probability = st.floats(0.01, 0.99)
damping = st.floats(0.7, 1.0)


@st.composite
def problems(draw):
    method = draw(st.sampled_from(sorted(REFERENCE)))
    n_series = draw(st.integers(1, 4))
    width = draw(st.integers(0, 40))
    y = np.array([[draw(demand) for _ in range(width)] for _ in range(n_series)]).reshape(n_series, width)
    start = np.array([draw(st.integers(0, width)) for _ in range(n_series)], np.int64)
    params = np.array([[draw(probability), draw(probability), draw(probability), draw(damping)]
                       for _ in range(n_series)])
    if method in (k.HOLT,):
        params[:, 2] = params[:, 3]
    return method, y, start, params, draw(st.integers(0, 12)), draw(st.sampled_from([0, 1, 2, 4, 7, 12]))


def assert_close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * max(1.0, float(np.nanmax(np.abs(b), initial=0.0))))


# --------------------------------------------------------------------------- properties


@settings(max_examples=400, deadline=None)
@given(problems())
def test_fixed_parameters_equal_the_reference(problem):
    method, y, start, params, h, m = problem
    fitted = np.zeros_like(y)
    fcst, sigma = k.run(method, y, start, params, h, m, fitted)
    want_fcst, want_sigma, want_fitted = reference(method, y, start, params, h, m)
    assert_close(fcst, want_fcst)
    assert_close(sigma, want_sigma)
    assert_close(fitted, want_fitted)


@settings(max_examples=150, deadline=None)
@given(problems(), st.lists(st.tuples(probability, probability, probability, damping), min_size=1, max_size=6))
def test_fit_chooses_the_least_one_step_sse_of_the_grid(problem, rows):
    method, y, start, _, h, m = problem
    grid = np.array(rows)
    if method == k.HOLT:
        grid[:, 2] = grid[:, 3]
    fcst, sigma, chosen = k.fit(method, y, start, grid, h, m)
    for i, (row, s) in enumerate(zip(y.tolist(), start.tolist())):
        errors = [sse(method, row[s:], list(g), m) for g in grid.tolist()]
        best = int(np.argmin(errors))
        # a different row only on a tie (the two sums differ in the last bits)
        assert chosen[i] == best or math.isclose(errors[chosen[i]], errors[best], rel_tol=1e-9, abs_tol=1e-12)
    want_fcst, want_sigma, _ = reference(method, y, start, grid[chosen], h, m)
    assert_close(fcst, want_fcst)
    assert_close(sigma, want_sigma)


# --------------------------------------------------------------------------- examples


def test_ses_starts_at_the_first_observation_and_forecasts_the_last_level():
    y = np.array([[10.0, 20.0, 30.0]])
    fcst, sigma = k.run(k.SES, y, np.zeros(1, np.int64), np.array([[0.5]]), 2)
    # levels 10, 15, 22.5; residuals 10, 15
    assert fcst.tolist() == [[22.5, 22.5]]
    assert sigma[0] == pytest.approx(math.sqrt((100 + 225) / 2))


def test_croston_sba_by_hand():
    y = np.array([[0.0, 3.0, 0.0, 0.0, 6.0]])
    fcst, _ = k.run(k.CROSTON_SBA, y, np.zeros(1, np.int64), np.array([[0.5]]), 1)
    # sizes 3, 6 -> 4.5; intervals 2, 3 -> 2.5; SBA factor 0.75
    assert fcst[0, 0] == pytest.approx(0.75 * 4.5 / 2.5)


def test_tsb_probability_decays_after_the_last_demand():
    y = np.array([[4.0, 4.0, 0.0, 0.0]])
    fcst, _ = k.run(k.TSB, y, np.zeros(1, np.int64), np.array([[0.5, 0.5]]), 1)
    assert fcst[0, 0] == pytest.approx(0.25 * 4.0)


def test_holt_winters_with_less_than_two_seasons_is_damped_holt():
    y = np.array([[1.0, 5.0, 2.0, 6.0, 3.0]])
    start = np.zeros(1, np.int64)
    hw, _ = k.run(k.HOLT_WINTERS, y, start, np.array([[0.3, 0.1, 0.2, 0.9]]), 3, 4)
    holt, _ = k.run(k.HOLT, y, start, np.array([[0.3, 0.1, 0.9]]), 3)
    assert hw.tolist() == holt.tolist()


def test_bad_inputs_are_refused_before_any_work():
    y = np.zeros((2, 5))
    with pytest.raises(ValueError):
        k.run(k.SES, y, np.zeros(1, np.int64), np.zeros((2, 1)), 3)
    with pytest.raises(IndexError):
        k.run(k.SES, y, np.array([0, 6], np.int64), np.zeros((2, 1)), 3)
    with pytest.raises(ValueError):
        k.run(k.HOLT, y, np.zeros(2, np.int64), np.zeros((2, 1)), 3)
    with pytest.raises(ValueError):
        k.run(99, y, np.zeros(2, np.int64), np.zeros((2, 4)), 3)
    with pytest.raises(ValueError):
        k.fit(k.SES, y, np.zeros(2, np.int64), np.zeros((0, 1)), 3)
