"""Fixed-parameter SES, Croston (classic, SBA) and TSB equal statsforecast's to 1e-9.

The fixture is statsforecast's own output for generated series; regenerate it with
    python -m venv /tmp/sfenv && /tmp/sfenv/bin/pip install statsforecast
    /tmp/sfenv/bin/python bench/statsforecast_oracle.py tests/fixtures/statsforecast_oracle.json
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.kernel import _forecast as k

FIXTURE = json.loads((Path(__file__).parent.parent / "fixtures" / "statsforecast_oracle.json").read_text())


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: f"{c['method']}-{len(c['y'])}")
def test_kernel_equals_statsforecast(case):
    y = np.array([case["y"]])
    params = np.array([case["params"]])
    fcst, _ = k.run(getattr(k, case["method"]), y, np.zeros(1, np.int64), params, FIXTURE["horizon"])
    np.testing.assert_allclose(fcst[0], case["mean"], rtol=1e-9, atol=1e-9)
