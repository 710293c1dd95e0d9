"""Returns (RMA)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

import strawberry

from .. import ids
from ..common import Node, PageInfo, UserError
from ..orders.types import Order


@strawberry.enum
class ReturnStatus(Enum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"


@strawberry.enum
class ReturnResolution(Enum):
    REFUND = "REFUND"
    EXCHANGE = "EXCHANGE"
    STORE_CREDIT = "STORE_CREDIT"


@strawberry.enum
class ItemCondition(Enum):
    RESELLABLE = "RESELLABLE"
    DAMAGED = "DAMAGED"


@strawberry.type(description="Requested quantities are held by the return while it is open: no other return can claim the same units.")
class ReturnLine:
    sku: str
    quantity: int
    reason: Optional[str]
    exchange_sku: Optional[str]
    received: int
    condition: Optional[ItemCondition]


@strawberry.type
class Return(Node):
    number: str
    status: ReturnStatus
    resolution: ReturnResolution
    lines: list[ReturnLine]
    refund_amount: Optional[Decimal] = strawberry.field(description="Unit price times received quantity, summed; set when received.")
    created_at: datetime
    order_seq: strawberry.Private[int]
    exchange_seq: strawberry.Private[Optional[int]]

    @classmethod
    def of(cls, r: dict) -> "Return":
        return cls(
            id=strawberry.ID(ids.encode("Return", r["seq"])), number=r["number"], status=ReturnStatus(r["status"]),
            resolution=ReturnResolution(r["resolution"]),
            lines=[ReturnLine(sku=l["sku"], quantity=l["quantity"], reason=l["reason"], exchange_sku=l["exchangeSku"],
                              received=l["received"], condition=ItemCondition(l["condition"]) if l["condition"] else None)
                   for l in r["lines"]],
            refund_amount=Decimal(r["refundAmount"]) if r["refundAmount"] is not None else None,
            created_at=datetime.fromisoformat(r["createdAt"]), order_seq=r["order"], exchange_seq=r["exchangeOrder"],
        )

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order:
        return Order.of(info.context["engine"].read.order(self.order_seq))

    @strawberry.field(description="For EXCHANGE: the replacement order, placed at zero price when the return is approved.")
    def exchange_order(self, info: strawberry.Info) -> Optional[Order]:
        return None if self.exchange_seq is None else Order.of(info.context["engine"].read.order(self.exchange_seq))


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
