"""POST /graphql for a document the generic path has already parsed and validated.

strawberry's view and extension runner cost more per request than graphql-core's execution
of an orderPlace (request adapters, websocket-handshake checks, five extension contexts,
hashing the whole document for ValidationCache). A document the generic path accepted
(parsed within the token limit, validated with the depth rule, a query or a mutation) is
remembered by `RememberValid`, keyed on (query, operationName); the next request with it is
executed here exactly as `Schema.execute` would execute it, and answered the same way.
Anything else (GET, another content type, batches, streaming Accept headers, documents
never accepted) returns None and takes the generic path.
"""
from __future__ import annotations

import functools
import time
from typing import Any, Iterator

import orjson
from aiohttp import web
from graphql import DocumentNode, ExecutionResult, execute
from strawberry.extensions import SchemaExtension
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.schema import _coerce_error
from strawberry.types.execution import ExecutionContext
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe
from strawberry.execution import optimized_is_awaitable

from engine import limits

from ..metrics import Metrics
from .compiled import PRE_RESOLVED, Fallback, Plan, compile_plan
from .compiled.equivalence import EquivalenceCheck
from .operation_metrics import operation_label

PREPARED_OPERATIONS = (OperationType.QUERY, OperationType.MUTATION)


class Prepared:
    __slots__ = ("document", "operation_name", "label", "_plan")

    def __init__(self, document: DocumentNode, operation_name: str | None):
        self.document = document
        self.operation_name = operation_name  # as strawberry passes it: the first operation's name when none was given
        self.label = operation_label(document)
        self._plan: Plan | None | bool = False  # False: not compiled yet

    def plan(self, schema: Any) -> Plan | None:
        if self._plan is False:
            self._plan = compile_plan(schema, self.document, self.operation_name)
        return self._plan


class PreparedDocuments:
    """Accepted documents by (query, operationName); the oldest is forgotten past prepared_documents_max."""

    def __init__(self, size_max: int = limits.prepared_documents_max):
        self.size_max = size_max
        self.by_key: dict[tuple[str, str | None], Prepared] = {}

    def get(self, query: str, operation_name: str | None) -> Prepared | None:
        return self.by_key.get((query, operation_name))

    def remember(self, context: ExecutionContext) -> None:
        key = (context.query, context.provided_operation_name)
        if key in self.by_key or not isinstance(context.query, str):
            return
        if len(self.by_key) >= self.size_max:
            del self.by_key[next(iter(self.by_key))]
        self.by_key[key] = Prepared(context.graphql_document, context.operation_name)


def remember_valid(documents: PreparedDocuments) -> type[SchemaExtension]:
    class RememberValid(SchemaExtension):
        """Runs last: sees the outcome of parsing (token limit) and of every validation rule."""

        def on_validate(self) -> Iterator[None]:
            yield
            context = self.execution_context
            errors = context.pre_execution_errors
            if errors is not None and len(errors) == 0 and context.operation_type in PREPARED_OPERATIONS:
                documents.remember(context)

    return RememberValid


@functools.lru_cache(maxsize=64)
def _media_type(header: str) -> str:
    """As the generic path reads it; remembered because strawberry parses it with email.message
    (1.5% of a worker's CPU for an orderPlace), and clients send the same few headers."""
    return parse_content_type(header)[0]


def _request_fields(body: bytes) -> tuple[str, dict | None, str | None, dict | None] | None:
    """query, variables, operationName, extensions of a plain JSON request; None for anything else."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    query, variables, name, extensions = data.get("query"), data.get("variables"), data.get("operationName"), data.get("extensions")
    if type(query) is not str or not (variables is None or type(variables) is dict):
        return None
    if not (name is None or type(name) is str) or not (extensions is None or type(extensions) is dict):
        return None
    return query, variables, name, extensions


class PreparedServer:
    """Serves POST requests whose document is prepared, for one view."""

    def __init__(self, view: Any, documents: PreparedDocuments, metrics: Metrics):
        self.view = view
        self.schema = view.schema
        self.documents = documents
        self.metrics = metrics
        self.check = EquivalenceCheck.from_environment()

    async def serve(self, request: web.Request) -> web.Response | None:
        content_type = _media_type(request.headers.get("Content-Type") or "")
        if "application/json" not in content_type or self.view._get_stream_transport_from_headers(request.headers):
            return None
        fields = _request_fields(await request.read())  # aiohttp keeps the body for the generic path
        if fields is None:
            return None
        query, variables, name, extensions = fields
        prepared = self.documents.get(query, name)
        if prepared is None:
            return None
        view = self.view
        root_value = await view.get_root_value(request)
        sub_response = await view.get_sub_response(request)
        context = await view.get_context(request, response=sub_response)
        result = await self._execute(prepared, variables, extensions, context, root_value)
        response_data: dict[str, Any] = {"data": result.data}
        if result.errors:
            response_data["errors"] = [error.formatted for error in result.errors]
            view._handle_errors(result.errors, response_data)
        return view.create_response(response_data=response_data, sub_response=sub_response)

    async def _execute(self, prepared: Prepared, variables: dict | None, extensions: dict | None, context: Any,
                       root_value: Any) -> ExecutionResult:
        started = time.perf_counter()
        result = await self._compiled(prepared, variables, extensions, context, root_value)
        if result is None:
            result = await self._generic(prepared, variables, extensions, context, root_value)
        if result.errors:
            self.schema._process_errors(result.errors)
        self.metrics.observe_operation(prepared.label, bool(result.errors), time.perf_counter() - started)
        return result

    async def _compiled(self, prepared: Prepared, variables: dict | None, extensions: dict | None, context: Any,
                        root_value: Any) -> ExecutionResult | None:
        """The plan's answer; None when the generic path answers (given what the plan resolved)."""
        plan = prepared.plan(self.schema)
        if plan is None:
            self._observe(prepared, "generic")
            return None
        resolved: dict[str, Any] = {}
        try:
            data = await plan.run(variables, context, root_value, extensions, resolved)
        except Fallback:
            if resolved:
                context[PRE_RESOLVED] = resolved
            self._observe(prepared, "fallback")
            return None
        if self.check:
            await self.check.compare(plan, prepared.label, variables, context, data, resolved,
                                     lambda shadow: self._generic(prepared, variables, extensions, shadow, root_value))
        return ExecutionResult(data=data)

    def _observe(self, prepared: Prepared, outcome: str) -> None:
        self.metrics.observe_handover(outcome)
        if self.check:
            self.check.outcome(prepared.label, outcome)

    async def _generic(self, prepared: Prepared, variables: dict | None, extensions: dict | None, context: Any,
                       root_value: Any) -> ExecutionResult:
        """As Schema.execute executes a validated document."""
        try:
            return await await_maybe(execute(
                self.schema._schema, prepared.document, root_value=root_value, variable_values=variables,
                operation_name=prepared.operation_name, context_value=context, is_awaitable=optimized_is_awaitable,
                executor_class=self.schema.execution_context_class, operation_extensions=extensions,
            ))
        except Exception as exc:  # what Schema.execute turns an unexpected exception into
            return ExecutionResult(data=None, errors=[_coerce_error(exc)])


def lean_path_possible(schema: Any) -> bool:
    """Only while no extension adds resolver middleware or result extensions, and no custom directive exists:
    those are the parts of Schema.execute this path leaves out."""
    if schema.directives:
        return False
    for extension in schema.get_extensions():
        if extension._implements_resolve() or type(extension).get_results is not SchemaExtension.get_results:
            return False
    return True


PREPARED = PreparedDocuments()
