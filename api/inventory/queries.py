"""Queries of stock: levels and the ledger of changes."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from .. import ids
from ..common import page_info, page_size
from ..graphql import GraphQLError
from .types import (
    InventoryChange, InventoryChangeConnection, InventoryChangeEdge, InventoryReason, StockLevel, StockLevelConnection, StockLevelEdge,
)


def stock_connection(rows: list[dict], has_next: bool, after: Optional[str]) -> StockLevelConnection:
    return StockLevelConnection(
        edges=[StockLevelEdge(cursor=r["cursor"], node=StockLevel.of(r)) for r in rows],
        page_info=page_info([r["cursor"] for r in rows], has_next, after),
    )


@strawberry.type
class InventoryQuery:
    @strawberry.field
    def stock_level(self, info: strawberry.Info, sku: str, location: str) -> Optional[StockLevel]:
        row = info.context["engine"].read.stock_level(sku, location)
        return StockLevel.of(row) if row else None

    @strawberry.field(description="belowSafetyStock: only levels where onHand - committed < safetyStock.")
    def stock_levels(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
                     sku: Optional[str] = None, location: Optional[str] = None,
                     below_safety_stock: Optional[bool] = None) -> StockLevelConnection:
        size = page_size(first)
        if after is not None and not _stock_cursor(after):
            raise GraphQLError("after is not a cursor of this connection")
        rows, more = info.context["engine"].read.stock_levels(after, size, sku, location, below_safety_stock)
        return stock_connection(rows, more, after)

    @strawberry.field
    def inventory_changes(self, info: strawberry.Info, sku: str, location: Optional[str] = None,
                          first: Optional[int] = None, after: Optional[str] = None) -> InventoryChangeConnection:
        size = page_size(first)
        if after is not None and ids.sequence(after) is None:
            raise GraphQLError("after is not a cursor of this connection")
        rows, more = info.context["engine"].read.inventory_changes(sku, location, after, size)
        return InventoryChangeConnection(
            edges=[InventoryChangeEdge(cursor=r["cursor"], node=InventoryChange(
                sku=r["sku"], location=r["loc"], delta=r["delta"], on_hand_after=r["onHandAfter"],
                reason=InventoryReason(r["reason"]), reference_document_uri=r["ref"], at=datetime.fromisoformat(r["at"]),
            )) for r in rows],
            page_info=page_info([r["cursor"] for r in rows], more, after),
        )


def _stock_cursor(value: str) -> bool:
    s, sep, l = value.partition(":")
    return bool(sep) and ids.sequence(s, 12) is not None and ids.sequence(l, 9) is not None
