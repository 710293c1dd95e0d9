# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Forecasting kernels over many demand series per call (engine.kernel._forecast).

Input: y[n_series, n_buckets] float64 units per bucket (>= 0), start[n_series]: the index of
each series' first observation (older buckets are ignored, so series of different lengths
share one array). The recursions are specified by the plain-Python reference model in
tests/unit/test_forecast_kernels.py; this module must stay equal to it to 1e-9.

Fixed parameters (`run`) follow statsforecast's conventions, so that SES, Croston (classic and
SBA) and TSB equal its fixed-parameter forecasts: an SES level starts at the first observation
and the forecast is the last smoothed level; Croston smooths the nonzero sizes and the
intervals between them (the first interval counts from one before the first bucket); TSB
smooths the size when demand occurs and the 0/1 occurrence every bucket.

Fitted parameters (`fit`) are chosen per series by grid search: every row of a parameter grid
is run and the one with the least in-sample one-step squared error wins (the first on ties);
a row stops as soon as its error exceeds the best so far, which cannot change the choice.
"""
from libc.math cimport sqrt, NAN, INFINITY
from libc.stdlib cimport malloc, free
from libc.stdint cimport int64_t

import numpy as np

cdef enum:
    C_SES = 0
    C_HOLT = 1
    C_HOLT_WINTERS = 2
    C_CROSTON_SBA = 3
    C_CROSTON_CLASSIC = 4
    C_TSB = 5
    C_METHODS = 6
    PARAMS_MAX = 4

# the same values for Python (engine/forecast/methods.py names them): one definition
SES = C_SES
HOLT = C_HOLT
HOLT_WINTERS = C_HOLT_WINTERS
CROSTON_SBA = C_CROSTON_SBA
CROSTON_CLASSIC = C_CROSTON_CLASSIC
TSB = C_TSB
# parameter columns per method: SES (alpha), HOLT (alpha, beta, phi),
# HOLT_WINTERS (alpha, beta, gamma, phi), CROSTON_* (alpha), TSB (alpha_size, alpha_occurrence)
PARAM_COUNT = (1, 3, 4, 1, 1, 2)


cdef struct Row:
    const double* y      # first observation
    Py_ssize_t n         # observations
    Py_ssize_t h         # horizon
    Py_ssize_t m         # season length (HOLT_WINTERS)
    double* fcst         # [h] or NULL
    double* fitted       # [n] or NULL: one-step forecast of each observation, NaN where none
    double* season       # [m] work space
    Py_ssize_t nres      # out: one-step residuals counted
    double bound         # a search stops a row once its SSE exceeds this (returns early)


cdef inline void _flat(Row* r, double value) noexcept nogil:
    cdef Py_ssize_t j
    if r.fcst != NULL:
        for j in range(r.h):
            r.fcst[j] = value


cdef inline void _no_fit(Row* r, Py_ssize_t upto) noexcept nogil:
    cdef Py_ssize_t t
    if r.fitted != NULL:
        for t in range(upto):
            r.fitted[t] = NAN


cdef double _ses(Row* r, const double* p) noexcept nogil:
    cdef double a = p[0], lev, e, sse = 0.0
    cdef Py_ssize_t t
    if r.n == 0:
        _flat(r, 0.0)
        return 0.0
    lev = r.y[0]
    _no_fit(r, 1)
    for t in range(1, r.n):
        if r.fitted != NULL:
            r.fitted[t] = lev
        e = r.y[t] - lev
        sse += e * e
        if sse > r.bound:
            return sse
        lev = a * r.y[t] + (1.0 - a) * lev
    r.nres = r.n - 1
    _flat(r, lev)
    return sse


cdef void _trend_forecast(Row* r, double lev, double b, double phi, Py_ssize_t season_at) noexcept nogil:
    # season_at < 0: no seasonal term; else bucket j (1-based) uses season[(season_at + j) % m]
    cdef double acc = 0.0, pw = 1.0
    cdef Py_ssize_t j
    if r.fcst == NULL:
        return
    for j in range(r.h):
        pw *= phi
        acc += pw
        r.fcst[j] = lev + acc * b
        if season_at >= 0:
            r.fcst[j] += r.season[(season_at + j + 1) % r.m]


cdef double _holt(Row* r, const double* p) noexcept nogil:
    cdef double a = p[0], be = p[1], phi = p[2], lev, b, f, e, ln, sse = 0.0
    cdef Py_ssize_t t
    if r.n == 0:
        _flat(r, 0.0)
        return 0.0
    lev = r.y[0]
    b = r.y[1] - r.y[0] if r.n > 1 else 0.0
    _no_fit(r, 1)
    for t in range(1, r.n):
        f = lev + phi * b
        if r.fitted != NULL:
            r.fitted[t] = f
        e = r.y[t] - f
        sse += e * e
        if sse > r.bound:
            return sse
        ln = a * r.y[t] + (1.0 - a) * f
        b = be * (ln - lev) + (1.0 - be) * phi * b
        lev = ln
    r.nres = r.n - 1
    _trend_forecast(r, lev, b, phi, -1)
    return sse


cdef double _holt_winters(Row* r, const double* p) noexcept nogil:
    # fewer than two full seasons: damped Holt (the seasonal terms cannot be estimated)
    cdef double a = p[0], be = p[1], g = p[2], phi = p[3]
    cdef double lev, b, f, e, ln, mean1 = 0.0, mean2 = 0.0, sse = 0.0
    cdef Py_ssize_t t, i, m = r.m
    cdef double hp[3]
    if m < 2 or r.n < 2 * m:
        hp[0] = a
        hp[1] = be
        hp[2] = phi
        return _holt(r, hp)
    for i in range(m):
        mean1 += r.y[i]
        mean2 += r.y[m + i]
    mean1 /= m
    mean2 /= m
    b = (mean2 - mean1) / m
    lev = mean1 + b * (m - 1) * 0.5
    for i in range(m):
        r.season[i] = r.y[i] - (mean1 + b * (i - (m - 1) * 0.5))
    _no_fit(r, m)
    for t in range(m, r.n):
        i = t % m
        f = lev + phi * b + r.season[i]
        if r.fitted != NULL:
            r.fitted[t] = f
        e = r.y[t] - f
        sse += e * e
        if sse > r.bound:
            return sse
        ln = a * (r.y[t] - r.season[i]) + (1.0 - a) * (lev + phi * b)
        b = be * (ln - lev) + (1.0 - be) * phi * b
        r.season[i] = g * (r.y[t] - ln) + (1.0 - g) * r.season[i]
        lev = ln
    r.nres = r.n - m
    _trend_forecast(r, lev, b, phi, r.n - 1)
    return sse


cdef double _croston(Row* r, const double* p, double factor) noexcept nogil:
    cdef double a = p[0], z = 0.0, q = 0.0, f, e, sse = 0.0
    cdef Py_ssize_t t, last = -1
    cdef bint seen = False
    r.nres = 0
    for t in range(r.n):
        if seen:
            f = factor * z / q
            if r.fitted != NULL:
                r.fitted[t] = f
            e = r.y[t] - f
            sse += e * e
            if sse > r.bound:
                return sse
            r.nres += 1
        elif r.fitted != NULL:
            r.fitted[t] = NAN
        if r.y[t] > 0.0:
            if seen:
                z = a * r.y[t] + (1.0 - a) * z
                q = a * (t - last) + (1.0 - a) * q
            else:
                z = r.y[t]
                q = t - last
                seen = True
            last = t
    _flat(r, factor * z / q if seen else 0.0)
    return sse


cdef double _tsb(Row* r, const double* p) noexcept nogil:
    cdef double ad = p[0], ap = p[1], z = 0.0, pr, occ, f, e, sse = 0.0
    cdef Py_ssize_t t
    cdef bint seen
    r.nres = 0
    if r.n == 0:
        _flat(r, 0.0)
        return 0.0
    seen = r.y[0] > 0.0
    pr = 1.0 if seen else 0.0
    if seen:
        z = r.y[0]
    _no_fit(r, 1)
    for t in range(1, r.n):
        if seen:
            f = pr * z
            if r.fitted != NULL:
                r.fitted[t] = f
            e = r.y[t] - f
            sse += e * e
            if sse > r.bound:
                return sse
            r.nres += 1
        elif r.fitted != NULL:
            r.fitted[t] = NAN
        occ = 1.0 if r.y[t] > 0.0 else 0.0
        pr = ap * occ + (1.0 - ap) * pr
        if r.y[t] > 0.0:
            z = ad * r.y[t] + (1.0 - ad) * z if seen else r.y[t]
            seen = True
    _flat(r, pr * z if seen else 0.0)
    return sse


cdef double _one(int method, Row* r, const double* p) noexcept nogil:
    r.nres = 0
    if method == C_SES:
        return _ses(r, p)
    if method == C_HOLT:
        return _holt(r, p)
    if method == C_HOLT_WINTERS:
        return _holt_winters(r, p)
    if method == C_CROSTON_SBA:
        return _croston(r, p, 1.0 - 0.5 * p[0])
    if method == C_CROSTON_CLASSIC:
        return _croston(r, p, 1.0)
    return _tsb(r, p)


cdef inline double _sigma(double sse, Py_ssize_t nres) noexcept nogil:
    return sqrt(sse / nres) if nres > 0 else NAN


cdef _validate(int method, y, start, Py_ssize_t horizon, Py_ssize_t season, Py_ssize_t n_params):
    if method < 0 or method >= C_METHODS:
        raise ValueError(f"unknown method code {method}")
    if y.ndim != 2 or start.ndim != 1 or start.shape[0] != y.shape[0]:
        raise ValueError("y must be [n_series, n_buckets] and start [n_series]")
    if horizon < 0 or season < 0:
        raise ValueError("horizon and season must be >= 0")
    if n_params < PARAM_COUNT[method]:
        raise ValueError(f"method {method} needs {PARAM_COUNT[method]} parameter columns")
    if start.shape[0] and (np.min(start) < 0 or np.max(start) > y.shape[1]):
        raise IndexError("start outside [0, n_buckets]")


def run(int method, const double[:, ::1] y, const int64_t[::1] start, const double[:, ::1] params,
        Py_ssize_t horizon, Py_ssize_t season=0, double[:, ::1] fitted=None):
    """Forecasts every series with its own parameters (params[i]); returns (fcst[n, h], sigma[n]).

    sigma is the root mean squared in-sample one-step residual (NaN with none). When `fitted`
    ([n_series, n_buckets]) is given it receives the one-step forecasts (NaN where none, and
    before each series' start).
    """
    _validate(method, np.asarray(y), np.asarray(start), horizon, season, params.shape[1])
    if params.shape[0] != y.shape[0]:
        raise ValueError("params must have one row per series")
    if fitted is not None and (fitted.shape[0] != y.shape[0] or fitted.shape[1] != y.shape[1]):
        raise ValueError("fitted must have y's shape")
    cdef Py_ssize_t n_series = y.shape[0], width = y.shape[1], i, t
    fcst_arr = np.zeros((n_series, horizon), np.float64)
    sigma_arr = np.zeros(n_series, np.float64)
    cdef double[:, ::1] fcst = fcst_arr
    cdef double[::1] sigma = sigma_arr
    cdef Row r
    cdef double sse
    cdef double* work = <double*>malloc((season + 1) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    try:
        with nogil:
            for i in range(n_series):
                r.y = &y[i, 0] + start[i] if width else NULL
                r.n = width - start[i]
                r.h = horizon
                r.m = season
                r.fcst = &fcst[i, 0] if horizon else NULL
                r.fitted = NULL
                if fitted is not None and width:
                    for t in range(start[i]):
                        fitted[i, t] = NAN
                    r.fitted = &fitted[i, 0] + start[i]
                r.season = work
                r.bound = INFINITY
                sse = _one(method, &r, &params[i, 0])
                sigma[i] = _sigma(sse, r.nres)
    finally:
        free(work)
    return fcst_arr, sigma_arr


def fit(int method, const double[:, ::1] y, const int64_t[::1] start, const double[:, ::1] grid,
        Py_ssize_t horizon, Py_ssize_t season=0):
    """Chooses each series' parameters from `grid` (rows of parameters) by the least in-sample
    one-step squared error (grid search, first row on ties) and forecasts with them.

    Returns (fcst[n, h], sigma[n], chosen[n]): chosen is the grid row used for each series.
    """
    _validate(method, np.asarray(y), np.asarray(start), horizon, season, grid.shape[1])
    if grid.shape[0] == 0:
        raise ValueError("empty grid")
    cdef Py_ssize_t n_series = y.shape[0], width = y.shape[1], n_grid = grid.shape[0], i, k, best
    fcst_arr = np.zeros((n_series, horizon), np.float64)
    sigma_arr = np.zeros(n_series, np.float64)
    chosen_arr = np.zeros(n_series, np.int64)
    cdef double[:, ::1] fcst = fcst_arr
    cdef double[::1] sigma = sigma_arr
    cdef int64_t[::1] chosen = chosen_arr
    cdef Row r
    cdef double sse, best_sse
    cdef double* work = <double*>malloc((season + 1) * sizeof(double))
    if work == NULL:
        raise MemoryError()
    try:
        with nogil:
            for i in range(n_series):
                r.y = &y[i, 0] + start[i] if width else NULL
                r.n = width - start[i]
                r.h = horizon
                r.m = season
                r.fitted = NULL
                r.season = work
                r.fcst = NULL
                best = 0
                best_sse = INFINITY
                for k in range(n_grid):
                    r.bound = best_sse    # a row already worse than the best cannot win
                    sse = _one(method, &r, &grid[k, 0])
                    if sse < best_sse:
                        best_sse = sse
                        best = k
                r.fcst = &fcst[i, 0] if horizon else NULL
                r.bound = INFINITY
                sse = _one(method, &r, &grid[best, 0])
                sigma[i] = _sigma(sse, r.nres)
                chosen[i] = best
    finally:
        free(work)
    return fcst_arr, sigma_arr, chosen_arr
