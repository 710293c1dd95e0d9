"""Which GraphQL errors are the client's and which the server's, for the log.

strawberry logs every error of a result at ERROR with its traceback, so a client sending a
bad `first` or cursor filled the log with tracebacks. Errors the client caused are logged
as one INFO line per request; the server's own faults keep ERROR with the traceback.
The answer to the client is not changed here: this decides only what is logged.

The client's:
GraphQLErrors of their own (no original_error, or one that is itself a GraphQLError):
syntax and validation errors, the token and depth limits, variable coercion, and the
refusals resolvers raise, always as GraphQLError (api.common.page_size, seq_cursor, ...).
Any other exception is a fault of the server.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import strawberry
from graphql import GraphQLError

log = logging.getLogger("oms.graphql")

message_chars_max = 200
messages_logged_max = 3
_UNPRINTABLE = re.compile(r"\s+|[\x00-\x1f\x7f]")


def is_client_error(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


def _one_line(text: str) -> str:
    text = _UNPRINTABLE.sub(" ", text).strip()
    return text if len(text) <= message_chars_max else text[:message_chars_max] + "..."


def describe(error: GraphQLError) -> str:
    """`message (path)`, or `message (line:column)` for an error of the document, on one short line."""
    if error.path:
        where = ".".join(str(key) for key in error.path)
    elif error.locations:
        where = ", ".join(f"{loc.line}:{loc.column}" for loc in error.locations[:3])
    else:
        where = ""
    message = _one_line(error.message)
    return f"{message} ({_one_line(where)})" if where else message


def log_client_errors(errors: list[GraphQLError]) -> None:
    """One INFO line for all the client errors of one result."""
    if not errors or not log.isEnabledFor(logging.INFO):
        return
    shown = "; ".join(describe(error) for error in errors[:messages_logged_max])
    more = len(errors) - messages_logged_max
    log.info("client error: %s%s", shown, f"; and {more} more" if more > 0 else "")


class OmsSchema(strawberry.Schema):
    """strawberry's schema, logging client errors as one INFO line and faults as strawberry does.

    Every path that reports errors ends here: strawberry's execute and subscribe (parse,
    validation, execution) call _process_errors, and so does the prepared-document path."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        client: list[GraphQLError] = []
        faults: list[GraphQLError] = []
        for error in errors:
            (client if is_client_error(error) else faults).append(error)
        log_client_errors(client)
        if faults:
            super().process_errors(faults, execution_context)  # ERROR with the traceback, via StrawberryLogger
