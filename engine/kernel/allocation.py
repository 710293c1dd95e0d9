"""Builds the kernel's CSR arrays from allocation requests and reads its output back."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ._allocate import allocate_batch


class CompiledRule(Protocol):
    """What the kernel reads of a routing rule (domain/routing.py builds them)."""
    loc_ok: np.ndarray    # uint8 [locations]: 1 where the rule may ship from
    max_km: float         # NaN: no limit
    sorts: list[int]      # sort codes (codes.py), -1 padded to 4
    allow_split: bool
    max_shipments: int    # 0: no limit


class StockArrays(Protocol):
    on_hand: np.ndarray   # int32 [skus, locations]
    committed: np.ndarray
    safety: np.ndarray
    shape: Any


@dataclass(slots=True)
class Request:
    rules: list[CompiledRule]
    lines: list[tuple[int, int]]          # (sku index, units)
    used: list[int] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    reject: bool = False


@dataclass(slots=True)
class Allocation:
    line: int          # index into the request's lines
    loc: int
    qty: int
    rule: CompiledRule
    flags: int


@dataclass(slots=True)
class Outcome:
    allocations: list[Allocation]
    rejected: bool


@dataclass(slots=True)
class LocationTable:
    priority: np.ndarray   # int32 [capacity]
    lat: np.ndarray        # float64 [capacity], NaN unknown
    lon: np.ndarray


def location_table(locations: dict[str, dict], capacity: int) -> LocationTable:
    table = LocationTable(np.zeros(capacity, np.int32), np.full(capacity, np.nan), np.full(capacity, np.nan))
    for loc in locations.values():
        address = loc.get("address") or {}
        table.priority[loc["idx"]] = loc["priority"]
        if address.get("latitude") is not None:
            table.lat[loc["idx"]] = address["latitude"]
            table.lon[loc["idx"]] = address["longitude"]
    return table


def _csr(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    starts = np.zeros(len(groups) + 1, dtype=np.int32)
    np.cumsum([len(g) for g in groups], out=starts[1:])
    flat = np.fromiter((x for g in groups for x in g), dtype=np.int32, count=int(starts[-1]))
    return starts, flat


def allocate(stock: StockArrays, locations: LocationTable, requests: list[Request]) -> list[Outcome]:
    """Runs one kernel call over `requests`, in order; updates stock.committed in place."""
    if not requests:
        return []
    rule_ids: dict[int, int] = {}
    rules: list[CompiledRule] = []
    for request in requests:
        for rule in request.rules:
            if id(rule) not in rule_ids:
                rule_ids[id(rule)] = len(rules)
                rules.append(rule)
    n_loc = stock.shape[1]
    rule_loc_ok = np.zeros((max(1, len(rules)), n_loc), dtype=np.uint8)
    for i, rule in enumerate(rules):
        rule_loc_ok[i, : len(rule.loc_ok)] = rule.loc_ok
    line_start, line_flat = _csr([[s for s, _ in r.lines] for r in requests])
    line_qty = np.fromiter((q for r in requests for _, q in r.lines), dtype=np.int32, count=len(line_flat))
    rule_start, rule_flat = _csr([[rule_ids[id(x)] for x in r.rules] for r in requests])
    used_start, used_flat = _csr([r.used for r in requests])
    capacity = max(1, len(line_flat) * n_loc)
    out = {name: np.zeros(capacity, np.int32) for name in ("line", "loc", "qty", "rule")}
    out_flags = np.zeros(capacity, np.uint8)
    order_end = np.zeros(len(requests), np.int32)
    rejected = np.zeros(len(requests), np.uint8)
    total = allocate_batch(
        stock.on_hand, stock.committed, stock.safety,
        locations.priority, locations.lat, locations.lon,
        rule_loc_ok,
        np.array([r.max_km for r in rules] or [math.nan], dtype=np.float64),
        np.array([r.sorts for r in rules] or [[-1] * 4], dtype=np.int8).reshape(-1, 4),
        np.array([r.allow_split for r in rules] or [1], dtype=np.uint8),
        np.array([r.max_shipments for r in rules] or [0], dtype=np.int32),
        line_start, line_flat, line_qty, rule_start, rule_flat, used_start, used_flat,
        np.array([math.nan if r.lat is None else r.lat for r in requests], dtype=np.float64),
        np.array([math.nan if r.lon is None else r.lon for r in requests], dtype=np.float64),
        np.array([r.reject for r in requests], dtype=np.uint8),
        out["line"], out["loc"], out["qty"], out["rule"], out_flags, order_end, rejected,
    )
    out = {k: v[:total] for k, v in out.items()}
    return _outcomes(requests, rules, line_start, out, out_flags[:total], order_end, rejected)


def _outcomes(requests, rules, line_start, out, out_flags, order_end, rejected) -> list[Outcome]:
    lines, locs, qtys, rule_ix = (out[k].tolist() for k in ("line", "loc", "qty", "rule"))
    flags, ends, starts = out_flags.tolist(), order_end.tolist(), line_start.tolist()
    outcomes, begin = [], 0
    for i in range(len(requests)):
        allocations = [
            Allocation(lines[k] - starts[i], locs[k], qtys[k], rules[rule_ix[k]], flags[k])
            for k in range(begin, ends[i])
        ]
        outcomes.append(Outcome(allocations, bool(rejected[i])))
        begin = ends[i]
    return outcomes
