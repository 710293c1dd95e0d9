"""The loop shared by `place` and `hot-sku`: each client places one order at a time with
orderPlace, on its own session, until the deadline."""
from __future__ import annotations

import asyncio
from typing import Callable

from ..context import BenchContext
from ..data import OrderMaker
from ..documents import ORDER_PLACE
from ..load import iterations, run_clients
from ..outcomes import Acknowledged, record_single
from ..progress import Progress
from ..recorder import Recorder

transport_backoff_s = 0.05  # a dead server must not turn the loop into a busy spin


async def place_singly(ctx: BenchContext, label: str, make: Callable[[OrderMaker], dict],
                       rec: Recorder, acked: Acknowledged, placed: list[dict] | None = None,
                       observe: Callable[[dict, dict | None], None] | None = None,
                       more: Callable[[], bool] | None = None) -> float:
    """Runs --concurrency clients for --duration (and on while `more()`, bounded); returns the
    measured seconds. `observe(order, placed or None)` sees every answered order."""
    reject = ctx.dataset.reject_channels

    async def client(index: int, deadline: float) -> None:
        maker = OrderMaker(ctx.dataset, f"{label}:{index}", f"{ctx.run_id}-{label}{index}")
        async with ctx.client(limit=1) as c:
            for _ in iterations(deadline, more):
                order = make(maker)
                reply = await c.request(ORDER_PLACE, {"input": order})
                answer = record_single(reply, order, rec, acked, reject)
                if answer is not None and placed is not None:
                    placed.append(answer)
                if observe is not None and reply.ok:
                    observe(order, answer)
                if reply.failure == "transport":
                    await asyncio.sleep(transport_backoff_s)

    options = ctx.options
    async with Progress(label, lambda: rec.operations, "orders", duration_s=options.duration_s):
        return await run_clients(options.concurrency, options.duration_s, client)
