"""GraphQL execution of placements in-process: the served schema (its caches, limits and
fast path) executing orderPlace and ordersPlace documents against a real engine on disk,
without HTTP. Compared with test_bench_engine.py, the difference is the GraphQL layer's cost.

    python -m pytest bench/test_bench_graphql.py --benchmark-only
Budgets it feeds (DESIGN.md): orderPlace >= 2,000 orders/s, ordersPlace (100) >= 20k orders/s.
"""
import asyncio
import itertools
import random

import pytest

from api.schema import schema
from bench.harness.documents import ORDER_PLACE, ORDERS_PLACE
from engine import Engine

from .stocked import stock_up

SKUS = 10_000
LOCATIONS = 10
CLIENTS = 32            # concurrent orderPlace executions, as 32 HTTP clients would be
SINGLE_ROUND = 640      # orderPlace executions per round
BATCH, BATCHES = 100, 20  # ordersPlace documents per round, orders in each


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with Engine.open(tmp_path_factory.mktemp("bench-graphql")) as engine:
        stock_up(engine, SKUS, LOCATIONS)
        yield engine


class Orders:
    """Order inputs as the harness sends them: 3 lines, a customer and an address each."""

    def __init__(self, seed: int):
        self.rng, self.ids = random.Random(seed), itertools.count()

    def one(self) -> dict:
        n = next(self.ids)
        return {"channel": "web", "externalId": f"g-{n}", "customer": {"email": f"c{n % 1000}@example.com", "name": "C"},
                "shippingAddress": {"country": "US", "city": "Boston", "latitude": 42.36, "longitude": -71.06},
                "lines": [{"sku": f"S{s}", "quantity": 1} for s in self.rng.sample(range(SKUS), 3)]}


def execute_all(engine, documents: list[tuple[str, dict]], clients: int) -> None:
    async def main():
        gate = asyncio.Semaphore(clients)
        async def one(document, variables):
            async with gate:
                result = await schema.execute(document, variable_values=variables, context_value={"engine": engine})
            assert result.errors is None, result.errors
            payload = next(iter(result.data.values()))
            assert payload["userErrors"] == [], payload["userErrors"]
        await asyncio.gather(*(one(d, v) for d, v in documents))
    asyncio.run(main())


def test_graphql_order_place_32_at_a_time(benchmark, engine):
    orders = Orders(1)
    rounds = lambda: (([(ORDER_PLACE, {"input": orders.one()}) for _ in range(SINGLE_ROUND)],), {})
    benchmark.pedantic(lambda docs: execute_all(engine, docs, CLIENTS), setup=rounds, rounds=5, iterations=1)
    benchmark.extra_info["orders_per_s"] = round(SINGLE_ROUND / benchmark.stats.stats.median)


def test_graphql_orders_place_batches_of_100(benchmark, engine):
    orders = Orders(2)
    rounds = lambda: (([(ORDERS_PLACE, {"input": [orders.one() for _ in range(BATCH)]}) for _ in range(BATCHES)],), {})
    benchmark.pedantic(lambda docs: execute_all(engine, docs, 4), setup=rounds, rounds=5, iterations=1)
    benchmark.extra_info["orders_per_s"] = round(BATCH * BATCHES / benchmark.stats.stats.median)
