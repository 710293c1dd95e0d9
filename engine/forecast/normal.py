"""The standard normal inverse CDF, vectorised over numpy arrays.

Acklam's rational approximation (relative error < 1.2e-9). Written here because scipy is
banned from the server's import graph (DESIGN.md: import time) and the stdlib's
statistics.NormalDist is scalar-only.
"""
from __future__ import annotations

import numpy as np

_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
_P_LOW = 0.02425


def _poly(coef, x):
    acc = np.zeros_like(x)
    for c in coef:
        acc = acc * x + c
    return acc


def _tail(p):
    q = np.sqrt(-2.0 * np.log(p))
    return _poly(_C, q) / (_poly(_D, q) * q + 1.0)


def normal_ppf(p):
    """z with P(Z <= z) = p, for 0 < p < 1 (float or array)."""
    p = np.asarray(p, dtype=np.float64)
    if np.any((p <= 0.0) | (p >= 1.0)):
        raise ValueError("probability must be inside (0, 1)")
    low, high = p < _P_LOW, p > 1.0 - _P_LOW
    mid = ~(low | high)
    out = np.empty_like(p)
    q = p[mid] - 0.5
    r = q * q
    out[mid] = _poly(_A, r) * q / (_poly(_B, r) * r + 1.0)
    out[low] = _tail(p[low])
    out[high] = -_tail(1.0 - p[high])
    return out if out.ndim else float(out)
