"""Variable values coerced by a function built once per operation.

graphql-core walks each input value against its type on every request (35 recursive calls,
about 13% of an orderPlace's CPU in a worker). The coercer built here makes the same dict
(fields in the type's order, defaults filled in, the same leaf functions) for values it can
read without doubt, and raises `Fallback` for any other value: the generic path then coerces
it and reports its errors, word for word.
"""
from __future__ import annotations

from math import isfinite
from typing import Any, Callable

from graphql import (
    GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInputObjectType, GraphQLInt, GraphQLList, GraphQLNonNull,
    GraphQLSchema, GraphQLString, OperationDefinitionNode, Undefined, is_required_input_field,
)
from graphql.execution.get_variable_signature import get_variable_signature
from graphql.execution.values import VariableValues, VariableValueSource
from graphql.utilities.coerce_input_value import coerce_default_value

from .fallback import Fallback, NotCompiled

Coerce = Callable[[Any], Any]
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1


def variables_coercer(schema: GraphQLSchema, operation: OperationDefinitionNode) -> Callable[[dict | None], VariableValues]:
    steps = [_variable_step(schema, node) for node in operation.variable_definitions or ()]

    def coerce(inputs: dict | None) -> VariableValues:
        inputs = inputs or {}
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for step in steps:
            step(inputs, sources, coerced)
        return VariableValues(sources, coerced)

    return coerce


def _variable_step(schema: GraphQLSchema, node) -> Callable[[dict, dict, dict], None]:
    signature = get_variable_signature(schema, node)
    if not hasattr(signature, "type"):
        raise NotCompiled("a variable of a type that is not an input type")
    name, required = signature.name, isinstance(signature.type, GraphQLNonNull)
    default = coerce_default_value(signature) if node.default_value else Undefined
    coerce_value = input_coercer(signature.type)

    def step(inputs: dict, sources: dict, coerced: dict) -> None:
        value = inputs.get(name, Undefined)
        if value is Undefined:
            sources[name] = VariableValueSource(signature)
            if default is not Undefined:
                coerced[name] = default
            elif required:
                raise Fallback
            return
        sources[name] = VariableValueSource(signature, value)
        coerced[name] = coerce_value(value)

    return step


def input_coercer(type_: Any, seen: tuple = ()) -> Coerce:
    if isinstance(type_, GraphQLNonNull):
        return _non_null(input_coercer(type_.of_type, seen))
    if isinstance(type_, GraphQLList):
        return _nullable(_list(input_coercer(type_.of_type, seen)))
    if isinstance(type_, GraphQLInputObjectType):
        if type_ in seen:
            raise NotCompiled(f"{type_.name} refers to itself")
        return _nullable(_input_object(type_, seen + (type_,)))
    return _nullable(_leaf(type_))


def _non_null(inner: Coerce) -> Coerce:
    def coerce(value: Any) -> Any:
        if value is None:
            raise Fallback
        return inner(value)
    return coerce


def _nullable(inner: Coerce) -> Coerce:
    def coerce(value: Any) -> Any:
        return None if value is None else inner(value)
    return coerce


def _list(item: Coerce) -> Coerce:
    def coerce(value: Any) -> list:
        if type(value) is not list:  # a single value stands for a list of one: left to the generic path
            raise Fallback
        return [item(v) for v in value]
    return coerce


def _input_object(type_: GraphQLInputObjectType, seen: tuple) -> Coerce:
    if type_.is_one_of:
        raise NotCompiled(f"{type_.name} is a oneOf input")
    fields = []
    for name, field in type_.fields.items():
        required = is_required_input_field(field)
        default = Undefined if required else coerce_default_value(field)
        fields.append((name, field.out_name or name, required, default, input_coercer(field.type, seen)))
    known, out_type = frozenset(type_.fields), type_.out_type

    def coerce(value: Any) -> Any:
        if type(value) is not dict or not known.issuperset(value):
            raise Fallback
        coerced: dict[str, Any] = {}
        for name, out_name, required, default, coerce_field in fields:
            given = value.get(name, Undefined)
            if given is Undefined:
                if required:
                    raise Fallback
                if default is not Undefined:
                    coerced[out_name] = default
            else:
                coerced[out_name] = coerce_field(given)
        return out_type(coerced)

    return coerce


def _leaf(type_: Any) -> Coerce:
    if type_ is GraphQLString or type_ is GraphQLID:
        return _exactly(str)
    if type_ is GraphQLBoolean:
        return _exactly(bool)
    if type_ is GraphQLInt:
        return _int
    if type_ is GraphQLFloat:
        return _float(_by_type(type_))
    return _by_type(type_)


def _exactly(python_type: type) -> Coerce:
    def coerce(value: Any) -> Any:
        if type(value) is not python_type:
            raise Fallback
        return value
    return coerce


def _int(value: Any) -> int:
    if type(value) is not int or not INT_MIN <= value <= INT_MAX:
        raise Fallback
    return value


def _float(otherwise: Coerce) -> Coerce:
    def coerce(value: Any) -> Any:
        return value if type(value) is float and isfinite(value) else otherwise(value)
    return coerce


def _by_type(type_: Any) -> Coerce:
    """Enums and custom scalars: their own coerce_input_value, as graphql-core calls it."""
    coerce_input = type_.coerce_input_value

    def coerce(value: Any) -> Any:
        try:
            coerced = coerce_input(value)
        except Exception:
            raise Fallback from None
        if coerced is Undefined:
            raise Fallback
        return coerced

    return coerce
