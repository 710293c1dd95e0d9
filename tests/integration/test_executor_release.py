"""A query's or mutation's executor is freed as soon as its answer is built, with its coerced
variables: not left in a reference cycle for Python's cyclic collector to find later (it held
every ordersPlace input of 100 orders until a collection)."""
from __future__ import annotations

import gc

from aiohttp.test_utils import TestClient, TestServer

from api.app import create_app
from api.graphql.execution import OmsExecutionContext

TOKEN = "executor-release-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REQUESTS = [
    ("mutation($i: ChannelInput!) { channelUpsert(input: $i) { channel { code } } }",
     {"i": {"code": "web", "name": "Web", "kind": "STOREFRONT"}}),
    ("mutation($i: [OrderInput!]!) { ordersPlace(input: $i) { orders { id } userErrors { code } } }",
     {"i": [{"channel": "web", "externalId": f"e-{n}", "lines": [{"sku": "NOPE", "quantity": 1}]} for n in range(20)]}),
    ("query($first: Int) { orders(first: $first) { edges { node { id } } } }", {"first": 5}),
]


async def test_executors_of_queries_and_mutations_are_not_left_in_cycles(tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_ADMIN_TOKEN", TOKEN)
    app = create_app(tmp_path / "data", announce=lambda text: None)
    async with TestClient(TestServer(app)) as client:
        for query, variables in REQUESTS:  # once to prepare the documents
            assert (await client.post("/graphql", json={"query": query, "variables": variables}, headers=AUTH)).status == 200
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for query, variables in REQUESTS:
                response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=AUTH)
                assert response.status == 200 and "errors" not in await response.json()
            gc.collect()
            left = [o for o in gc.garbage if isinstance(o, OmsExecutionContext)]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
    assert left == []
