"""Compiled plans: which documents they cover, that a mutation runs once when a plan hands
over to graphql-core, that the equivalence check can fail, and that variables coerce to what
graphql-core makes of them (hypothesis, against graphql-core itself)."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer
from graphql import get_variable_values, parse
from hypothesis import HealthCheck, given, settings, strategies as st

from api.app import create_app
from api.graphql import prepared
from api.graphql.compiled import Fallback, compile_plan
from api.graphql.compiled.equivalence import EquivalenceCheck
from api.orders.types import OrderLine
from api.schema import schema
from bench.harness import documents

TOKEN = "compiled-plans-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HOT = [documents.ORDER_PLACE, documents.ORDERS_PLACE, documents.ORDER_BY_ID, documents.ORDERS_PAGE, documents.ORDER_COUNT,
       documents.STOCK_OF_SKU, documents.ALL_LEVELS, documents.ORDERS_WITH_SKU, documents.LEDGER, documents.EVENTS_AFTER,
       documents.SEEDED, documents.INVENTORY_SET, "query { __typename channels { code ...C } } fragment C on Channel { name }"]
NOT_COVERED = ["query($s: Boolean!) { channels @skip(if: $s) { code } }",
               "query($id: ID!) { node(id: $id) { id } }",
               "{ __schema { queryType { name } } }",
               "subscription { events { cursor } }"]


def plan_of(query: str):
    return compile_plan(schema, parse(query), None)


@pytest.mark.parametrize("query", HOT)
def test_the_documents_the_harness_sends_are_compiled(query):
    assert plan_of(query) is not None


@pytest.mark.parametrize("query", NOT_COVERED)
def test_documents_a_plan_does_not_cover_are_left_to_graphql_core(query):
    assert plan_of(query) is None


SETUP = [
    ("mutation($i: LocationInput!) { locationUpsert(input: $i) { location { code } } }",
     {"i": {"code": "nwk", "name": "Newark", "address": {"country": "US"}}}),
    ("mutation($i: [ProductInput!]!) { productsUpsert(input: $i) { products { sku } } }", {"i": [{"sku": "A", "name": "A", "price": "9.50"}]}),
    ("mutation($i: ChannelInput!) { channelUpsert(input: $i) { channel { code } } }",
     {"i": {"code": "web", "name": "Web", "kind": "STOREFRONT"}}),
    ("mutation($i: [InventorySetInput!]!) { inventorySet(input: $i) { userErrors { code } } }",
     {"i": [{"sku": "A", "location": "nwk", "onHand": 50}]}),
]
PLACE = "mutation($input: OrderInput!) { orderPlace(input: $input) { order { number lines { sku } } userErrors { code } } }"
COUNT = "{ orders(first: 1) { totalCount } }"


@pytest.fixture
async def client(tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_ADMIN_TOKEN", TOKEN)
    prepared.PREPARED.by_key.clear()
    async with TestClient(TestServer(create_app(tmp_path, announce=lambda text: None))) as client:
        for query, variables in SETUP:
            assert "errors" not in await (await client.post("/graphql", json={"query": query, "variables": variables},
                                                            headers=AUTH)).json()
        yield client


async def ask(client, query: str, variables: dict | None = None) -> dict:
    return await (await client.post("/graphql", json={"query": query, "variables": variables}, headers=AUTH)).json()


async def test_given_a_field_that_fails_after_the_placement_when_the_plan_hands_over_then_the_order_is_placed_once(
        client, monkeypatch):
    order = lambda n: {"input": {"channel": "web", "lines": [{"sku": "A", "quantity": 1}]}}  # no externalId: not idempotent
    for n in (0, 1):  # the first prepares the document, the second runs its plan
        assert (await ask(client, PLACE, order(n)))["data"]["orderPlace"]["order"]["number"] == f"SO-00000{n + 1}"

    def broken(*args, **kwargs):
        raise RuntimeError("lines are unavailable")

    with monkeypatch.context() as patched:
        patched.setattr(OrderLine, "of", broken)
        answer = await ask(client, PLACE, order(2))
    assert answer["errors"][0]["message"] == "lines are unavailable"
    assert answer["errors"][0]["path"] == ["orderPlace", "order", "lines"]
    assert (await ask(client, COUNT))["data"]["orders"]["totalCount"] == 3
    assert (await ask(client, PLACE, order(3)))["data"]["orderPlace"]["order"]["number"] == "SO-000004"


def test_the_equivalence_check_reports_an_answer_that_differs(tmp_path):
    check = EquivalenceCheck(str(tmp_path / "answers.jsonl"))
    plan = plan_of("query($first: Int) { orders(first: $first) { totalCount } }")

    async def generic(context):
        from graphql import ExecutionResult
        return ExecutionResult(data={"orders": {"totalCount": 2}})

    for data in ({"orders": {"totalCount": 2}}, {"orders": {"totalCount": 3}}):
        asyncio.run(check.compare(plan, "orders", {"first": 1}, {}, data, {}, generic))
    lines = (tmp_path / "answers.jsonl").read_text().splitlines()
    assert ['"same":true' in lines[0], '"same":false' in lines[1]] == [True, True]


ORDER_INPUT = parse("mutation($input: OrderInput!) { orderPlace(input: $input) { userErrors { code } } }")
PLAN = compile_plan(schema, ORDER_INPUT, None)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 40, 2 ** 40), st.floats(allow_nan=True),
                    st.text(max_size=4), st.sampled_from(["USD", "EUR", "2026-12-05T10:00:00Z", "web", "yesterday"]))
line = st.fixed_dictionaries({"sku": st.one_of(st.text(max_size=3), scalars), "quantity": st.one_of(st.integers(-3, 3), scalars)},
                             optional={"unitPrice": st.one_of(st.sampled_from(["9.50", "x", "1e3"]), scalars)})
order_input = st.fixed_dictionaries(
    {"channel": st.one_of(st.just("web"), scalars), "lines": st.one_of(st.lists(line, max_size=3), scalars)},
    optional={"externalId": scalars, "currency": scalars, "placedAt": scalars, "tags": st.one_of(st.lists(scalars, max_size=2), scalars),
              "customer": st.one_of(st.fixed_dictionaries({"email": scalars}, optional={"name": scalars}), scalars),
              "shippingAddress": st.one_of(st.fixed_dictionaries({"country": scalars}, optional={"latitude": scalars}), scalars),
              "colour": scalars})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(order_input, scalars).map(lambda value: {"input": value}))
def test_variables_coerce_as_graphql_core_coerces_them_or_are_left_to_it(variables):
    expected = get_variable_values(schema._schema, ORDER_INPUT.definitions[0].variable_definitions, variables)
    try:
        coerced = PLAN.coerce(variables)
    except Fallback:
        return
    assert not isinstance(expected, list), expected
    assert repr(coerced.coerced) == repr(expected.coerced)


def test_a_plain_order_input_is_coerced_by_the_plan():
    variables = {"input": {"channel": "web", "externalId": "e", "customer": {"email": "a@b.c"}, "tags": ["x"],
                           "shippingAddress": {"country": "US", "latitude": 1.5}, "lines": [{"sku": "A", "quantity": 2}]}}
    expected = get_variable_values(schema._schema, ORDER_INPUT.definitions[0].variable_definitions, variables)
    assert repr(PLAN.coerce(variables).coerced) == repr(expected.coerced)
