"""`recovery`: fills a fresh data directory with --orders orders (ordersPlace, batches of
1,000, against the server the harness started), stops the server, then times starting the
process until /healthz answers 200, three times (each and the median). Check: the order
count after each restart equals the count before; acknowledged orders are readable and
nothing is oversold after the last restart."""
from __future__ import annotations

import asyncio
import statistics
import sys

from ..checks import Check, acknowledged_readable, all_of, no_oversell
from ..context import BenchContext
from ..data import OrderMaker
from ..documents import ORDER_COUNT, ORDERS_PLACE
from ..errors import BenchError
from ..outcomes import Acknowledged, record_batch
from ..progress import Progress
from ..recorder import Recorder, latency_summary_ms
from ..report import Result

fill_batch_orders = 1_000   # batch_orders_max
fill_clients_max = 4        # enough requests in flight to fill every group commit
restarts = 3


async def run(ctx: BenchContext) -> Result:
    server = ctx.server
    if server is None:
        raise BenchError("recovery starts, stops and restarts its own server: run it without --url")
    options = ctx.options
    fill_rec, acked = Recorder(), Acknowledged()
    batches = iter(range(0, options.orders, fill_batch_orders))

    async def filler() -> None:
        async with ctx.client(limit=1) as c:
            for start in batches:
                maker = OrderMaker(ctx.dataset, f"recovery:{start}", f"{ctx.run_id}-r{start}")
                orders = [maker.order() for _ in range(min(fill_batch_orders, options.orders - start))]
                reply = await c.request(ORDERS_PLACE, {"input": orders})
                record_batch(reply, orders, fill_rec, acked, ctx.dataset.reject_channels)

    loop = asyncio.get_running_loop()
    async with Progress("fill", lambda: fill_rec.operations, "orders", total=options.orders):
        started = loop.time()
        await asyncio.gather(*(filler() for _ in range(max(1, min(fill_clients_max, options.concurrency)))))
        fill_s = loop.time() - started

    async with ctx.client() as client:
        count_before = (await client.data(ORDER_COUNT))["orders"]["totalCount"]
    stop_s = [server.stop()]
    data_mb = server.data_bytes() / 2**20
    ready_s, counts_after = [], []
    for attempt in range(restarts):
        # on the main thread, blocking: nothing else runs now, and the server's death signal follows this thread
        ready_s.append(server.start())
        async with ctx.client() as client:
            counts_after.append((await client.data(ORDER_COUNT))["orders"]["totalCount"])
        if attempt < restarts - 1:
            stop_s.append(server.stop())
    sys.stderr.write(f"recovery: ready after {', '.join(f'{s * 1000:,.0f} ms' for s in ready_s)}\n")

    same = all(c == count_before for c in counts_after)
    count_check = Check("order count after restart equals the count before", same,
                        f"{count_before:,} orders before, {', '.join(f'{c:,}' for c in counts_after)} after each restart")
    check = all_of(count_check, await acknowledged_readable(ctx, acked), await no_oversell(ctx))
    rec = Recorder()
    for seconds in ready_s:
        rec.latency(seconds)
    rec.done(fill_rec.operations)
    for kind, n in fill_rec.errors.items():
        rec.error(f"fill {kind}", fill_rec.error_examples[kind], n)
    rec.refused(fill_rec.refusals)
    return Result.of("recovery", fill_s, "orders", rec, check,
                     latency_is="process start -> /healthz 200, over the restarts",
                     ready_ms=[round(s * 1000, 1) for s in ready_s],
                     median_ready_ms=round(statistics.median(ready_s) * 1000, 1),
                     stop_ms=[round(s * 1000, 1) for s in stop_s if s is not None],
                     orders_stored=count_before, data_dir_mb=round(data_mb, 1),
                     fill_batch_latency_ms=latency_summary_ms(fill_rec.latencies_s))
