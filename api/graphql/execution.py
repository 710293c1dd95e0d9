"""The executor the schema runs: strawberry's, with two ways graphql-core 3.3 kept memory
alive closed (a subscription's per-event cache, and the cycle each executor makes with itself).

graphql-core gives each subscription event a shallow copy of the subscription's executor,
sharing its sub-field cache. That cache is keyed on the identity of lists built anew for
every event, so it gained entries on every event and never hit: a live subscription grew
without bound (90k -> 740k live objects in one fan-out run, and long GC pauses)."""
from __future__ import annotations

from typing import Any

from graphql import OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class OmsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}  # the event's own: dropped with it
        return executor

    def build_response(self, data: Any) -> Any:
        response = super().build_response(data)
        if self.operation.operation is not OperationType.SUBSCRIPTION:
            # async_helpers holds two bound methods of this executor: a cycle that kept every
            # query's and mutation's executor, its coerced variables and its field caches alive
            # until a cyclic collection (about 8% of the server's time in ordersPlace batches)
            self.async_helpers = None
        return response
