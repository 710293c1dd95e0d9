"""CEL conditions: compiled once, false when they cannot be evaluated, `return` usable."""
from engine.domain.automation import SAMPLE_CONTEXT
from engine.domain.conditions import compile_condition, holds


def test_return_is_usable_although_cel_reserves_it_and_strings_are_left_alone():
    program, problem = compile_condition('return.status == "RECEIVED" && order.channel != "return"', SAMPLE_CONTEXT)
    assert problem is None
    assert holds(program, {**SAMPLE_CONTEXT, "return": {"status": "RECEIVED"}})
    assert not holds(program, {**SAMPLE_CONTEXT, "order": {**SAMPLE_CONTEXT["order"], "channel": "return"}})


def test_refused_conditions_say_why():
    assert "not a valid CEL expression" in compile_condition("order.total >", SAMPLE_CONTEXT)[1]
    assert "cannot be evaluated" in compile_condition("nope.x == 1", SAMPLE_CONTEXT)[1]
    assert "boolean" in compile_condition("order.total", SAMPLE_CONTEXT)[1]


def test_a_condition_failing_on_one_object_is_false():
    program, _ = compile_condition('order.customer.email == "a@b.co"', SAMPLE_CONTEXT)
    assert holds(program, SAMPLE_CONTEXT) is False
    assert holds(program, {"order": {**SAMPLE_CONTEXT["order"], "customer": None}}) is False
