"""The served schema built from the domains' root types, with the caches and limits that make
strawberry affordable on the hot path."""
from __future__ import annotations

import strawberry
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.tools import merge_types

from engine import limits

from ..metrics import METRICS
from .error_log import OmsSchema
from .execution import OmsExecutionContext
from .operation_metrics import operation_extension
from .prepared import PREPARED, remember_valid

DEPTH_RULE = create_validator(limits.query_depth_max, None, None)


def served_schema(queries: tuple[type, ...], mutations: tuple[type, ...], subscription: type,
                  types: list[type]) -> strawberry.Schema:
    """Query and Mutation hold the fields of `queries` and `mutations`, in their order."""
    return OmsSchema(  # client errors log one INFO line, the server's faults ERROR with traceback
        execution_context_class=OmsExecutionContext,
        query=merge_types("Query", queries),
        mutation=merge_types("Mutation", mutations),
        subscription=subscription,
        types=types,
        extensions=[
            # Factories: an extension instance holds one request's context, so each request gets
            # its own. The caches live at module level; the depth rule is built once so that
            # validation results stay cached.
            lambda: ParserCache(maxsize=1024),
            lambda: ValidationCache(maxsize=1024),
            lambda: AddValidationRules([DEPTH_RULE]),
            lambda: MaxTokensLimiter(max_token_count=limits.query_tokens_max),
            operation_extension(METRICS),
            remember_valid(PREPARED),  # last: it remembers what every other extension accepted
        ],
    )
