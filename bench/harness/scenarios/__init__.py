"""One module per scenario, each with `async def run(ctx) -> Result`."""
from __future__ import annotations

from . import fanout, hot_sku, mixed, place, place_batch, recovery

SCENARIOS = {
    "place": place.run,
    "place-batch": place_batch.run,
    "hot-sku": hot_sku.run,
    "mixed": mixed.run,
    "fanout": fanout.run,
    "recovery": recovery.run,
}
