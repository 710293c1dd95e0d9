"""The websocket operation a subscription resolver runs for, on both protocols: strawberry's
handlers note it (api/graphql/ws_handlers.py; a context variable of the operation's own task),
so that a live subscription can hand its delivery over to a shared feed (feeds.py)."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

import orjson


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
