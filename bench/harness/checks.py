"""Correctness checks run after the load: acknowledged orders are readable, no stock level
is oversold, hot skus' stock is conserved and matches the orders' allocations."""
from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from dataclasses import dataclass

from .context import BenchContext
from .data import Dataset
from .documents import ALL_LEVELS, LEDGER, ORDER_BY_ID, ORDERS_WITH_SKU, STOCK_OF_SKU
from .graphql import GraphQLClient
from .outcomes import Acknowledged

read_back_max = 5_000        # acknowledged orders read back (a seeded random sample above this)
read_back_clients = 8
pages_max = 100_000          # bounds every paging loop
problems_shown = 3


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    def as_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def all_of(*checks: Check) -> Check:
    return Check(" + ".join(c.name for c in checks), all(c.passed for c in checks),
                 "; ".join(f"{c.name}: {'ok' if c.passed else 'FAILED'}, {c.detail}" for c in checks))


async def pages(client: GraphQLClient, query: str, field: str, variables: dict | None = None):
    """Every node of a Relay connection, page by page (from variables["after"], if given)."""
    variables = dict(variables or {})
    after = variables.pop("after", None)
    for _ in range(pages_max):
        page = (await client.data(query, {**variables, "after": after}))[field]
        for edge in page["edges"]:
            yield edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]
    raise AssertionError(f"{field}: more than {pages_max} pages")


async def acknowledged_readable(ctx: BenchContext, acked: Acknowledged, placed_any: bool = True) -> Check:
    """`placed_any`: the scenario must have placed orders (else none acknowledged is a failure)."""
    name = "every acknowledged order is readable"
    if not acked.orders:
        return Check(name, not placed_any, "no order was acknowledged")
    sample = acked.orders
    if len(sample) > read_back_max:
        sample = random.Random(f"{ctx.options.seed}:read-back").sample(sample, read_back_max)
    problems: list[str] = []
    queue = iter(sample)

    async def reader() -> None:
        async with ctx.client() as client:
            for order_id, channel, external_id in queue:
                found = (await client.data(ORDER_BY_ID, {"id": order_id}))["order"]
                if found is None:
                    problems.append(f"{order_id} not found")
                elif (found["channel"], found["externalId"]) != (channel, external_id):
                    problems.append(f"{order_id} is ({found['channel']}, {found['externalId']}), "
                                    f"acknowledged as ({channel}, {external_id})")

    await asyncio.gather(*(reader() for _ in range(read_back_clients)))
    what = f"read back {'all' if len(sample) == len(acked) else 'a random sample of'} {len(sample):,} of {len(acked):,}"
    if problems:
        return Check(name, False, f"{what}: {len(problems):,} wrong, e.g. {problems[:problems_shown]}")
    return Check(name, True, f"{what}: all found, as acknowledged")


def _level_problems(level: dict) -> list[str]:
    on_hand, committed, safety = level["onHand"], level["committed"], level["safetyStock"]
    found = []
    if not 0 <= committed <= on_hand:
        found.append(f"{level['sku']}@{level['location']}: committed {committed}, onHand {on_hand}")
    if level["available"] != max(0, on_hand - committed - safety):
        found.append(f"{level['sku']}@{level['location']}: available {level['available']} "
                     f"!= max(0, {on_hand} - {committed} - {safety})")
    return found


async def no_oversell(ctx: BenchContext) -> Check:
    name = "no oversell"
    problems, count = [], 0
    async with ctx.client() as client:
        async for level in pages(client, ALL_LEVELS, "stockLevels"):
            count += 1
            problems.extend(_level_problems(level))
    if problems:
        return Check(name, False, f"{len(problems):,} of {count:,} stock levels wrong, e.g. {problems[:problems_shown]}")
    return Check(name, True, f"{count:,} stock levels, 0 <= committed <= onHand in each")


async def hot_sku_conservation(ctx: BenchContext, dataset: Dataset) -> Check:
    name = "hot skus: not oversold, allocations = committed, stock conserved"
    problems, summary = [], []
    async with ctx.client() as client:
        for sku in dataset.hot_skus:
            edges = (await client.data(STOCK_OF_SKU, {"sku": sku}))["stockLevels"]["edges"]
            levels = {e["node"]["location"]: e["node"] for e in edges}
            initial = dataset.hot_stock(sku)
            allocated: dict[str, int] = defaultdict(int)
            orders = shipped = 0
            async for order in pages(client, ORDERS_WITH_SKU, "orders", {"sku": sku}):
                orders += 1
                for line in order["lines"]:
                    shipped += line["shipped"] if line["sku"] == sku else 0
                    for a in line["allocations"]:
                        if a["sku"] == sku:
                            allocated[a["location"]] += a["quantity"]
            ledger: dict[str, int] = defaultdict(int)
            async for change in pages(client, LEDGER, "inventoryChanges", {"sku": sku}):
                ledger[change["location"]] += change["delta"]
            for loc in sorted(set(levels) | set(initial) | set(allocated)):
                level = levels.get(loc, {"sku": sku, "location": loc, "onHand": 0, "committed": 0, "available": 0,
                                         "safetyStock": 0})
                problems.extend(_level_problems(level))
                if level["onHand"] != initial.get(loc, 0):
                    problems.append(f"{sku}@{loc}: onHand {level['onHand']}, initial stock {initial.get(loc, 0)}")
                if allocated[loc] != level["committed"]:
                    problems.append(f"{sku}@{loc}: orders hold {allocated[loc]} units, committed {level['committed']}")
                if ledger[loc] != level["onHand"]:
                    problems.append(f"{sku}@{loc}: ledger sums to {ledger[loc]}, onHand {level['onHand']}")
            if shipped:
                problems.append(f"{sku}: {shipped} units shipped (nothing should ship)")
            summary.append(f"{sku} {sum(allocated.values())}/{sum(initial.values())} units allocated over {orders:,} orders")
    if problems:
        return Check(name, False, f"{len(problems)} problems, e.g. {problems[:problems_shown]}")
    return Check(name, True, ", ".join(summary))


async def placement_checks(ctx: BenchContext, acked: Acknowledged, *extra: Check, placed_any: bool = True) -> Check:
    """What every placement scenario checks: acknowledged orders readable, nothing oversold."""
    return all_of(await acknowledged_readable(ctx, acked, placed_any), await no_oversell(ctx), *extra)
