"""The engine's durable path: orders acknowledged only after their group commit (fsync).

    python -m pytest bench/test_bench_engine.py --benchmark-only
Budgets (DESIGN.md): >= 100k order lines/s acknowledged after durable commit; the writer's
cost per placed order <= 30 us (batches of 2,000, extra_info writer_us_per_order).
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
BATCHED_SKUS = 20_000
BATCH_ORDERS = 2_000
BATCHES = 5
CUSTOMERS = 1_000


def stocked_engine(tmp_path_factory, name: str, skus: int):
    with Engine.open(tmp_path_factory.mktemp(name)) as engine:
        stock_up(engine, skus, LOCATIONS)
        yield engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    yield from stocked_engine(tmp_path_factory, "bench-engine", SKUS)


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


@pytest.fixture(scope="module")
def batched_engine(tmp_path_factory):
    yield from stocked_engine(tmp_path_factory, "bench-engine-batched", BATCHED_SKUS)


def batches(rng: random.Random) -> list[PlaceOrders]:
    """ordersPlace-sized commands of 3-line orders from returning customers: each order gets a
    shipment, events and a confirmation email (the default rule)."""
    return [
        PlaceOrders([OrderDraft("web", [LineDraft(f"S{s}", 1) for s in rng.sample(range(BATCHED_SKUS), LINES)],
                                customer={"email": f"c{rng.randrange(CUSTOMERS)}@example.com", "name": "Customer"})
                     for _ in range(BATCH_ORDERS)])
        for _ in range(BATCHES)
    ]


def test_engine_batched_placement_writer_cost(benchmark, batched_engine):
    """One command per batch, one batch per commit: the writer's apply-and-commit time per order."""
    rng = random.Random(11)
    stats = batched_engine.sequencer.stats
    spent = {"s": 0.0, "orders": 0}

    def place_all(commands):
        before_s, before_n = stats["placing_s"], stats["placed_orders"]
        for command in commands:
            assert not batched_engine.execute(command).errors
        spent["s"] += stats["placing_s"] - before_s
        spent["orders"] += stats["placed_orders"] - before_n
    benchmark.pedantic(place_all, setup=lambda: ((batches(rng),), {}), rounds=3, iterations=1)
    benchmark.extra_info["writer_us_per_order"] = round(spent["s"] / spent["orders"] * 1e6, 1)
    benchmark.extra_info["order_lines_per_s"] = round(BATCHES * BATCH_ORDERS * LINES / benchmark.stats.stats.median)
