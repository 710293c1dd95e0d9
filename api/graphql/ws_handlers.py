"""strawberry's websocket handlers, on both protocols, told to note the operation a subscription
resolver runs for (api/live/operations.py), and the payload they write for a result."""
from __future__ import annotations

import orjson
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types.execution import ExecutionResult

from ..live.operations import CURRENT, LiveOperation


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


def result_payload(result: ExecutionResult) -> dict:
    """As strawberry's handlers write a result (next / data message payload)."""
    payload: dict = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload
