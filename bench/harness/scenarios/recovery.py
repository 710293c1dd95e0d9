"""`recovery`: fills a fresh data directory with --orders orders (ordersPlace, batches of
1,000, against the server the harness started), stops the server, then times starting the
process until /healthz answers 200, --restarts times (each and the median), with the
server's CPU time and RSS once ready. Check: the order count after each restart equals the count
before; acknowledged orders are readable and nothing is oversold after the last restart.

With --data-dir the filled directory is kept, with a note of the fill beside the data
(recovery.json: its counts, rate and a sample of acknowledged orders); a later run on that
directory skips the fill and only times the restarts, checking against the note."""
from __future__ import annotations

import asyncio
import random
import statistics
import sys

import orjson

from ..checks import Check, acknowledged_readable, all_of, no_oversell, read_back_max
from ..context import BenchContext
from ..data import OrderMaker
from ..documents import ORDER_COUNT, ORDERS_PLACE
from ..errors import BenchError
from ..outcomes import Acknowledged, record_batch
from ..progress import Progress
from ..recorder import Recorder, latency_summary_ms
from ..report import Result
from ..server import ManagedServer

fill_batch_orders = 1_000   # batch_orders_max
fill_clients_max = 4        # enough requests in flight to fill every group commit
note_name = "recovery.json"


async def fill(ctx: BenchContext) -> tuple[dict, Acknowledged]:
    """Places --orders orders; returns the note of the fill and every order acknowledged."""
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
    sample = acked.orders
    if len(sample) > read_back_max:
        sample = random.Random(f"{options.seed}:read-back").sample(sample, read_back_max)
    note = {"seed": options.seed, "skus": options.skus, "orders_requested": options.orders, "fill_s": fill_s,
            "acknowledged": len(acked), "refusals": fill_rec.refusals,
            "errors": {k: [n, fill_rec.error_examples[k]] for k, n in fill_rec.errors.items()},
            "fill_batch_latency_ms": latency_summary_ms(fill_rec.latencies_s), "acknowledged_sample": sample}
    return note, acked


def sampled(note: dict) -> Acknowledged:
    """The acknowledged orders a reused fill noted (a sample of at most read_back_max)."""
    acked = Acknowledged()
    for order in note["acknowledged_sample"]:
        acked.add(*order)
    return acked


def read_note(server: ManagedServer, ctx: BenchContext) -> tuple[dict, Acknowledged]:
    path = server.root / note_name
    if not path.exists():
        raise BenchError(f"{server.root} holds data but no {note_name}: not a recovery fill; name a new --data-dir")
    note = orjson.loads(path.read_bytes())
    if (note["seed"], note["skus"]) != (ctx.options.seed, ctx.options.skus):
        raise BenchError(f"{server.root} was filled with --seed {note['seed']} --skus {note['skus']}")
    sys.stderr.write(f"recovery: reusing the fill of {note['acknowledged']:,} orders in {server.root}\n")
    return note, sampled(note)


async def order_count(ctx: BenchContext) -> int:
    async with ctx.client() as client:
        return (await client.data(ORDER_COUNT))["orders"]["totalCount"]


def restart(server: ManagedServer) -> tuple[float | None, float, float | None, float | None]:
    """(stop seconds, spawn -> ready seconds, CPU seconds used by then, RSS MB once ready) of one
    stop-start cycle. Blocking, on the main thread: nothing else runs, and the server's death
    signal follows this thread."""
    stopped = server.stop()
    ready = server.start()
    cpu, rss = server.cpu_s(), server.rss_bytes()
    return stopped, ready, cpu, None if rss is None else round(rss / 2**20, 1)


async def run(ctx: BenchContext) -> Result:
    server = ctx.server
    if server is None:
        raise BenchError("recovery starts, stops and restarts its own server: run it without --url")
    reused = server.reused
    note, acked = read_note(server, ctx) if reused else await fill(ctx)
    count_before, counts_after = await order_count(ctx), []
    if not reused and ctx.options.data_dir:
        (server.root / note_name).write_bytes(orjson.dumps({**note, "orders_stored": count_before}))
    timings: dict[str, list] = {"stop_s": [], "ready_s": [], "cpu_s": [], "rss_mb": []}
    for _ in range(ctx.options.restarts):
        for values, value in zip(timings.values(), restart(server)):
            values.append(value)
        counts_after.append(await order_count(ctx))
    sys.stderr.write(f"recovery: ready after {', '.join(f'{s * 1000:,.0f} ms' for s in timings['ready_s'])}\n")
    return await result(ctx, note, acked, reused, count_before, counts_after, **timings)


async def result(ctx: BenchContext, note: dict, acked: Acknowledged, reused: bool, count_before: int,
                 counts_after: list[int], ready_s: list[float], stop_s: list, cpu_s: list, rss_mb: list) -> Result:
    expected = note.get("orders_stored", count_before)
    same = count_before == expected and all(c == count_before for c in counts_after)
    count_check = Check("order count after restart equals the count before", same,
                        f"{count_before:,} orders before ({expected:,} at the fill), "
                        f"{', '.join(f'{c:,}' for c in counts_after)} after each restart")
    check = all_of(count_check, await acknowledged_readable(ctx, acked), await no_oversell(ctx))
    rss_after_checks = ctx.server.rss_bytes()
    rec = Recorder()
    for seconds in ready_s:
        rec.latency(seconds)
    rec.done(note["acknowledged"])
    for kind, (n, example) in note["errors"].items():
        rec.error(f"fill {kind}", example, n)
    rec.refused(note["refusals"])
    return Result.of("recovery", note["fill_s"], "orders", rec, check,
                     latency_is="process start -> /healthz 200, over the restarts",
                     ready_ms=[round(s * 1000, 1) for s in ready_s],
                     median_ready_ms=round(statistics.median(ready_s) * 1000, 1),
                     stop_ms=[round(s * 1000, 1) for s in stop_s if s is not None],
                     cpu_at_ready_ms=[None if s is None else round(s * 1000) for s in cpu_s],
                     rss_at_ready_mb=rss_mb,
                     rss_after_checks_mb=round(rss_after_checks / 2**20, 1) if rss_after_checks else None,
                     orders_stored=count_before, data_dir_mb=round(ctx.server.data_bytes() / 2**20, 1),
                     fill_reused=reused, first_start_ms=round(ctx.server.ready_s[0] * 1000, 1),
                     fill_batch_latency_ms=note["fill_batch_latency_ms"])
