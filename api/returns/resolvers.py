"""Queries and mutations for returns."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.commands import ApproveReturn, ReceiveReturn, RefundReturn, RejectReturn, RequestReturn, ReturnLineDraft

from .. import ids
from ..common import page_info, page_size, run, run_on, seq_cursor, user_error, user_errors
from .types import (
    Return, ReturnConnection, ReturnEdge, ReturnInput, ReturnPayload, ReturnReceiveLineInput, ReturnResolution, ReturnStatus,
)


def _payload(result) -> ReturnPayload:
    return ReturnPayload(return_=Return.of(result.value) if result.value else None, user_errors=user_errors(result.errors))


async def _on_return(info: strawberry.Info, id: str, build) -> ReturnPayload:
    return _payload(await run_on(info, id, "Return", build))


@strawberry.type
class ReturnsQuery:
    @strawberry.field(name="return")
    def return_(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Return]:
        seq = ids.decode_seq(id, "Return")
        record = info.context["engine"].read.return_(seq) if seq is not None else None
        return Return.of(record) if record else None

    @strawberry.field
    def returns(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
                status: Optional[list[ReturnStatus]] = None) -> ReturnConnection:
        rows, more = info.context["engine"].read.returns(seq_cursor(after), page_size(first), [s.value for s in status] if status else None)
        return ReturnConnection(edges=[ReturnEdge(cursor=r["cursor"], node=Return.of(r)) for r in rows],
                                page_info=page_info([r["cursor"] for r in rows], more, after))


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
