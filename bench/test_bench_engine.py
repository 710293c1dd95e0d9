"""The engine's durable path: orders acknowledged only after their group commit (fsync).

    python -m pytest bench/test_bench_engine.py --benchmark-only
Budget (DESIGN.md): >= 100k order lines/s acknowledged after durable commit.
"""
import random

import pytest

from engine import Engine
from engine.domain.commands import LineDraft, OrderDraft, PlaceOrders

from .stocked import stock_up

SKUS = 100_000
LOCATIONS = 10
ORDERS = 10_000
LINES = 3


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with Engine.open(tmp_path_factory.mktemp("bench-engine")) as engine:
        stock_up(engine, SKUS, LOCATIONS)
        yield engine


def orders(rng: random.Random) -> list[PlaceOrders]:
    return [
        PlaceOrders([OrderDraft("web", [LineDraft(f"S{s}", 1) for s in rng.sample(range(SKUS), LINES)])], single=True)
        for _ in range(ORDERS)
    ]


def test_engine_durable_placement(benchmark, engine):
    rng = random.Random(7)
    def place_all(commands):
        futures = [engine.submit(c) for c in commands]
        results = [f.result() for f in futures]
        assert not any(r.errors for r in results)
    benchmark.pedantic(place_all, setup=lambda: ((orders(rng),), {}), rounds=3, iterations=1)
    median = benchmark.stats.stats.median
    benchmark.extra_info["order_lines_per_s"] = round(ORDERS * LINES / median)
    benchmark.extra_info["orders_per_s"] = round(ORDERS / median)
    benchmark.extra_info["commits"] = engine.sequencer.stats["batches"]
