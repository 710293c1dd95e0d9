"""`mixed`: reads (an order by id, a page of orders, a sku's stock levels) and writes
(orderPlace) together; --read-ratio of the operations are reads."""
from __future__ import annotations

import asyncio

from ..checks import placement_checks
from ..context import BenchContext
from ..data import OrderMaker
from ..documents import ORDER_BY_ID, ORDER_PLACE, ORDERS_PAGE, STOCK_OF_SKU
from ..load import iterations, run_clients
from ..outcomes import Acknowledged, record_single
from ..progress import Progress
from ..recorder import Recorder, latency_summary_ms
from ..report import Result
from .single_orders import transport_backoff_s

READS = ("order", "orders", "stockLevels")
read_weights = (2, 1, 1)
orders_page_size = 20


async def run(ctx: BenchContext) -> Result:
    options = ctx.options
    rec, acked = Recorder(), Acknowledged()
    by_kind = {kind: Recorder() for kind in ("write", *READS)}
    reject = ctx.dataset.reject_channels

    def read_request(maker: OrderMaker) -> tuple[str, str, dict]:
        kind = maker.rng.choices(READS, weights=read_weights)[0]
        if kind == "order" and acked.orders:
            return kind, ORDER_BY_ID, {"id": maker.rng.choice(acked.orders)[0]}
        if kind == "stockLevels":
            return kind, STOCK_OF_SKU, {"sku": maker.popular_sku()}
        return "orders", ORDERS_PAGE, {"first": orders_page_size}

    async def client(index: int, deadline: float) -> None:
        maker = OrderMaker(ctx.dataset, f"mixed:{index}", f"{ctx.run_id}-mixed{index}")
        async with ctx.client(limit=1) as c:
            for _ in iterations(deadline):
                if maker.rng.random() < options.read_ratio:
                    kind, query, variables = read_request(maker)
                    reply = await c.request(query, variables)
                    if reply.ok and kind == "order" and reply.data["order"] is None:
                        reply.failure, reply.message = "graphql", f"acknowledged order {variables['id']} not found"
                    if reply.failure != "transport":
                        rec.latency(reply.latency_s)
                        by_kind[kind].latency(reply.latency_s)
                    if reply.ok:
                        rec.done()
                        by_kind[kind].done()
                    else:
                        rec.error(reply.failure, reply.message)
                else:
                    order = maker.order()
                    reply = await c.request(ORDER_PLACE, {"input": order})
                    before = rec.operations
                    record_single(reply, order, rec, acked, reject)
                    by_kind["write"].latency(reply.latency_s)
                    by_kind["write"].done(rec.operations - before)
                if reply.failure == "transport":
                    await asyncio.sleep(transport_backoff_s)

    async with Progress("mixed", lambda: rec.operations, "ops", duration_s=options.duration_s):
        elapsed = await run_clients(options.concurrency, options.duration_s, client)
    await ctx.load_done()
    check = await placement_checks(ctx, acked, placed_any=options.read_ratio < 1.0)
    per_kind = {f"{kind}_p50_p99_ms": [latency_summary_ms(r.latencies_s)["p50"], latency_summary_ms(r.latencies_s)["p99"]]
                for kind, r in by_kind.items()}
    counts = {kind: r.operations for kind, r in by_kind.items()}
    return Result.of("mixed", elapsed, "operations", rec, check, clients=options.concurrency,
                     read_ratio=options.read_ratio, operations_by_kind=counts,
                     orders_per_s=counts["write"] / elapsed if elapsed else 0.0, **per_kind)
