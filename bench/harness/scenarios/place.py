"""`place`: single orderPlace calls from --concurrency clients for --duration."""
from __future__ import annotations

from ..checks import placement_checks
from ..context import BenchContext
from ..outcomes import Acknowledged
from ..recorder import Recorder
from ..report import Result
from .single_orders import place_singly


async def run(ctx: BenchContext) -> Result:
    rec, acked = Recorder(), Acknowledged()
    elapsed = await place_singly(ctx, "place", lambda maker: maker.order(), rec, acked)
    await ctx.load_done()
    check = await placement_checks(ctx, acked)
    return Result.of("place", elapsed, "orders", rec, check, clients=ctx.options.concurrency)
