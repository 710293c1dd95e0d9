"""Prepared documents compiled into plans that skip graphql-core's per-field machinery, with
the generic path behind them for everything they do not cover (see plan.py)."""
from __future__ import annotations

from typing import Any

from .fallback import Fallback, NotCompiled
from .plan import Plan, Unfinished
from .resolved_roots import PRE_RESOLVED


def compile_plan(schema: Any, document: Any, operation_name: str | None) -> Plan | None:
    """schema: the strawberry schema; None when the document is not covered."""
    try:
        return Plan(schema._schema, document, operation_name, schema.config.default_resolver)
    except NotCompiled:
        return None


__all__ = ["Fallback", "PRE_RESOLVED", "Plan", "Unfinished", "compile_plan"]
