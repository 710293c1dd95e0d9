"""Running simulated clients for a duration: each loops until the deadline (bounded by an
iteration cap), the whole run is bounded by duration + a grace period, and stragglers are
cancelled. Returns the measured wall time."""
from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable

iterations_max = 10_000_000
grace_s = 60.0
overrun_max_s = 30.0  # within grace_s


async def run_clients(count: int, duration_s: float, client: Callable[[int, float], Awaitable[None]]) -> float:
    """`client(index, deadline)` for every index, started together; seconds from start to the last one done."""
    started = time.perf_counter()
    deadline = started + duration_s
    tasks = [asyncio.create_task(client(i, deadline)) for i in range(count)]
    try:
        done, pending = await asyncio.wait(tasks, timeout=duration_s + grace_s)
    finally:
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            raise result
    return time.perf_counter() - started


def iterations(deadline: float, more: Callable[[], bool] | None = None):
    """Loop counter for one client: stops at the deadline (or, while `more()` says the run has
    not yet done what it is for, up to overrun_max_s later) or at the safety cap."""
    for i in range(iterations_max):
        now = time.perf_counter()
        if now >= deadline and (more is None or not more() or now >= deadline + overrun_max_s):
            return
        yield i
