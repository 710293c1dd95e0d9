"""Writes statsforecast's fixed-parameter forecasts of generated series to a JSON fixture.

Run in a throwaway environment (statsforecast is never a dependency of the OMS):
    python -m venv /tmp/sfenv && /tmp/sfenv/bin/pip install statsforecast
    /tmp/sfenv/bin/python bench/statsforecast_oracle.py tests/fixtures/statsforecast_oracle.json
tests/unit/test_forecast_statsforecast.py compares engine.kernel._forecast with it.
"""
from __future__ import annotations

import json
import sys

import numpy as np
import statsforecast
from statsforecast.models import TSB, CrostonClassic, CrostonSBA, SimpleExponentialSmoothing

HORIZON = 7


def series() -> list[list[float]]:
    rng = np.random.default_rng(11)
    out = []
    for i in range(40):
        n = int(rng.integers(5, 120))
        p = [0.9, 0.5, 0.2, 0.05][i % 4]
        y = (rng.random(n) < p) * rng.integers(1, 12, n).astype(float)
        y[int(rng.integers(0, n))] = float(rng.integers(1, 5))  # at least one demand
        out.append(y.tolist())
    return out


def main(path: str) -> None:
    cases = []
    for y in series():
        arr = np.array(y)
        for alpha in (0.1, 0.3):
            cases.append({"method": "SES", "params": [alpha], "y": y,
                          "mean": SimpleExponentialSmoothing(alpha=alpha).forecast(arr, HORIZON)["mean"].tolist()})
        cases.append({"method": "CROSTON_CLASSIC", "params": [0.1], "y": y,
                      "mean": CrostonClassic().forecast(arr, HORIZON)["mean"].tolist()})
        cases.append({"method": "CROSTON_SBA", "params": [0.1], "y": y,
                      "mean": CrostonSBA().forecast(arr, HORIZON)["mean"].tolist()})
        for ad, ap in ((0.1, 0.1), (0.3, 0.05)):
            cases.append({"method": "TSB", "params": [ad, ap], "y": y,
                          "mean": TSB(alpha_d=ad, alpha_p=ap).forecast(arr, HORIZON)["mean"].tolist()})
    with open(path, "w") as f:
        json.dump({"statsforecast": statsforecast.__version__, "horizon": HORIZON, "cases": cases}, f)


if __name__ == "__main__":
    main(sys.argv[1])
