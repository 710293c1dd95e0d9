"""Data directories written by earlier code open and keep everything: today's server migrates
them and gives the answers their writer gave (tests/fixtures/release_data.py wrote both), and
new work continues their numbering and their event log. release_0_1_0 is the first release;
format_1_last the last code that wrote data format 1."""
from __future__ import annotations

import json
import shutil

import pytest

from ..fixtures.release_data import SNAPSHOT, TOKEN
from .conftest import PROJECT_ROOT, Client, ServerProcess, _cleanup, new_session

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


@pytest.fixture(params=["release_0_1_0", "format_1_last"])
def release(request):
    return FIXTURES / request.param


@pytest.fixture
async def old_store(tmp_path, release):
    """Given a copy of the directory an earlier release left (LMDB writes to it, the fixture stays as it is)."""
    shutil.copytree(release / "data", tmp_path / "data")
    registry = []
    server = ServerProcess(tmp_path / "data", tmp_path / "server.log", TOKEN, registry)
    try:
        server.start()
        async with new_session() as session:
            yield Client(server, session)
    finally:
        server._close_log()
        _cleanup(registry)


async def test_everything_the_release_stored_reads_as_it_did(old_store, release):
    answers = json.loads((release / "answers.json").read_text())
    for name, query in SNAPSHOT.items():
        assert await old_store.data(query) == answers[name], name


async def test_new_orders_continue_the_numbering_and_the_event_log(old_store, release):
    before = json.loads((release / "answers.json").read_text())
    last_cursor = before["events"]["events"]["pageInfo"]["endCursor"]
    numbers = [e["node"]["number"] for e in before["orders"]["orders"]["edges"]]
    # when a new order comes in
    placed = await old_store.data("""mutation { orderPlace(input: {channel: "web", externalId: "W-NEW",
        customer: {email: "new@example.com"}, lines: [{sku: "TEE", quantity: 1}]}) { order { id number } userErrors { message } } }""")
    order = placed["orderPlace"]["order"]
    # then it takes the next number, and its events follow the release's last cursor with no gap
    assert order["number"] == f"SO-{int(max(numbers)[3:]) + 1:06d}"
    after = (await old_store.data("query($c: String) { events(first: 250, after: $c) { edges { cursor node { type orderId } } } }",
                                  {"c": last_cursor}))["events"]["edges"]
    assert after and int(after[0]["cursor"]) == int(last_cursor) + 1
    assert [int(e["cursor"]) for e in after] == list(range(int(last_cursor) + 1, int(last_cursor) + 1 + len(after)))
    assert after[0]["node"] == {"type": "ORDER_PLACED", "orderId": order["id"]}
    # and a retry of an order the release stored is recognised as the same order
    retry = await old_store.data("""mutation { orderPlace(input: {channel: "web", externalId: "W-2",
        customer: {email: "alan@example.com", name: "alan"},
        shippingAddress: {country: "US", city: "Boston", latitude: 42.36, longitude: -71.06},
        lines: [{sku: "TEE", quantity: 2, unitPrice: "18.00"}]}) { order { number } userErrors { message code } } }""")
    assert retry["orderPlace"] == {"order": {"number": "SO-000004"}, "userErrors": []}
