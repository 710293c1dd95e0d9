"""`fanout`: --subscribers websocket subscribers on `events(types: [ORDER_PLACED])` while
one writer places orders at --rate per second. For each event: the time from the writer
receiving orderPlace's answer (the commit is durable, the event published) to the LAST
subscriber receiving it. Throughput: deliveries per second (events x subscribers / duration).
Check: every subscriber received every event of the server's log, in order, no gap, no
duplicate.

Timing caveat: subscribers and writer share this process's event loop, so client-side
scheduling is part of the figure (as it would be for any one client machine)."""
from __future__ import annotations

import asyncio
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
from .subscriber import Subscriber

connects_in_flight_max = 50
warmup_attempts_max = 20
warmup_wait_s = 1.0
drain_timeout_s = 15.0
poll_s = 0.01


async def run(ctx: BenchContext) -> Result:
    options = ctx.options
    subscribers = [Subscriber(i, ctx.base_url, ctx.token, SUB_ORDER_PLACED) for i in range(options.subscribers)]
    try:
        return await _measure(ctx, subscribers)
    finally:
        await asyncio.gather(*(s.close() for s in subscribers))


async def _connect_all(subscribers: list[Subscriber]) -> list[str]:
    gate = asyncio.Semaphore(connects_in_flight_max)
    failures: list[str] = []

    async def connect(s: Subscriber) -> None:
        async with gate:
            try:
                await s.connect()
            except Exception as exc:  # any failure to connect is reported, not raised
                failures.append(f"subscriber {s.index}: {type(exc).__name__}: {exc}")
                s.problems.append("could not connect")

    await asyncio.gather(*(connect(s) for s in subscribers))
    return failures


async def _wait_all_have(subscribers: list[Subscriber], order_ids: list[str], timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while True:
        if all(all(o in s.arrived for o in order_ids) for s in subscribers if "could not connect" not in s.problems):
            return True
        if time.perf_counter() >= deadline:
            return False
        await asyncio.sleep(poll_s)


async def _warm_up(ctx: BenchContext, subscribers: list[Subscriber]) -> int:
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
            if await _wait_all_have(subscribers, [placed["id"]], warmup_wait_s):
                return subscribers[0].cursor_of[placed["id"]]
    raise BenchError("fanout: not every subscriber received the warm-up events")


async def _measure(ctx: BenchContext, subscribers: list[Subscriber]) -> Result:
    options = ctx.options
    failures = await _connect_all(subscribers)
    live = [s for s in subscribers if "could not connect" not in s.problems]
    if not live:
        raise BenchError(f"fanout: no subscriber could connect, e.g. {failures[:1]}")
    baseline = await _warm_up(ctx, live)
    first_measured = {s.index: next((i for i, c in enumerate(s.cursors) if c > baseline), len(s.cursors)) for s in live}

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
                answered = time.perf_counter()
                placed = record_single(reply, order, writer_rec, acked, ctx.dataset.reject_channels)
                if placed is not None:
                    acks[placed["id"]] = answered

    def deliveries() -> int:
        return sum(len(s.cursors) - first_measured[s.index] for s in live)

    async with Progress("fanout", deliveries, "deliveries", duration_s=options.duration_s):
        elapsed = await run_clients(1, options.duration_s, writer)
        drained = await _wait_all_have(live, list(acks), drain_timeout_s)

    rec = Recorder()
    early = 0
    for order_id, answered in acks.items():
        times = [s.arrived.get(order_id) for s in live]
        if None not in times:
            latency = max(times) - answered
            early += latency < 0
            rec.latency(max(0.0, latency))
    rec.done(deliveries())
    for kind, count in writer_rec.errors.items():
        rec.error(f"writer {kind}", writer_rec.error_examples[kind], count)
    for s in subscribers:
        for problem in s.problems:
            rec.error("subscriber", f"subscriber {s.index}: {problem}")
    rec.refused(writer_rec.refusals)
    check = await _every_subscriber_got_every_event(ctx, subscribers, live, baseline, list(acks), drained)
    return Result.of("fanout", elapsed, "deliveries", rec, check, subscribers=len(subscribers),
                     events=len(acks), writer_rate_per_s=options.rate,
                     writer_latency_ms=latency_summary_ms(writer_rec.latencies_s),
                     events_at_all_subscribers_before_the_ack=early,
                     latency_is="writer's answer -> last subscriber received the event")


async def _every_subscriber_got_every_event(ctx: BenchContext, subscribers: list[Subscriber], live: list[Subscriber],
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
