"""Mutations of returns: request, approve, reject, receive, refund."""
from __future__ import annotations

import strawberry

from engine.domain.commands import ApproveReturn, ReceiveReturn, RefundReturn, RejectReturn, RequestReturn, ReturnLineDraft

from .. import ids
from ..common import run, run_on, user_error, user_errors
from ..orders.types import Return, ReturnResolution
from .types import ReturnInput, ReturnPayload, ReturnReceiveLineInput


def _payload(result) -> ReturnPayload:
    return ReturnPayload(return_=Return.of(result.value) if result.value else None, user_errors=user_errors(result.errors))


async def _on_return(info: strawberry.Info, id: str, build) -> ReturnPayload:
    return _payload(await run_on(info, id, "Return", build))


@strawberry.type
class ReturnsMutation:
    @strawberry.mutation
    async def return_request(self, info: strawberry.Info, input: ReturnInput) -> ReturnPayload:
        seq = ids.decode_seq(input.order_id, "Order")
        if seq is None:
            return ReturnPayload(return_=None, user_errors=[user_error("INVALID", "not an Order id", "input", "orderId")])
        lines = [ReturnLineDraft(l.sku, l.quantity, l.reason, l.exchange_sku) for l in input.lines]
        resolution = (input.resolution or ReturnResolution.REFUND).value
        return _payload(await run(info, RequestReturn(seq, lines, resolution, input.restock_location)))

    @strawberry.mutation
    async def return_approve(self, info: strawberry.Info, id: strawberry.ID) -> ReturnPayload:
        return await _on_return(info, id, ApproveReturn)

    @strawberry.mutation
    async def return_reject(self, info: strawberry.Info, id: strawberry.ID, reason: str) -> ReturnPayload:
        return await _on_return(info, id, lambda seq: RejectReturn(seq, reason))

    @strawberry.mutation(description="Only for an APPROVED return (INVALID_STATE otherwise). Lines' `returned` count received units.")
    async def return_receive(self, info: strawberry.Info, id: strawberry.ID, lines: list[ReturnReceiveLineInput]) -> ReturnPayload:
        return await _on_return(info, id, lambda seq: ReceiveReturn(seq, [(l.sku, l.quantity, l.condition.value) for l in lines]))

    @strawberry.mutation
    async def return_refund(self, info: strawberry.Info, id: strawberry.ID) -> ReturnPayload:
        return await _on_return(info, id, RefundReturn)
