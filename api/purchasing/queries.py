"""Queries of purchase orders."""
from __future__ import annotations

from typing import Optional

import strawberry

from .. import ids
from ..common import page_info, page_size, seq_cursor
from .types import PurchaseOrder, PurchaseOrderConnection, PurchaseOrderEdge, PurchaseOrderStatus


@strawberry.type
class PurchasingQuery:
    @strawberry.field
    def purchase_order(self, info: strawberry.Info, id: strawberry.ID) -> Optional[PurchaseOrder]:
        seq = ids.decode_seq(id, "PurchaseOrder")
        record = info.context["engine"].read.purchase_order(seq) if seq is not None else None
        return PurchaseOrder.of(record) if record else None

    @strawberry.field
    def purchase_orders(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
                        status: Optional[list[PurchaseOrderStatus]] = None, location: Optional[str] = None) -> PurchaseOrderConnection:
        rows, more = info.context["engine"].read.purchase_orders(
            seq_cursor(after), page_size(first), [s.value for s in status] if status else None, location)
        return PurchaseOrderConnection(edges=[PurchaseOrderEdge(cursor=r["cursor"], node=PurchaseOrder.of(r)) for r in rows],
                                       page_info=page_info([r["cursor"] for r in rows], more, after))
