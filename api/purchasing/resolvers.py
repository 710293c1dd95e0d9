"""Queries and mutations for purchase orders."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.commands import CancelPurchaseOrder, CreatePurchaseOrder, ReceivePurchaseOrder

from .. import ids
from ..common import page_info, page_size, run, run_on, seq_cursor, user_errors
from .types import (
    PurchaseOrder, PurchaseOrderConnection, PurchaseOrderEdge, PurchaseOrderInput, PurchaseOrderLineInput,
    PurchaseOrderPayload, PurchaseOrderStatus,
)


def _payload(result) -> PurchaseOrderPayload:
    return PurchaseOrderPayload(purchase_order=PurchaseOrder.of(result.value) if result.value else None,
                                user_errors=user_errors(result.errors))


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


@strawberry.type
class PurchasingMutation:
    @strawberry.mutation
    async def purchase_order_create(self, info: strawberry.Info, input: PurchaseOrderInput) -> PurchaseOrderPayload:
        command = CreatePurchaseOrder(input.supplier, input.location, [(l.sku, l.quantity) for l in input.lines], input.expected_at)
        return _payload(await run(info, command))

    @strawberry.mutation
    async def purchase_order_receive(self, info: strawberry.Info, id: strawberry.ID, lines: list[PurchaseOrderLineInput]) -> PurchaseOrderPayload:
        return _payload(await run_on(info, id, "PurchaseOrder", lambda seq: ReceivePurchaseOrder(seq, [(l.sku, l.quantity) for l in lines])))

    @strawberry.mutation
    async def purchase_order_cancel(self, info: strawberry.Info, id: strawberry.ID) -> PurchaseOrderPayload:
        return _payload(await run_on(info, id, "PurchaseOrder", CancelPurchaseOrder))
