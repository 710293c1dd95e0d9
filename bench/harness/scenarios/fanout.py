"""`fanout`: --subscribers websocket subscribers on `events(types: [ORDER_PLACED])` while
one writer places orders at --rate per second. For each event: the time from the writer
receiving orderPlace's answer (the commit is durable, the event published) to the LAST
subscriber receiving it. Throughput: deliveries per second (events x subscribers / duration).
Check: every subscriber received every event of the server's log, in order, no gap, no
duplicate.

The subscribers live in pool processes of their own (subscriber.py), so that receiving
thousands of messages neither delays the writer's requests nor the moment its answers are
seen; each pool's own scheduling is part of the figure (as it would be for any client
machine). Times are time.monotonic(), one clock for every process."""
from __future__ import annotations

import asyncio
import math
import os
import time

from ..checks import Check, pages
from ..context import BenchContext
from ..data import OrderMaker
from ..documents import EVENTS_AFTER, ORDER_PLACE, SUB_ORDER_PLACED
from ..errors import BenchError
from ..load import iterations, run_clients
from ..outcomes import Acknowledged, record_single
from ..progress import Progress
from ..recorder import Recorder, latency_summary_ms
from ..report import Result
from .subscriber import Received, SubscriberPool

subscribers_per_pool_max = 1_000  # measured here: two pools for 1,000 were no better than one (and cost a process)
warmup_attempts_max = 20
warmup_wait_s = 1.0
drain_timeout_s = 15.0
progress_poll_s = 0.25


async def run(ctx: BenchContext) -> Result:
    n = ctx.options.subscribers
    pools_n = max(1, min(os.cpu_count() or 1, math.ceil(n / subscribers_per_pool_max)))
    bounds = [n * i // pools_n for i in range(pools_n + 1)]
    pools = [SubscriberPool(ctx.base_url, ctx.token, SUB_ORDER_PLACED, lo, hi - lo) for lo, hi in zip(bounds, bounds[1:])]
    try:
        return await _measure(ctx, pools)
    finally:
        await asyncio.gather(*(p.close() for p in pools))


async def _all_have(pools: list[SubscriberPool], order_ids: list[str], timeout_s: float) -> list[dict]:
    return await asyncio.gather(*(p.ask({"do": "wait", "ids": order_ids, "timeout_s": timeout_s}) for p in pools))


async def _warm_up(ctx: BenchContext, pools: list[SubscriberPool]) -> int:
    """Places orders until every subscriber has received one (so every subscription is
    registered); returns the cursor of that event: measurement starts after it."""
    maker = OrderMaker(ctx.dataset, "fanout-warmup", f"{ctx.run_id}-warmup")
    async with ctx.client() as client:
        for _ in range(warmup_attempts_max):
            order = maker.order()
            order["channel"] = "web"  # BACKORDER: never refused
            placed = (await client.data(ORDER_PLACE, {"input": order}))["orderPlace"]["order"]
            if placed is None:
                raise BenchError("fanout: the warm-up order was refused")
            answers = await _all_have(pools, [placed["id"]], warmup_wait_s)
            if all(a["done"] for a in answers):
                return next(a["cursor_of"][placed["id"]] for a in answers if a["cursor_of"])
    raise BenchError("fanout: not every subscriber received the warm-up events")


async def _measure(ctx: BenchContext, pools: list[SubscriberPool]) -> Result:
    options = ctx.options
    failures = [f for pool_failures in await asyncio.gather(*(p.start() for p in pools)) for f in pool_failures]
    if len(failures) == options.subscribers:
        raise BenchError(f"fanout: no subscriber could connect, e.g. {failures[:1]}")
    baseline = await _warm_up(ctx, pools)
    received_at_baseline = sum(await asyncio.gather(*(p.count() for p in pools)))

    writer_rec, acked, acks = Recorder(), Acknowledged(), {}

    async def writer(index: int, deadline: float) -> None:
        maker = OrderMaker(ctx.dataset, "fanout", f"{ctx.run_id}-fanout")
        interval = 1.0 / options.rate
        next_at = time.perf_counter()
        async with ctx.client(limit=1) as c:
            for _ in iterations(deadline):
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                next_at += interval
                order = maker.order()
                reply = await c.request(ORDER_PLACE, {"input": order})
                answered = time.monotonic()
                placed = record_single(reply, order, writer_rec, acked, ctx.dataset.reject_channels)
                if placed is not None:
                    acks[placed["id"]] = answered

    async def poll_progress() -> None:
        while True:
            await asyncio.gather(*(p.count() for p in pools))
            await asyncio.sleep(progress_poll_s)

    polling = asyncio.create_task(poll_progress())
    try:
        async with Progress("fanout", lambda: sum(p.received for p in pools) - received_at_baseline, "deliveries",
                            duration_s=options.duration_s):
            elapsed = await run_clients(1, options.duration_s, writer)
            polling.cancel()
            drained = all(a["done"] for a in await _all_have(pools, list(acks), drain_timeout_s))
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)

    everyone = [r for p in pools for r in await p.report()]
    live = [r for r in everyone if "could not connect" not in r.problems]
    rec = Recorder()
    early = 0
    for order_id, answered in acks.items():
        times = [r.arrived.get(order_id) for r in live]
        if None not in times:
            latency = max(times) - answered
            early += latency < 0
            rec.latency(max(0.0, latency))
    rec.done(sum(sum(c > baseline for c in r.cursors) for r in live))
    for kind, count in writer_rec.errors.items():
        rec.error(f"writer {kind}", writer_rec.error_examples[kind], count)
    for r in everyone:
        for problem in r.problems:
            rec.error("subscriber", f"subscriber {r.index}: {problem}")
    rec.refused(writer_rec.refusals)
    check = await _every_subscriber_got_every_event(ctx, everyone, live, baseline, list(acks), drained)
    return Result.of("fanout", elapsed, "deliveries", rec, check, subscribers=len(everyone), subscriber_processes=len(pools),
                     events=len(acks), writer_rate_per_s=options.rate,
                     writer_latency_ms=latency_summary_ms(writer_rec.latencies_s),
                     events_at_all_subscribers_before_the_ack=early,
                     latency_is="writer's answer -> last subscriber received the event")


async def _every_subscriber_got_every_event(ctx: BenchContext, subscribers: list[Received], live: list[Received],
                                            baseline: int, acked_ids: list[str], drained: bool) -> Check:
    name = "every subscriber received every event, in order, no gaps"
    newest = max((s.cursors[-1] for s in live if s.cursors), default=baseline)
    log_cursors, log_ids = [], set()
    async with ctx.client() as client:
        async for event in pages(client, EVENTS_AFTER, "events", {"after": str(baseline), "types": ["ORDER_PLACED"]}):
            cursor = int(event["cursor"])
            if cursor > newest:
                break
            log_cursors.append(cursor)
            log_ids.add(event["orderId"])
    problems = [f"subscriber {s.index} could not connect" for s in subscribers if s not in live]
    missing_from_log = [i for i in acked_ids if i not in log_ids]
    if missing_from_log:
        problems.append(f"{len(missing_from_log)} acknowledged orders have no ORDER_PLACED event in the log")
    for s in live:
        got = [c for c in s.cursors if c > baseline]
        if got != log_cursors:
            missing = len(set(log_cursors) - set(got))
            duplicates = len(got) - len(set(got))
            disorder = any(b <= a for a, b in zip(got, got[1:]))
            problems.append(f"subscriber {s.index}: {len(got)} of {len(log_cursors)} events, {missing} missing, "
                            f"{duplicates} duplicated{', out of order' if disorder else ''}")
    if not drained:
        problems.append(f"not every event reached every subscriber within {drain_timeout_s:.0f} s")
    if not log_cursors:
        problems.append("no event was measured")
    if problems:
        return Check(name, False, f"{len(problems)} problems, e.g. {problems[:3]}")
    return Check(name, True, f"{len(live)} subscribers x {len(log_cursors):,} events "
                             f"(cursors {log_cursors[0]}..{log_cursors[-1]} of the log): all, in log order, no gap, no duplicate")
