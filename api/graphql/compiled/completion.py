"""Completers: functions built once per selection that turn a resolved value into its answer.

graphql-core decides per field and per request what the field is (its definition, resolver,
arguments, return type) and wraps every value in the same checks; for an orderPlace that is
about 30% of a worker's CPU. A completer makes those decisions once, when the document is
compiled, and keeps graphql-core's meaning: the same resolvers called with the same
arguments and resolve info, the same leaf coercion, the same `is_type_of` checks, fields in
collect_fields' order. Whatever would make graphql-core report an error (a null in a non-null
position, a value of the wrong type, a resolver that raises or returns an awaitable) raises,
and the generic path then answers the request, errors included.
"""
from __future__ import annotations

from math import isfinite
from typing import Any, Callable, NamedTuple

from graphql import (
    GraphQLBoolean, GraphQLEnumType, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull,
    GraphQLObjectType, GraphQLScalarType, GraphQLSchema, GraphQLString, OperationDefinitionNode, Undefined,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values
from graphql.language import VariableNode, visit, Visitor
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo as ResolveInfo

from .fallback import Fallback, NotCompiled

INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
NO_VARIABLES = VariableValues({}, {})


class Run(NamedTuple):
    """What one request's completion reads besides the values."""
    context: Any
    root_value: Any
    variables: VariableValues
    extensions: dict | None


Complete = Callable[[Any, Any, Run], Any]  # (value, path or None, run) -> answer
Get = Callable[[Any, Any, Run], Any]  # (source, path of the field or None, run) -> value


class Compiler:
    """Builds the completers of one operation of one document."""

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: dict[str, FragmentDetails],
                 default_resolver: Callable):
        self.schema, self.operation, self.fragments = schema, operation, fragments
        self.fragment_definitions = {name: f.definition for name, f in fragments.items()}
        self.default_resolver = default_resolver

    def grouped_fields(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
        collected = collect_subfields(self.schema, self.fragments, NO_VARIABLES, self.operation, type_, details)
        if collected.new_defer_usages:
            raise NotCompiled("@defer")
        return collected.grouped_field_set

    def complete(self, type_: Any, details: list[FieldDetails]) -> tuple[Complete, bool]:
        """The completer of a value of `type_`, and whether it needs the path (a resolver below reads info)."""
        if isinstance(type_, GraphQLNonNull):
            inner, needs_path = self.complete(type_.of_type, details)
            return _non_null(inner), needs_path
        if isinstance(type_, GraphQLList):
            item, needs_path = self.complete(type_.of_type, details)
            return _list(item, needs_path), needs_path
        if isinstance(type_, GraphQLObjectType):
            return self.complete_object(type_, details)
        if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
            return _nullable(_leaf(type_)), False
        raise NotCompiled(f"a field of abstract type {type_}")

    def complete_object(self, type_: GraphQLObjectType, details: list[FieldDetails]) -> tuple[Complete, bool]:
        fields, needs_path = [], False
        for key, field_details in self.grouped_fields(type_, details).items():
            get, complete, field_needs_path = self.field(type_, key, field_details)
            fields.append((key, get, complete, field_needs_path))
            needs_path = needs_path or field_needs_path
        return _nullable(_object(type_, tuple(fields))), needs_path

    def field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails]) -> tuple[Get, Complete, bool]:
        node = details[0].node
        name = node.name.value
        if node.directives:
            raise NotCompiled("a directive on a field")
        if name == "__typename":
            return _constant(parent.name), _as_is, False
        definition = parent.fields.get(name)
        if definition is None:
            raise NotCompiled(f"the meta field {name}")
        complete, needs_path = self.complete(definition.type, details)
        get = self.getter(parent, definition, details)
        reads_info = getattr(get, "reads_info", False)
        return get, complete, needs_path or reads_info

    def getter(self, parent: GraphQLObjectType, definition: Any, details: list[FieldDetails]) -> Get:
        strawberry_field = definition.extensions.get("strawberry-definition")
        if strawberry_field is None:
            raise NotCompiled(f"{parent.name}.{details[0].node.name.value} is not a strawberry field")
        if strawberry_field.is_async:
            raise NotCompiled(f"{parent.name}.{strawberry_field.python_name} resolves asynchronously")
        if getattr(definition.resolve, "_is_default", False) and self.default_resolver is getattr:
            return _attribute(strawberry_field.python_name)
        return self.resolver_getter(parent, definition, details)

    def resolver_getter(self, parent: GraphQLObjectType, definition: Any, details: list[FieldDetails]) -> Get:
        call = self.call(parent, definition, details)

        def get(source: Any, path: Path, run: Run) -> Any:
            value = call(source, path, run)
            if optimized_is_awaitable(value):
                _discard(value)
                raise Fallback
            return value

        get.reads_info = True
        return get

    def call(self, parent: GraphQLObjectType, definition: Any, details: list[FieldDetails]) -> Get:
        """Calls the field's resolver as graphql-core's execute_field does: its arguments, its resolve info."""
        node, resolve = details[0].node, definition.resolve
        nodes = [d.node for d in details]
        static_args = None if _reads_variables(node) else (
            get_argument_values(definition, node, NO_VARIABLES) if definition.args or node.arguments else {})
        schema, operation, fragments = self.schema, self.operation, self.fragment_definitions
        name, return_type = node.name.value, definition.type

        def call(source: Any, path: Path, run: Run) -> Any:
            variables = run.variables
            args = static_args if static_args is not None else get_argument_values(definition, node, variables)
            info = ResolveInfo(name, nodes, return_type, parent, path, schema, fragments, run.root_value, operation,
                               variables.coerced, run.context, optimized_is_awaitable, None, None, run.extensions)
            return resolve(source, info, **args)

        return call


def _reads_variables(node: Any) -> bool:
    found = []

    class Variables(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            found.append(variable)

    for argument in node.arguments or ():
        visit(argument, Variables())
    return bool(found)


def _discard(awaitable: Any) -> None:
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()


def _as_is(value: Any, path: Any, run: Run) -> Any:
    return value


def _constant(value: Any) -> Get:
    return lambda source, path, run: value


def _attribute(name: str) -> Get:
    return lambda source, path, run: getattr(source, name)


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any, path: Any, run: Run) -> Any:
        answer = inner(value, path, run)
        if answer is None:
            raise Fallback
        return answer
    return complete


def _nullable(inner: Complete) -> Complete:
    def complete(value: Any, path: Any, run: Run) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise Fallback
        return inner(value, path, run)
    return complete


def _list(item: Complete, needs_path: bool) -> Complete:
    if needs_path:
        def complete(value: Any, path: Any, run: Run) -> list:
            if type(value) is not list and type(value) is not tuple:
                raise Fallback
            return [item(v, Path(path, i, None), run) for i, v in enumerate(value)]
    else:
        def complete(value: Any, path: Any, run: Run) -> list:
            if type(value) is not list and type(value) is not tuple:
                raise Fallback
            return [item(v, None, run) for v in value]
    return _nullable(complete)


def _object(type_: GraphQLObjectType, fields: tuple) -> Complete:
    is_type_of, type_name = type_.is_type_of, type_.name

    def complete(value: Any, path: Any, run: Run) -> dict:
        if is_type_of is not None and is_type_of(value, None) is not True:  # strawberry's never reads info
            raise Fallback
        answer = {}
        for key, get, complete_field, needs_path in fields:
            field_path = Path(path, key, type_name) if needs_path else None
            answer[key] = complete_field(get(value, field_path, run), field_path, run)
        return answer

    return complete


def _leaf(type_: Any) -> Complete:
    coerced = _coerced(type_)
    if type_ is GraphQLInt:
        return _int(coerced)
    if type_ is GraphQLFloat:
        return _float(coerced)
    if type_ is GraphQLString or type_ is GraphQLID:
        return _exactly(str, coerced)
    if type_ is GraphQLBoolean:
        return _exactly(bool, coerced)
    return coerced


def _exactly(python_type: type, otherwise: Complete) -> Complete:
    def complete(value: Any, path: Any, run: Run) -> Any:
        return value if type(value) is python_type else otherwise(value, path, run)
    return complete


def _int(otherwise: Complete) -> Complete:
    def complete(value: Any, path: Any, run: Run) -> Any:
        return value if type(value) is int and INT_MIN <= value <= INT_MAX else otherwise(value, path, run)
    return complete


def _float(otherwise: Complete) -> Complete:
    def complete(value: Any, path: Any, run: Run) -> Any:
        return value if type(value) is float and isfinite(value) else otherwise(value, path, run)
    return complete


def _coerced(type_: Any) -> Complete:
    """The type's own coerce_output_value, as graphql-core's complete_leaf_value calls it."""
    coerce = type_.coerce_output_value

    def complete(value: Any, path: Any, run: Run) -> Any:
        answer = coerce(value)
        if answer is None or answer is Undefined:
            raise Fallback
        return answer

    return complete
