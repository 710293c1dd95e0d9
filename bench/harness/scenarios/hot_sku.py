"""`hot-sku`: --concurrency clients all ordering 1-2 units of a few skus with limited stock,
on a BACKORDER channel (web) and a REJECT channel (b2b); then checks nothing was oversold,
the orders' allocations add up to committed, and onHand still equals the initial stock."""
from __future__ import annotations

from ..checks import hot_sku_conservation, placement_checks
from ..context import BenchContext
from ..outcomes import Acknowledged
from ..recorder import Recorder
from ..report import Result
from .single_orders import place_singly


async def run(ctx: BenchContext) -> Result:
    """Runs past --duration until every hot sku has run out (bounded): the oversell check
    means something only once demand has exceeded the stock."""
    rec, acked, placed = Recorder(), Acknowledged(), []
    short: set[str] = set()

    def observe(order: dict, answer: dict | None) -> None:
        # a backordered line leaves nothing free (a REJECT refusal of 2 units may leave 1)
        if answer is not None and order["channel"] not in ctx.dataset.reject_channels:
            short.update(line["sku"] for line in answer["lines"] if line["backordered"])

    more = lambda: len(short) < len(ctx.dataset.hot_skus)
    elapsed = await place_singly(ctx, "hot-sku", lambda maker: maker.hot_order(), rec, acked, placed, observe, more)
    await ctx.load_done()
    check = await placement_checks(ctx, acked, await hot_sku_conservation(ctx, ctx.dataset))
    units = sum(line["allocated"] for order in placed for line in order["lines"])
    backordered = sum(1 for order in placed if any(line["backordered"] for line in order["lines"]))
    hot_units = sum(sum(ctx.dataset.hot_stock(sku).values()) for sku in ctx.dataset.hot_skus)
    return Result.of("hot-sku", elapsed, "orders", rec, check, clients=ctx.options.concurrency,
                     hot_skus=len(ctx.dataset.hot_skus), hot_units_in_stock=hot_units,
                     units_allocated_this_run=units, orders_backordered=backordered,
                     hot_skus_short=len(short))
