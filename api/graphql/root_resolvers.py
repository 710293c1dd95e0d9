"""Root fields resolved by plain functions, past strawberry's conversion of their arguments.

graphql-core calls such a resolver as `resolver(root, info, **arguments)` with the input it
has already coerced (dicts and lists keyed by the schema's camelCase names) and its own
resolve info, whose `context` is the request's context."""
from __future__ import annotations

from typing import Any, Callable

import strawberry


def resolve_mutations_with(schema: strawberry.Schema, resolvers: dict[str, Callable[..., Any]]) -> None:
    """The schema's fields stay as declared; only these mutations' resolvers change."""
    fields = schema._schema.mutation_type.fields
    for name, resolver in resolvers.items():
        fields[name].resolve = resolver
