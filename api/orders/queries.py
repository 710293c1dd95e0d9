"""Queries of orders and customers."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.orders import order_number

from .. import ids
from ..graphql import GraphQLError
from .types import Customer, Order, OrderConnection, OrderFilter, order_connection


def order_seq_by_number(number: str) -> Optional[int]:
    seq = ids.sequence(number[3:]) if number.startswith("SO-") else None
    return seq if seq is not None and order_number(seq) == number else None


@strawberry.type
class OrderQuery:
    @strawberry.field
    def order(self, info: strawberry.Info, id: Optional[strawberry.ID] = None, number: Optional[str] = None,
              channel: Optional[str] = None, external_id: Optional[str] = None) -> Optional[Order]:
        read = info.context["engine"].read
        if id is not None:
            seq = ids.decode_seq(id, "Order")
            record = read.order(seq) if seq is not None else None
        elif number is not None:
            seq = order_seq_by_number(number)
            record = read.order(seq) if seq is not None else None
        elif channel is not None and external_id is not None:
            record = read.order_by_ext(channel, external_id)
        else:
            raise GraphQLError("give id, number, or channel with externalId")
        return Order.of(record) if record else None

    @strawberry.field
    def orders(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
               filter: Optional[OrderFilter] = None) -> OrderConnection:
        return order_connection(info, first, after, filter.record() if filter else {})

    @strawberry.field
    def customer(self, info: strawberry.Info, email: str) -> Optional[Customer]:
        found = info.context["engine"].read.customer(email)
        return Customer.of(found) if found else None
