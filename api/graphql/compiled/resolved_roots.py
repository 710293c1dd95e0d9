"""Root fields a plan has already resolved, handed to the generic path when it takes over.

A mutation must run once. When a plan has called a root resolver and then cannot complete its
value, the generic path executes the document with the resolved values (or the exceptions
raised) under PRE_RESOLVED in the context: each root field's resolver answers from there
instead of running again, and graphql-core completes the rest as it always does."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from graphql import GraphQLSchema, default_field_resolver

PRE_RESOLVED = "oms.pre_resolved"


class Raised(NamedTuple):
    error: BaseException


def answering_resolved(resolve: Callable[..., Any]) -> Callable[..., Any]:
    def resolve_once(source: Any, info: Any, **args: Any) -> Any:
        context = info.context
        resolved = context.get(PRE_RESOLVED) if type(context) is dict else None
        if resolved is not None and info.path.key in resolved:
            value = resolved[info.path.key]
            if type(value) is Raised:
                raise value.error
            return value
        return resolve(source, info, **args)

    resolve_once.resolves = resolve
    return resolve_once


def install(schema: GraphQLSchema) -> None:
    """On every query and mutation root field, once (after any other resolver was installed)."""
    for root in (schema.query_type, schema.mutation_type):
        for field in root.fields.values():
            if not hasattr(field.resolve, "resolves"):
                field.resolve = answering_resolved(field.resolve or default_field_resolver)
