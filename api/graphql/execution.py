"""The executor the schema runs: strawberry's, with a per-event memory leak of graphql-core
3.3 closed.

graphql-core gives each subscription event a shallow copy of the subscription's executor,
sharing its sub-field cache. That cache is keyed on the identity of lists built anew for
every event, so it gained entries on every event and never hit: a live subscription grew
without bound (90k -> 740k live objects in one fan-out run, and long GC pauses)."""
from __future__ import annotations

from typing import Any

from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class OmsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def build_per_event_executor(self, payload: Any) -> Any:
        executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}  # the event's own: dropped with it
        return executor
