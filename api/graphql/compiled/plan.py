"""A prepared document compiled into a plan: coerce the variables, call each root resolver,
complete its value, all decided once.

Covered: one query or mutation operation; fields, aliases, named and inline fragments on
object types, __typename; arguments from literals and variables; resolvers that answer
synchronously below the root. Not covered (the document is always executed generically):
directives of any kind, fragment variables, abstract types, introspection, subscriptions.
"""
from __future__ import annotations

from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationType, Visitor, visit
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields
from graphql.language import FragmentDefinitionNode, OperationDefinitionNode
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable

from .coercion import variables_coercer
from .completion import NO_VARIABLES, Compiler, Run
from .fallback import Fallback, NotCompiled
from .resolved_roots import Raised


class Unfinished(Fallback):
    """Root fields were resolved before the plan gave up: the generic path must not resolve them again."""

    def __init__(self, resolved: dict[str, Any]):
        super().__init__()
        self.resolved = resolved


class Plan:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, default_resolver: Any):
        _refuse_directives(document)
        operation, fragments = _operation_and_fragments(document, operation_name)
        root_type = {OperationType.QUERY: schema.query_type, OperationType.MUTATION: schema.mutation_type}.get(operation.operation)
        if root_type is None:
            raise NotCompiled(f"a {operation.operation.value}")
        compiler = Compiler(schema, operation, fragments, default_resolver)
        grouped = collect_fields(schema, fragments, NO_VARIABLES, root_type, operation).grouped_field_set
        self.roots = tuple(_root(compiler, root_type, key, details) for key, details in grouped.items())
        self.root_type_name = root_type.name
        self.coerce = variables_coercer(schema, operation)
        self.schema, self.variable_definitions = schema, operation.variable_definitions or ()

    async def run(self, variables: dict | None, context: Any, root_value: Any, extensions: dict | None,
                  resolved: dict[str, Any]) -> dict:
        """The answer's data; raises Fallback (or Unfinished) when the generic path must answer.
        `resolved` receives each root field's value (or what it raised) as soon as it has one."""
        run = Run(context, root_value, self.coerce(variables), extensions)
        data: dict[str, Any] = {}
        for key, call, complete in self.roots:
            path = Path(None, key, self.root_type_name)
            try:
                value = call(root_value, path, run)
                if optimized_is_awaitable(value):
                    value = await value
            except Exception as error:
                resolved[key] = Raised(error)
                raise Unfinished(resolved) from None
            resolved[key] = value
            try:
                data[key] = complete(value, path, run)
            except Exception:
                raise Unfinished(resolved) from None
        return data


def _root(compiler: Compiler, root_type: Any, key: str, details: list[FieldDetails]) -> tuple:
    name = details[0].node.name.value
    if details[0].node.directives:
        raise NotCompiled("a directive on a root field")
    if name == "__typename":
        return key, lambda source, path, run: root_type.name, lambda value, path, run: value
    definition = root_type.fields.get(name)
    if definition is None:
        raise NotCompiled(f"the meta field {name}")
    complete, _ = compiler.complete(definition.type, details)
    return key, compiler.call(root_type, definition, details), complete


def _operation_and_fragments(document: DocumentNode, operation_name: str | None) -> tuple[Any, dict[str, FragmentDetails]]:
    """As ExecutionContext.build picks them."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise NotCompiled("no single operation")
        operation = operations[0]
    else:
        named = [o for o in operations if o.name and o.name.value == operation_name]
        if len(named) != 1:
            raise NotCompiled(f"no single operation named {operation_name}")
        operation = named[0]
    fragments = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:
                raise NotCompiled("fragment variables")
            fragments[definition.name.value] = FragmentDetails(definition)
    return operation, fragments


def _refuse_directives(document: DocumentNode) -> None:
    class Directives(Visitor):
        def enter_directive(self, *_: Any) -> None:
            raise NotCompiled("a directive")

    visit(document, Directives())
