"""Queries of returns."""
from __future__ import annotations

from typing import Optional

import strawberry

from .. import ids
from ..common import page_info, page_size, seq_cursor
from ..orders.types import Return, ReturnStatus
from .types import ReturnConnection, ReturnEdge


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
