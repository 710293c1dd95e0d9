"""Purchase orders."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Optional

import strawberry

from .. import ids
from ..common import Node, PageInfo, UserError


@strawberry.enum
class PurchaseOrderStatus(Enum):
    OPEN = "OPEN"
    PARTIALLY_RECEIVED = "PARTIALLY_RECEIVED"
    RECEIVED = "RECEIVED"
    CANCELLED = "CANCELLED"


@strawberry.type
class PurchaseOrderLine:
    sku: str
    quantity: int
    received: int


@strawberry.type
class PurchaseOrder(Node):
    number: str
    supplier: str
    location: str
    status: PurchaseOrderStatus
    expected_at: Optional[datetime]
    lines: list[PurchaseOrderLine]
    created_at: datetime

    @classmethod
    def of(cls, r: dict) -> "PurchaseOrder":
        return cls(
            id=strawberry.ID(ids.encode("PurchaseOrder", r["seq"])), number=r["number"], supplier=r["supplier"],
            location=r["location"], status=PurchaseOrderStatus(r["status"]),
            expected_at=datetime.fromisoformat(r["expectedAt"]) if r["expectedAt"] else None,
            lines=[PurchaseOrderLine(sku=l["sku"], quantity=l["quantity"], received=l["received"]) for l in r["lines"]],
            created_at=datetime.fromisoformat(r["createdAt"]),
        )


@strawberry.input
class PurchaseOrderLineInput:
    sku: str
    quantity: int


@strawberry.input
class PurchaseOrderInput:
    supplier: str
    location: str
    expected_at: Optional[datetime] = None
    lines: list[PurchaseOrderLineInput]


@strawberry.type
class PurchaseOrderPayload:
    purchase_order: Optional[PurchaseOrder]
    user_errors: list[UserError]


@strawberry.type
class PurchaseOrderEdge:
    cursor: str
    node: PurchaseOrder


@strawberry.type
class PurchaseOrderConnection:
    edges: list[PurchaseOrderEdge]
    page_info: PageInfo
    total_count: Optional[int] = None
