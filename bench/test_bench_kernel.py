"""Throughput of the allocation kernel (engine.kernel._allocate.allocate_batch).

Run: python -m pytest bench/test_bench_kernel.py --benchmark-only
Budget: >= 10M order lines/s.  Every round starts from the same committed
state (reset in the untimed pedantic setup), so all rounds do the same work.
"""
from __future__ import annotations

import numpy as np

from engine.kernel._allocate import allocate_batch

FEWEST_SHIPMENTS, PRIORITY = 0, 2
N_ORDERS, LINES_PER_ORDER = 10_000, 3
N_SKU, N_LOC = 100_000, 10


def make_batch(on_hand: np.ndarray, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    n_lines = N_ORDERS * LINES_PER_ORDER
    n_rules = 1
    sorts = np.full((n_rules, 4), -1, np.int8)
    sorts[0, :2] = [FEWEST_SHIPMENTS, PRIORITY]
    return dict(
        on_hand=np.ascontiguousarray(on_hand, np.int32),
        committed=np.zeros((N_SKU, N_LOC), np.int32),
        safety=np.zeros((N_SKU, N_LOC), np.int32),
        loc_priority=rng.permutation(N_LOC).astype(np.int32),
        loc_lat=rng.uniform(-60, 60, N_LOC),
        loc_lon=rng.uniform(-170, 170, N_LOC),
        rule_loc_ok=np.ones((n_rules, N_LOC), np.uint8),
        rule_max_km=np.full(n_rules, np.nan),
        rule_sorts=sorts,
        rule_allow_split=np.ones(n_rules, np.uint8),
        rule_max_shipments=np.zeros(n_rules, np.int32),
        order_line_start=np.arange(0, n_lines + 1, LINES_PER_ORDER, dtype=np.int32),
        line_sku=rng.integers(0, N_SKU, n_lines, dtype=np.int32),
        line_qty=rng.integers(1, 5, n_lines, dtype=np.int32),
        order_rule_start=np.arange(N_ORDERS + 1, dtype=np.int32),
        order_rules=np.zeros(N_ORDERS, np.int32),
        order_used_start=np.zeros(N_ORDERS + 1, np.int32),
        order_used_locs=np.zeros(0, np.int32),
        order_lat=rng.uniform(-60, 60, N_ORDERS),
        order_lon=rng.uniform(-170, 170, N_ORDERS),
        order_reject=np.zeros(N_ORDERS, np.uint8),
        out_line=np.zeros(n_lines * N_LOC, np.int32),
        out_loc=np.zeros(n_lines * N_LOC, np.int32),
        out_qty=np.zeros(n_lines * N_LOC, np.int32),
        out_rule=np.zeros(n_lines * N_LOC, np.int32),
        out_flags=np.zeros(n_lines * N_LOC, np.uint8),
        order_alloc_end=np.zeros(N_ORDERS, np.int32),
        order_rejected=np.zeros(N_ORDERS, np.uint8),
    )


def run(benchmark, args: dict) -> int:
    committed = args["committed"]
    initial = committed.copy()

    def setup():
        np.copyto(committed, initial)
        return (), args

    total = benchmark.pedantic(allocate_batch, setup=setup, rounds=60, warmup_rounds=3, iterations=1)
    n_lines = len(args["line_sku"])
    benchmark.extra_info["lines"] = n_lines
    benchmark.extra_info["allocations"] = total
    benchmark.extra_info["lines_per_s"] = n_lines / benchmark.stats.stats.median
    return total


def test_bench_ample_stock(benchmark):
    args = make_batch(np.full((N_SKU, N_LOC), 1_000, np.int32))
    total = run(benchmark, args)
    assert total == N_ORDERS * LINES_PER_ORDER  # every line from a single location


def test_bench_scarce_stock(benchmark):
    rng = np.random.default_rng(2)
    # mostly 0-2 units per location: lines split over several locations, some stay short
    on_hand = rng.choice([0, 0, 0, 1, 2], size=(N_SKU, N_LOC)).astype(np.int32)
    args = make_batch(on_hand)
    total = run(benchmark, args)
    assert total > N_ORDERS * LINES_PER_ORDER
