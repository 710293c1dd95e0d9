"""Returns (RMA): requests, receipts, payloads and pages. Return itself, its lines and statuses
are in api/orders/types.py: it and Order refer to each other."""
from __future__ import annotations

from typing import Optional

import strawberry

from ..common import PageInfo, UserError
from ..orders.types import ItemCondition, Return, ReturnResolution


@strawberry.input
class ReturnLineInput:
    sku: str
    quantity: int
    reason: Optional[str] = None
    exchange_sku: Optional[str] = None


@strawberry.input
class ReturnInput:
    order_id: strawberry.ID
    resolution: Optional[ReturnResolution] = ReturnResolution.REFUND
    lines: list[ReturnLineInput]
    restock_location: Optional[str] = strawberry.field(default=None, description="Where resellable units go back into stock; defaults to the location that shipped them.")


@strawberry.input
class ReturnReceiveLineInput:
    sku: str
    quantity: int
    condition: ItemCondition


@strawberry.type
class ReturnPayload:
    return_: Optional[Return] = strawberry.field(name="return")
    user_errors: list[UserError]


@strawberry.type
class ReturnEdge:
    cursor: str
    node: Return


@strawberry.type
class ReturnConnection:
    edges: list[ReturnEdge]
    page_info: PageInfo
    total_count: Optional[int] = None
