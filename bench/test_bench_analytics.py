"""Analytics reads over the aggregates of 1M orders, and what keeping them costs the writer.

    python -m pytest bench/test_bench_analytics.py --benchmark-only
Budgets (DESIGN.md): p99 <= 20 ms per read (extra_info p50_ms / p99_ms, GraphQL excluded);
<= 1 us of writer time per order line (extra_info analytics_us_per_line).

The 1M orders are counted by the writer's own rules (`Tally.add` on order records) and their
aggregates written straight into LMDB, day by day, without placing them through the engine
(placing 1M orders takes the writer minutes): 1M orders of 3 lines over 365 days, 20k skus,
two channels; one sku's stock row changed every day.
"""
import random
import time
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from engine import Engine
from engine.domain import analytics
from engine.domain.analytics import EPOCH_ORDINAL, Tally
from engine.domain.commands import LineDraft, OrderDraft, PlaceOrders
from engine.storage import aggregates
from engine.storage.store import Store, dumps, u32

from .stocked import stock_up

ORDERS = 1_000_000
DAYS = 365
SKUS = 20_000
LINES = 3
CHANNELS = ("web", "pos")
LOCATIONS = 10
FIRST = datetime(2025, 12, 1, tzinfo=timezone.utc)
LAST = FIRST + timedelta(days=DAYS - 1)


def _order(rng: random.Random, day_iso: str) -> dict:
    lines = [{"sku": f"S{s}", "quantity": rng.randint(1, 3), "cancelled": 0, "returned": 0, "unitPrice": "9.99",
              "unitCost": "4.00" if s % 2 else None, "discount": "0", "parts": [{"sku": f"S{s}", "per": 1, "allocs": []}]}
             for s in rng.sample(range(SKUS), LINES)]
    return {"placedAt": day_iso, "channel": CHANNELS[rng.random() < 0.3], "lines": lines, "allocatedAtPlacement": 0}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench-analytics")
    store = Store(path)
    rng = random.Random(5)
    per_day = ORDERS // DAYS
    with store.env.begin(write=True) as txn:
        for i in range(SKUS):
            txn.put(f"S{i}".encode(), dumps({"idx": i, "sku": f"S{i}"}), db=store.db["products"])
        for code in CHANNELS:
            txn.put(code.encode(), dumps({"code": code}), db=store.db["channels"])
        txn.put(b"L0", dumps({"idx": 0, "code": "L0"}), db=store.db["locations"])
    index = {f"S{i}": i for i in range(SKUS)}.__getitem__
    for d in range(DAYS):
        day_iso = (FIRST + timedelta(days=d, hours=12)).isoformat()
        tally = Tally(index)
        for _ in range(per_day):
            tally.add(_order(rng, day_iso))
        with store.env.begin(write=True) as txn:
            aggregates.write_tally(aggregates._RawTx(store, txn), tally)
            day = analytics.utc_day(FIRST) + d
            levels = np.array([100 - d % 50] * LOCATIONS + [d % 7] * LOCATIONS + [0] * LOCATIONS, dtype=np.int64)
            txn.put(aggregates.STOCK_DAY_KEY.pack(1, day), levels.tobytes(), db=store.db["an_stock"])
    yield store
    store.close()


@pytest.fixture(scope="module")
def reader(store):
    from engine.reads.reader import Reader
    return Reader(store)


READS = {
    "sales_365_days": lambda r: r.sales_summary(FIRST, LAST),
    "sales_365_days_by_channel_weeks": lambda r: r.sales_summary(FIRST, LAST, "WEEK", True),
    "sales_one_sku_365_days": lambda r: r.sales_summary(FIRST, LAST, sku="S17"),
    "top_products_30_days": lambda r: r.top_products(LAST - timedelta(days=29), LAST),
    "top_products_30_days_one_channel": lambda r: r.top_products(LAST - timedelta(days=29), LAST, 10, "pos"),
    "top_products_365_days": lambda r: r.top_products(FIRST, LAST),
    "fulfillment_365_days": lambda r: r.fulfillment_stats(FIRST, LAST),
    "inventory_history_365_days": lambda r: r.inventory_history("S1", None, FIRST, LAST),
    "demand_one_sku_365_days": lambda r: r.daily_units("S17", analytics.utc_day(FIRST), DAYS),
}


@pytest.mark.parametrize("name", list(READS))
def test_analytics_read(benchmark, reader, name):
    read = READS[name]
    result = read(reader)
    assert getattr(result, "errors", None) in (None, [])
    benchmark.pedantic(read, args=(reader,), rounds=60 if "365" in name and "top" in name else 200, iterations=1)
    data = sorted(benchmark.stats.stats.data)
    benchmark.extra_info["p50_ms"] = round(data[len(data) // 2] * 1000, 2)
    benchmark.extra_info["p99_ms"] = round(data[min(len(data) - 1, int(len(data) * 0.99))] * 1000, 2)


BATCH_ORDERS = 2_000
BATCHES = 5


def test_writer_time_spent_on_analytics(benchmark, tmp_path_factory, monkeypatch):
    """The batched placement of test_bench_engine.py, with the analytics steps timed on the writer
    thread: counting each order (Tally.add), the stamps, writing the tally, the stock snapshots."""
    spent = {"s": 0.0}

    def timed(owner, name):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent["s"] += time.perf_counter() - started
        monkeypatch.setattr(owner, name, wrapper)

    from engine.storage import flush, tx
    timed(analytics.Tally, "add")
    timed(tx.analytics, "stamp")
    timed(flush, "write_tally")
    timed(aggregates.StockDays, "snapshot")
    rng = random.Random(11)
    with Engine.open(tmp_path_factory.mktemp("bench-analytics-writer")) as engine:
        stock_up(engine, SKUS, LOCATIONS)
        stats = engine.sequencer.stats
        totals = {"placing_s": 0.0, "lines": 0}

        def place_all(commands):
            before = stats["placing_s"]
            spent_before = spent["s"]
            for command in commands:
                assert not engine.execute(command).errors
            totals["placing_s"] += stats["placing_s"] - before
            totals["lines"] += BATCHES * BATCH_ORDERS * LINES
            totals["analytics_s"] = totals.get("analytics_s", 0.0) + spent["s"] - spent_before

        def batches():
            return ([PlaceOrders([OrderDraft("web", [LineDraft(f"S{s}", 1) for s in rng.sample(range(SKUS), LINES)])
                                  for _ in range(BATCH_ORDERS)]) for _ in range(BATCHES)],), {}
        benchmark.pedantic(place_all, setup=batches, rounds=3, iterations=1)
    benchmark.extra_info["analytics_us_per_line"] = round(totals["analytics_s"] / totals["lines"] * 1e6, 2)
    benchmark.extra_info["writer_us_per_line"] = round(totals["placing_s"] / totals["lines"] * 1e6, 2)
