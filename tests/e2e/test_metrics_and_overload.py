"""GET /metrics, and shedding under overload: beyond the in-flight bound the server answers
503 at once, stays healthy, and every request it accepted is served."""
from __future__ import annotations

import asyncio

import aiohttp
import pytest

from .conftest import Client, _cleanup, _make_server, both_process_layouts
from .helpers import add_channel, add_location, add_products, set_stock

ORDERS_PLACE = "mutation($i: [OrderInput!]!) { ordersPlace(input: $i) { orders { id } userErrors { code } } }"


@pytest.fixture
def tight_server(tmp_path, monkeypatch):
    monkeypatch.setenv("OMS_REQUESTS_INFLIGHT_MAX", "4")
    srv, registry = _make_server(tmp_path)
    try:
        srv.start()
        yield srv
    finally:
        srv._close_log()
        _cleanup(registry)


@both_process_layouts
async def test_metrics_show_operations_commits_and_queues(server, client):
    for code in ("M1", "M2", "M3"):
        await add_location(client, code)
    for _ in range(3):  # one connection: the second and third find the document prepared, and no plan takes directives
        await client.data("query($all: Boolean!) { locations @include(if: $all) { code } }", {"all": True})
    async with aiohttp.ClientSession() as session:
        async with session.get(server.base_url + "/metrics") as response:
            assert response.status == 200
            text = await response.text()
    for name in ('oms_graphql_requests_total{operation="locationUpsert",outcome="ok"} 3.0',
                 'oms_graphql_handovers_total{outcome="generic"} 2.0', "oms_commit_batch_commands_count",
                 "oms_commit_seconds_bucket", "oms_sequencer_queue_depth", "oms_outbox_backlog", "oms_subscribers 0.0"):
        assert name in text, name


async def test_overload_is_shed_with_503_and_everything_accepted_is_served(tight_server):
    async with aiohttp.ClientSession() as session:
        setup = Client(tight_server, session)
        await add_location(setup, "O1")
        await add_products(setup, [{"sku": "OV", "name": "OV", "price": "1.00"}])
        await add_channel(setup, "ov")
        await set_stock(setup, [{"sku": "OV", "location": "O1", "onHand": 1_000_000}])
    batch = [{"channel": "ov", "lines": [{"sku": "OV", "quantity": 1}]} for _ in range(200)]

    async def one() -> tuple[int, int]:
        async with aiohttp.ClientSession() as session:
            status, body = await Client(tight_server, session).raw(ORDERS_PLACE, {"i": batch})
            placed = len([o for o in (body.get("data") or {}).get("ordersPlace", {}).get("orders", []) if o]) if status == 200 else 0
            return status, placed

    results = await asyncio.gather(*(one() for _ in range(40)))
    statuses = [s for s, _ in results]
    assert set(statuses) <= {200, 503}
    assert statuses.count(503) > 0 and statuses.count(200) >= 4
    assert all(placed == 200 for s, placed in results if s == 200)
    async with aiohttp.ClientSession() as session:
        client = Client(tight_server, session)
        data = await client.data("{ orders(first: 1) { totalCount } stockLevel(sku: \"OV\", location: \"O1\") { committed } }")
        assert data["orders"]["totalCount"] == 200 * statuses.count(200)
        assert data["stockLevel"]["committed"] == 200 * statuses.count(200)
        async with session.get(tight_server.base_url + "/metrics") as response:
            assert f"oms_requests_shed_total {float(statuses.count(503))}" in await response.text()
