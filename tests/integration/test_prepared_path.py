"""Given two servers on equal data, one with the prepared-document path and one without,
when the same requests arrive in the same order (each twice: the second finds its document
prepared), then every answer is the same: status, content type and body, errors included."""
from __future__ import annotations

import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer

from api.graphql import prepared
from api.app import create_app

TOKEN = "prepared-path-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ERRORS = "userErrors { field message code }"
ORDER_PLACE = f"mutation($input: OrderInput!) {{ orderPlace(input: $input) {{ order {{ id number status channel externalId " \
              f"currency lines {{ sku quantity unitPrice allocated backordered allocations {{ location quantity }} }} }} {ERRORS} }} }}"
ORDERS_PLACE = f"mutation($input: [OrderInput!]!) {{ ordersPlace(input: $input) {{ orders {{ id externalId status }} {ERRORS} }} }}"
SETUP = [
    ("mutation($i: LocationInput!) { locationUpsert(input: $i) { location { code } } }",
     {"i": {"code": "nwk", "name": "Newark", "address": {"country": "US", "latitude": 40.7, "longitude": -74.2}}}),
    ("mutation($i: [ProductInput!]!) { productsUpsert(input: $i) { products { sku } } }",
     {"i": [{"sku": "A", "name": "A", "price": "9.50"}, {"sku": "B", "name": "B", "price": "2.00"}]}),
    ("mutation($i: ChannelInput!) { channelUpsert(input: $i) { channel { code } } }",
     {"i": {"code": "web", "name": "Web", "kind": "STOREFRONT"}}),
    ("mutation($i: [InventorySetInput!]!) { inventorySet(input: $i) { userErrors { code } } }",
     {"i": [{"sku": "A", "location": "nwk", "onHand": 5}, {"sku": "B", "location": "nwk", "onHand": 100}]}),
]


def order(ext: str, *lines: tuple, **extra) -> dict:
    return {"channel": "web", "externalId": ext, "lines": [{"sku": s, "quantity": q} for s, q in lines], **extra}


def deep_query(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"orders(first: 1) {{ edges {{ node {{ customer {{ {inner} }} }} }} }}"
    return f"{{ {inner} }}"


def post(query, variables=None, **more) -> tuple[bytes, dict]:
    return orjson.dumps({"query": query, "variables": variables, **more}), {"Content-Type": "application/json"}


REQUESTS = [
    post("{ channels { code name } }"),
    post("{ __typename channels { code } }", extensions={"trace": True}),
    post(ORDER_PLACE, {"input": order("o-1", ("A", 2), ("B", 1))}),
    post(ORDER_PLACE, {"input": order("o-2", ("A", 9))}),  # more than on hand: backordered
    post(ORDER_PLACE, {"input": order("o-1", ("A", 2), ("B", 1))}),  # the same externalId again
    post(ORDER_PLACE, {"input": order("o-3", ("NOPE", 1))}),  # unknown sku: a userError
    post(ORDER_PLACE, {"input": order("o-4", ("A", 0))}),  # quantity 0: a userError
    post(ORDER_PLACE, {"input": order("o-5")}),  # no lines
    post(ORDER_PLACE, {"input": order("o-6", ("A", 1), channel="nowhere")}),
    post(ORDER_PLACE, {"input": {"channel": "web", "lines": [{"sku": "A", "quantity": "two"}]}}),  # coercion error
    post(ORDER_PLACE, {"input": {"channel": "web", "lines": [], "colour": "red"}}),  # unknown input field
    post(ORDER_PLACE, {"input": order("o-7", ("A", 1), placedAt="yesterday")}),  # bad DateTime
    post(ORDER_PLACE, {"input": order("o-8", ("B", 1), customer={"email": "ada@example.com"},
                                      shippingAddress={"country": "US", "city": "Boston"}, tags=["vip"], currency="USD")}),
    post(ORDER_PLACE, {}),  # missing variable
    post(ORDER_PLACE, None),
    post(ORDERS_PLACE, {"input": [order("b-1", ("B", 1)), order("b-2", ("NOPE", 1)), order("b-1", ("B", 1))]}),
    post(ORDERS_PLACE, {"input": []}),
    post("query One { channels { code } } query Two { orders(first: 2) { edges { node { id status } } } }", operationName="Two"),
    post("query One { channels { code } } query Two { orders(first: 2) { edges { node { id } } } }", operationName="Three"),
    post("query One { channels { code } } query Two { channels { name } }"),  # two operations, no name: 400
    post("query($first: Int) { orders(first: $first) { edges { node { id } } } }", {"first": 0}),  # resolver error
    post("query($first: Int) { orders(first: $first) { totalCount pageInfo { hasNextPage } } }", {"first": 3}),
    post("query($id: ID!) { node(id: $id) { id ... on Order { number } } }", {"id": "not-an-id"}),
    post("query($s: Boolean!) { a: channels { code } b: channels @skip(if: $s) { name } ...F } fragment F on Query { channels { kind } }",
         {"s": True}),
    post("{ channels { nope } }"),  # validation error
    post("{ channels { code }"),  # syntax error
    post(deep_query(6)),  # deeper than query_depth_max
    post("subscription { events { cursor } }"),
    post(""),
    post("mutation { orderCancel(id: \"T3JkZXI6MQ==\") { order { status } userErrors { field code } } }"),
    (b"{not json", {"Content-Type": "application/json"}),
    (b"null", {"Content-Type": "application/json"}),
    (b"[1, 2]", {"Content-Type": "application/json"}),
    (orjson.dumps({"query": 42}), {"Content-Type": "application/json"}),
    (orjson.dumps({"query": "{ channels { code } }", "variables": [1]}), {"Content-Type": "application/json"}),
    (orjson.dumps({"query": "{ channels { code } }", "operationName": 7}), {"Content-Type": "application/json"}),
    (orjson.dumps({"query": "{ channels { code } }", "extensions": "x"}), {"Content-Type": "application/json"}),
    (orjson.dumps({"query": "{ channels { code } }"}), {"Content-Type": "text/plain"}),
    (orjson.dumps({"query": "{ channels { code } }"}), {"Content-Type": "application/json; charset=utf-8"}),
    (orjson.dumps({"query": "{ channels { code } }"}), {"Content-Type": "Application/JSON"}),
    (orjson.dumps({"query": "{ channels { code } }"}), {"Content-Type": "application/graphql-response+json"}),
    (orjson.dumps({"query": "{ channels { code } }"}), {"Content-Type": "application/json", "Accept": "multipart/mixed"}),
]


async def answers(client: TestClient) -> list[tuple]:
    for query, variables in SETUP:
        response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=AUTH)
        assert response.status == 200 and "errors" not in await response.json()
    seen = []
    for body, headers in REQUESTS:
        for _ in range(2):
            response = await client.post("/graphql", data=body, headers={**AUTH, **headers})
            raw = await response.read()
            seen.append((body[:80], response.status, response.content_type, raw))
    return seen


@pytest.fixture
def served(tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_ADMIN_TOKEN", TOKEN)
    prepared.PREPARED.by_key.clear()
    served_here = []
    execute = prepared.PreparedServer._execute

    async def counted(self, *args):
        served_here.append(args[0].label)
        return await execute(self, *args)

    monkeypatch.setattr(prepared.PreparedServer, "_execute", counted)

    async def run(lean: bool) -> list[tuple]:
        app = create_app(tmp_path / ("lean" if lean else "generic"), announce=lambda text: None)
        if not lean:
            for route in app.router.routes():
                if hasattr(route.handler, "prepared"):
                    route.handler.prepared = None
        async with TestClient(TestServer(app)) as client:
            return await answers(client)

    return run, served_here


async def test_prepared_and_generic_paths_answer_alike(served):
    run, served_here = served
    generic = await run(lean=False)
    assert served_here == []
    lean = await run(lean=True)
    for before, after in zip(generic, lean):
        assert before == after
    assert len(generic) == len(lean)
    assert {"orderPlace", "ordersPlace", "channels", "orders", "node", "__typename", "orderCancel"} <= set(served_here)


async def test_a_document_is_prepared_only_once_accepted(served, tmp_path, monkeypatch):
    run, served_here = served
    await run(lean=True)
    keys = {query for query, _ in prepared.PREPARED.by_key}
    assert "{ channels { nope } }" not in keys and "{ channels { code }" not in keys
    assert deep_query(6) not in keys and "subscription { events { cursor } }" not in keys and "" not in keys
    assert ORDER_PLACE in keys and ORDERS_PLACE in keys


def test_the_oldest_document_is_forgotten_past_the_bound():
    documents = prepared.PreparedDocuments(size_max=2)

    class Context:
        def __init__(self, query):
            self.query, self.provided_operation_name, self.operation_name, self.graphql_document = query, None, None, None

    for query in ("a", "b", "c"):
        documents.remember(Context(query))
    assert documents.get("a", None) is None and documents.get("c", None) is not None
    assert len(documents.by_key) == 2


def test_the_lean_path_is_refused_when_an_extension_would_be_skipped():
    import strawberry
    from strawberry.extensions import SchemaExtension

    class Results(SchemaExtension):
        def get_results(self):
            return {"x": 1}

    @strawberry.type
    class Query:
        a: int = 1

    assert prepared.lean_path_possible(strawberry.Schema(query=Query))
    assert not prepared.lean_path_possible(strawberry.Schema(query=Query, extensions=[Results]))
