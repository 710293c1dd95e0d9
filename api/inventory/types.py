"""Stock levels and the inventory ledger."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Optional

import strawberry

from ..common import PageInfo, UserError


@strawberry.type(description="""Quantities of one sku at one location. Invariants, at every commit:
onHand >= 0, committed >= 0, committed <= onHand,
available = max(0, onHand - committed - safetyStock).""")
class StockLevel:
    sku: str
    location: str
    on_hand: int
    committed: int = strawberry.field(description="Reserved by allocated, not yet shipped order lines.")
    available: int
    safety_stock: int
    incoming: int = strawberry.field(description="Still to arrive on open purchase orders.")
    updated_at: Optional[datetime]

    @classmethod
    def of(cls, row: dict) -> "StockLevel":
        return cls(
            sku=row["sku"], location=row["location"], on_hand=row["onHand"], committed=row["committed"],
            available=row["available"], safety_stock=row["safetyStock"], incoming=row["incoming"],
            updated_at=datetime.fromisoformat(row["updatedAt"]) if row["updatedAt"] else None,
        )


@strawberry.type
class StockLevelEdge:
    cursor: str
    node: StockLevel


@strawberry.type
class StockLevelConnection:
    edges: list[StockLevelEdge]
    page_info: PageInfo
    total_count: Optional[int] = None


@strawberry.enum(description="Why onHand changed. SHIPPED is written by shipmentShip, never by hand.")
class InventoryReason(Enum):
    RECEIVED = "RECEIVED"
    SHIPPED = "SHIPPED"
    CORRECTION = "CORRECTION"
    CYCLE_COUNT = "CYCLE_COUNT"
    DAMAGED = "DAMAGED"
    SHRINKAGE = "SHRINKAGE"
    RETURN_RESTOCK = "RETURN_RESTOCK"
    TRANSFER = "TRANSFER"


@strawberry.input
class InventoryAdjustInput:
    sku: str
    location: str
    delta: int = strawberry.field(description="Added to onHand; may be negative.")


@strawberry.input
class InventorySetInput:
    sku: str
    location: str
    on_hand: int
    compare_on_hand: Optional[int] = strawberry.field(default=None, description="Compare-and-set: the change is refused with CONFLICT unless onHand is this now.")
    safety_stock: Optional[int] = None


@strawberry.type(description="""One change of onHand, kept forever (the inventory ledger). When onHand drops below
committed, the newest allocations at that location are released and routed again.""")
class InventoryChange:
    sku: str
    location: str
    delta: int
    on_hand_after: int
    reason: InventoryReason
    reference_document_uri: Optional[str]
    at: datetime


@strawberry.type
class InventoryPayload:
    stock_levels: list[StockLevel]
    user_errors: list[UserError]


@strawberry.type
class InventoryChangeEdge:
    cursor: str
    node: InventoryChange


@strawberry.type
class InventoryChangeConnection:
    edges: list[InventoryChangeEdge]
    page_info: PageInfo
