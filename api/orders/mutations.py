"""Mutations of orders: place (one or many), cancel, hold, release."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine import limits
from engine.domain.commands import CancelOrder, HoldOrder, LineDraft, OrderDraft, PlaceOrders, ReleaseOrder

from ..catalog.types import address_record
from ..common import run, run_on, user_error, user_errors
from .types import Order, OrderInput, OrderPayload, OrdersPayload


def draft(value: OrderInput) -> OrderDraft:
    return OrderDraft(
        channel=value.channel, external_id=value.external_id,
        customer=None if value.customer is None else {"email": value.customer.email, "name": value.customer.name},
        shipping_address=address_record(value.shipping_address), currency=value.currency,
        lines=[LineDraft(l.sku, l.quantity, l.unit_price) for l in value.lines],
        tags=value.tags, placed_at=value.placed_at, note=value.note,
    )


def _payload(result) -> OrderPayload:
    return OrderPayload(order=Order.of(result.value) if result.value else None, user_errors=user_errors(result.errors))


async def place_one(info: strawberry.Info, order: OrderDraft) -> OrderPayload:
    return _payload(await run(info, PlaceOrders([order], single=True)))


async def place_many(info: strawberry.Info, orders: list[OrderDraft]) -> OrdersPayload:
    if len(orders) > limits.batch_orders_max:
        return OrdersPayload(orders=[None] * len(orders), user_errors=[
            user_error("LIMIT_EXCEEDED", f"at most {limits.batch_orders_max} orders per request", "input")])
    result = await run(info, PlaceOrders(orders))
    placed = result.value if isinstance(result.value, list) else [None] * len(orders)
    return OrdersPayload(orders=[Order.of(o) if o else None for o in placed], user_errors=user_errors(result.errors))


@strawberry.type
class OrderMutation:
    # These two define the fields; when serving, api/orders/fast_path.py resolves them from
    # the coerced input instead (same commands, same payloads), skipping strawberry's conversion.
    @strawberry.mutation
    async def order_place(self, info: strawberry.Info, input: OrderInput) -> OrderPayload:
        return await place_one(info, draft(input))

    @strawberry.mutation(description="Many orders in one request, each accepted or refused on its own, in input order.")
    async def orders_place(self, info: strawberry.Info, input: list[OrderInput]) -> OrdersPayload:
        return await place_many(info, [draft(i) for i in input])

    @strawberry.mutation(description="""Cancels every unit not shipped yet (lines' `cancelled`), cancels the shipments not shipped
and releases their stock; shipped units stay. INVALID_STATE when nothing is left to cancel.""")
    async def order_cancel(self, info: strawberry.Info, id: strawberry.ID, reason: Optional[str] = None) -> OrderPayload:
        return _payload(await run_on(info, id, "Order", lambda seq: CancelOrder(seq, reason)))

    @strawberry.mutation(description="""Allowed while none of the order's shipments has started picking (every open shipment
PENDING); INVALID_STATE once one is PICKING or later, or when the order is cancelled or
already on hold. Its PENDING shipments are withdrawn (CANCELLED); its reservations stay.""")
    async def order_hold(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> OrderPayload:
        return _payload(await run_on(info, id, "Order", lambda seq: HoldOrder(seq, reason)))

    @strawberry.mutation(description="Only for an ON_HOLD order (INVALID_STATE otherwise); creates its shipments again where its allocations are.")
    async def order_release(self, info: strawberry.Info, id: strawberry.ID) -> OrderPayload:
        return _payload(await run_on(info, id, "Order", ReleaseOrder))
