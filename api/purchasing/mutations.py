"""Mutations of purchase orders: create, receive, cancel."""
from __future__ import annotations

import strawberry

from engine.domain.commands import CancelPurchaseOrder, CreatePurchaseOrder, ReceivePurchaseOrder

from ..common import run, run_on, user_errors
from .types import PurchaseOrder, PurchaseOrderInput, PurchaseOrderLineInput, PurchaseOrderPayload


def _payload(result) -> PurchaseOrderPayload:
    return PurchaseOrderPayload(purchase_order=PurchaseOrder.of(result.value) if result.value else None,
                                user_errors=user_errors(result.errors))


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
