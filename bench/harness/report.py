"""A scenario's result: the table printed after the run, the --json object, and the
server's own view from GET /metrics (Prometheus text, `oms_` lines without `_bucket`)."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from prometheus_client.parser import text_string_to_metric_families

from .checks import Check
from .metrics_fetch import fetch_metrics
from .recorder import Recorder, latency_summary_ms



@dataclass
class Result:
    scenario: str
    duration_s: float
    operations: int
    unit: str                      # what an operation is: "orders", "operations", "deliveries"
    latency_ms: dict
    errors: int
    error_kinds: dict
    refusals: int
    check: Check
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: str, duration_s: float, unit: str, rec: Recorder, check: Check, **extra) -> "Result":
        return cls(scenario, duration_s, rec.operations, unit, latency_summary_ms(rec.latencies_s), rec.error_count,
                   {k: {"count": n, "example": rec.error_examples.get(k, "")} for k, n in rec.errors.items()},
                   rec.refusals, check, extra)

    @property
    def throughput_per_s(self) -> float:
        return self.operations / self.duration_s if self.duration_s > 0 else 0.0

    def as_dict(self) -> dict:
        return {
            "scenario": self.scenario, "duration_s": round(self.duration_s, 3), "operations": self.operations,
            "throughput_per_s": round(self.throughput_per_s, 1), "unit": f"{self.unit}/s",
            "latency_ms": self.latency_ms, "errors": self.errors, "error_kinds": self.error_kinds,
            "expected_refusals": self.refusals, "check": self.check.as_dict(), "extra": self.extra,
        }


def write_json(result: Result, path: str) -> None:
    Path(path).write_bytes(orjson.dumps(result.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} ms"


def print_table(result: Result, stream=None) -> None:
    out = stream or sys.stdout
    lat = result.latency_ms
    rows = [
        ("scenario", result.scenario),
        ("duration", f"{result.duration_s:,.2f} s"),
        ("operations", f"{result.operations:,} {result.unit}"),
        ("throughput", f"{result.throughput_per_s:,.1f} {result.unit}/s"),
        ("latency p50", _ms(lat["p50"])), ("latency p95", _ms(lat["p95"])),
        ("latency p99", _ms(lat["p99"])), ("latency max", _ms(lat["max"])),
        ("errors", f"{result.errors:,}"),
    ]
    for kind, info in sorted(result.error_kinds.items()):
        rows.append((f"  {kind}", f"{info['count']:,}  e.g. {info['example'][:160]}"))
    rows.append(("refusals", f"{result.refusals:,} (expected: INSUFFICIENT_STOCK on a REJECT channel)"))
    for key, value in result.extra.items():
        rows.append((key.replace("_", " "), _extra(value)))
    rows.append(("check", f"{'PASSED' if result.check.passed else 'FAILED'}  {result.check.name}"))
    rows.append(("", result.check.detail))
    width = max(len(k) for k, _ in rows)
    print("-" * 72, file=out)
    for key, value in rows:
        print(f"{key:<{width}}  {value}", file=out)
    print("-" * 72, file=out)


def _extra(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_extra(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_extra(v) for v in value)
    return str(value)


def interesting_metric_lines(text: str) -> list[str]:
    """`oms_` samples, without histogram buckets and without `_created` (start timestamps)."""
    return [line for line in text.splitlines()
            if line.startswith("oms_") and "_bucket" not in line and not line.split("{")[0].split(" ")[0].endswith("_created")]


def _samples(text: str) -> dict[str, float]:
    """Unlabelled samples by name."""
    return {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples if not s.labels}


def writer_us_per_order(before: str | None, after: str | None) -> float | None:
    """The server's writer time per order placed between two scrapes (apply and durable commit,
    over commits that hold only placements), in microseconds; None if unknown."""
    if before is None or after is None:
        return None
    values = [_samples(t).get(n) for t in (before, after) for n in ("oms_writer_placing_seconds_total", "oms_writer_placed_orders_total")]
    if None in values:
        return None
    seconds, orders = values[2] - values[0], values[3] - values[1]
    return seconds / orders * 1e6 if orders > 0 and seconds >= 0 else None  # a restart resets the counters


def server_cpu_us(before: str | None, after: str | None) -> dict[str, float]:
    """The server's CPU (every process: writer and workers) between two scrapes, in microseconds
    per GraphQL request and per order placed; empty if unknown. Each process's CPU sample may be
    up to 0.1 s old (api/metrics.py): over a run of seconds, a few per cent."""
    if before is None or after is None:
        return {}
    first, last = _samples(before), _samples(after)
    by_role = {role: seconds - _cpu_by_role(before).get(role, 0.0) for role, seconds in _cpu_by_role(after).items()}
    cpu = sum(by_role.values())
    requests = _requests(after) - _requests(before)
    orders = last.get("oms_writer_placed_orders_total", 0.0) - first.get("oms_writer_placed_orders_total", 0.0)
    figures = {}
    if cpu > 0 and requests > 0:
        figures["server_cpu_us_per_request"] = round(cpu / requests * 1e6, 1)
        if len(by_role) > 1:  # writer and workers: each one's share
            for role, seconds in sorted(by_role.items()):
                figures[f"{role}_processes_cpu_us_per_request"] = round(seconds / requests * 1e6, 1)
    if cpu > 0 and orders > 0:
        figures["server_cpu_us_per_order"] = round(cpu / orders * 1e6, 1)
    return figures


def _cpu_by_role(text: str) -> dict[str, float]:
    return {s.labels.get("role", ""): s.value for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == "oms_process_cpu_seconds"}


def _requests(text: str) -> float:
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "oms_graphql_requests_total")


async def print_server_metrics(base_url: str, token: str, stream=None) -> None:
    out = stream or sys.stdout
    text, why_not = await fetch_metrics(base_url, token)
    if text is None:
        print(f"server metrics: {why_not}", file=out)
        return
    print("the server's view (GET /metrics):", file=out)
    for line in interesting_metric_lines(text) or ["(no oms_ lines)"]:
        print(f"  {line}", file=out)
