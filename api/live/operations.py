"""The websocket operation a subscription resolver runs for, on both protocols: strawberry's
handlers, told to note it (a context variable of the operation's own task), so that a live
subscription can hand its delivery over to a shared feed (feeds.py)."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

import orjson
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler


@dataclass(frozen=True)
class LiveOperation:
    id: str
    query: str
    variables: object
    operation_name: str | None
    frame_head: bytes  # the result message up to its payload, as strawberry's handler would write it

    @property
    def shape(self) -> tuple | None:
        """Operations of one shape get the same result for the same event (None: not comparable)."""
        try:
            return self.query, orjson.dumps(self.variables, option=orjson.OPT_SORT_KEYS), self.operation_name
        except TypeError:  # variables orjson cannot write (integers past 64 bits): served on their own
            return None


CURRENT: ContextVar[LiveOperation | None] = ContextVar("live_operation", default=None)


def current_operation() -> LiveOperation | None:
    return CURRENT.get()


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws: results are `next` messages."""

    async def run_operation(self, operation) -> None:
        head = b'{"id":' + orjson.dumps(operation.id) + b',"type":"next","payload":'
        CURRENT.set(LiveOperation(operation.id, operation.query, operation.variables, operation.operation_name, head))
        await super().run_operation(operation)


class LiveWSHandler(BaseGraphQLWSHandler):
    """The legacy graphql-ws: results are `data` messages."""

    async def handle_async_results(self, operation_id, query, operation_name, variables) -> None:
        head = b'{"type":"data","id":' + orjson.dumps(operation_id) + b',"payload":'
        CURRENT.set(LiveOperation(operation_id, query, variables, operation_name, head))
        await super().handle_async_results(operation_id, query, operation_name, variables)
