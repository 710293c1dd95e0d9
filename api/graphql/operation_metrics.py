"""Each GraphQL operation counted and timed under its root field, for GET /metrics (api/metrics.py)."""
from __future__ import annotations

import time

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

from ..metrics import Metrics


def operation_extension(metrics: Metrics) -> type[SchemaExtension]:
    class OperationMetrics(SchemaExtension):
        """Counts and times each operation under its root field (bounded label values)."""

        def on_operation(self):
            started = time.perf_counter()
            yield
            context = self.execution_context
            errored = context.result is not None and bool(context.result.errors)
            metrics.observe_operation(operation_label(context.graphql_document), errored, time.perf_counter() - started)

    return OperationMetrics


def operation_label(document: DocumentNode | None) -> str:
    """The first root field of the document's first definition; "unknown" when there is none."""
    try:
        if document is not None:
            return document.definitions[0].selection_set.selections[0].name.value
    except (AttributeError, IndexError):
        pass
    return "unknown"
