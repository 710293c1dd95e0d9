"""The equivalence check: with OMS_COMPILED_CHECK=FILE, every request is also answered by
graphql-core (from the same resolved root values, so a mutation still runs once) and the two
answers' bytes compared, with the variables each coerced; one JSON line per request goes to
FILE. The test suite runs every server with it and fails on any difference."""
from __future__ import annotations

import os
from typing import Any, Awaitable, Callable

import orjson
from graphql import ExecutionResult, get_variable_values

from .plan import Plan
from .resolved_roots import PRE_RESOLVED

CHECK_ENV = "OMS_COMPILED_CHECK"


class EquivalenceCheck:
    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_environment(cls) -> "EquivalenceCheck | None":
        path = os.environ.get(CHECK_ENV)
        return cls(path) if path else None

    def outcome(self, label: str, outcome: str) -> None:
        """compiled | fallback | generic (the document is not covered)."""
        self._write({"label": label, "outcome": outcome})

    async def compare(self, plan: Plan, label: str, variables: dict | None, context: dict, data: dict,
                      resolved: dict, generic: Callable[[dict], Awaitable[ExecutionResult]]) -> None:
        expected = await generic({**context, PRE_RESOLVED: resolved})
        answer = orjson.dumps({"data": data})
        wanted = orjson.dumps({"data": expected.data, **({"errors": [e.formatted for e in expected.errors]}
                                                          if expected.errors else {})})
        coerced = get_variable_values(plan.schema, plan.variable_definitions, variables or {})
        same_variables = not isinstance(coerced, list) and repr(coerced.coerced) == repr(plan.coerce(variables).coerced)
        line: dict[str, Any] = {"label": label, "outcome": "compiled", "same": answer == wanted and same_variables}
        if not line["same"]:
            line.update(compiled=answer.decode(), generic=wanted.decode(), same_variables=same_variables)
        self._write(line)

    def _write(self, line: dict) -> None:
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, orjson.dumps(line) + b"\n")  # one write per line: processes may share the file
        finally:
            os.close(descriptor)
