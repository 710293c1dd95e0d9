"""`place-batch`: ordersPlace with --batch orders per request from --concurrency clients."""
from __future__ import annotations

import asyncio

from ..checks import placement_checks
from ..context import BenchContext
from ..data import OrderMaker
from ..documents import ORDERS_PLACE
from ..load import iterations, run_clients
from ..outcomes import Acknowledged, record_batch
from ..progress import Progress
from ..recorder import Recorder
from ..report import Result
from .single_orders import transport_backoff_s


async def run(ctx: BenchContext) -> Result:
    options = ctx.options
    rec, acked = Recorder(), Acknowledged()
    reject = ctx.dataset.reject_channels

    async def client(index: int, deadline: float) -> None:
        maker = OrderMaker(ctx.dataset, f"place-batch:{index}", f"{ctx.run_id}-batch{index}")
        async with ctx.client(limit=1) as c:
            for _ in iterations(deadline):
                orders = [maker.order() for _ in range(options.batch)]
                reply = await c.request(ORDERS_PLACE, {"input": orders})
                record_batch(reply, orders, rec, acked, reject)
                if reply.failure == "transport":
                    await asyncio.sleep(transport_backoff_s)

    async with Progress("place-batch", lambda: rec.operations, "orders", duration_s=options.duration_s):
        elapsed = await run_clients(options.concurrency, options.duration_s, client)
    await ctx.load_done()
    check = await placement_checks(ctx, acked)
    requests = len(rec.latencies_s)
    return Result.of("place-batch", elapsed, "orders", rec, check, clients=options.concurrency,
                     batch=options.batch, requests=requests, requests_per_s=requests / elapsed if elapsed else 0.0,
                     latency_is="per ordersPlace request")
