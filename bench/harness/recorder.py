"""What a scenario measured: per-request latencies, acknowledged operations, errors by
kind (with a first example of each) and expected refusals."""
from __future__ import annotations

from array import array
from collections import Counter

import numpy as np

percentiles = (50, 95, 99)


class Recorder:
    def __init__(self) -> None:
        self.latencies_s = array("d")
        self.operations = 0
        self.errors: Counter[str] = Counter()
        self.error_examples: dict[str, str] = {}
        self.refusals = 0

    def latency(self, seconds: float) -> None:
        self.latencies_s.append(seconds)

    def done(self, operations: int = 1) -> None:
        self.operations += operations

    def error(self, kind: str, message: str, count: int = 1) -> None:
        self.errors[kind] += count
        self.error_examples.setdefault(kind, message[:300])

    def refused(self, count: int = 1) -> None:
        self.refusals += count

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def latency_summary_ms(latencies_s) -> dict[str, float | None]:
    """p50/p95/p99/max in milliseconds (numpy percentiles); None for no samples."""
    values = np.frombuffer(latencies_s, dtype=np.float64) if isinstance(latencies_s, array) else np.asarray(latencies_s, dtype=np.float64)
    if values.size == 0:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    p = np.percentile(values, percentiles) * 1000.0
    return {"p50": round(float(p[0]), 3), "p95": round(float(p[1]), 3), "p99": round(float(p[2]), 3),
            "max": round(float(values.max()) * 1000.0, 3)}
