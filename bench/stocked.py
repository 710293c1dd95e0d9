"""The catalog the engine and GraphQL benchmarks share: locations L0.., one channel `web`,
skus S0.. priced 9.99, each stocked with 1M units at every location."""
from __future__ import annotations

from engine import Engine, limits
from engine.domain.commands import ProductDraft, SetInventory, StockSetItem, UpsertChannel, UpsertLocation, UpsertProducts

units_per_level = 1_000_000


def stock_up(engine: Engine, skus: int, locations: int) -> None:
    for l in range(locations):
        _ok(engine, UpsertLocation(f"L{l}", f"Location {l}", priority=l))
    _ok(engine, UpsertChannel("web", "Web", "STOREFRONT"))
    chunk = limits.batch_items_max
    for start in range(0, skus, chunk):
        _ok(engine, UpsertProducts([ProductDraft(f"S{i}", f"Sku {i}", price="9.99") for i in range(start, min(skus, start + chunk))]))
    items = [StockSetItem(f"S{i}", f"L{l}", units_per_level) for i in range(skus) for l in range(locations)]
    for start in range(0, len(items), chunk):
        _ok(engine, SetInventory(items[start : start + chunk]))


def _ok(engine: Engine, command: object) -> None:
    result = engine.execute(command)
    assert not result.errors, result.errors
