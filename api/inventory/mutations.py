"""Mutations of stock: adjust by a delta, set to a count."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.commands import AdjustInventory, SetInventory, StockSetItem

from ..common import run, user_errors
from .types import InventoryAdjustInput, InventoryPayload, InventoryReason, InventorySetInput, StockLevel


def _levels_payload(info: strawberry.Info, result) -> InventoryPayload:
    if result.errors:
        return InventoryPayload(stock_levels=[], user_errors=user_errors(result.errors))
    read = info.context["engine"].read
    levels = []
    for sku, loc in result.value:
        level = read.stock_level(sku, loc)
        if level is not None:
            levels.append(StockLevel.of(level))
    return InventoryPayload(stock_levels=levels, user_errors=[])


@strawberry.type
class InventoryMutation:
    @strawberry.mutation
    async def inventory_adjust(self, info: strawberry.Info, input: list[InventoryAdjustInput], reason: InventoryReason,
                               reference_document_uri: Optional[str] = None) -> InventoryPayload:
        command = AdjustInventory([(i.sku, i.location, i.delta) for i in input], reason.value, reference_document_uri)
        return _levels_payload(info, await run(info, command))

    @strawberry.mutation
    async def inventory_set(self, info: strawberry.Info, input: list[InventorySetInput],
                            reason: Optional[InventoryReason] = InventoryReason.CYCLE_COUNT,
                            reference_document_uri: Optional[str] = None) -> InventoryPayload:
        items = [StockSetItem(i.sku, i.location, i.on_hand, i.compare_on_hand, i.safety_stock) for i in input]
        command = SetInventory(items, (reason or InventoryReason.CYCLE_COUNT).value, reference_document_uri)
        return _levels_payload(info, await run(info, command))
