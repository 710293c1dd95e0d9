"""The durable outbox across kill -9: emails and webhook deliveries are written in the commit
of the event that caused them and delivered after it. A server killed with everything
committed but nothing delivered yet delivers each email and each webhook call after restart,
exactly once per id; one killed at a random moment in a stream of orders loses none (at
least once per id)."""
from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from .conftest import Client, new_session
from .helpers import ORDER_PLACE_SHORT, add_channel, add_location, add_products, ok, set_stock
from .live_helpers import (
    create_webhook_ok, deliveries, emails, events, eventually, live_servers, receiver, smtp_sink,
)  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

SECRET = "crash-secret-0123456789"
ORDERS_N = 20


async def given_world(c) -> None:
    await add_location(c, "L1")
    await add_products(c, [{"sku": "A", "name": "A", "price": "5.00"}])
    await add_channel(c, "web")
    await set_stock(c, [{"sku": "A", "location": "L1", "onHand": 100_000}])


def order_input(i: int) -> dict:
    return {"channel": "web", "externalId": f"o{i}", "customer": {"email": f"c{i}@example.com"},
            "lines": [{"sku": "A", "quantity": 1}]}


async def test_kill_9_between_commit_and_delivery_then_each_email_and_webhook_goes_out_once(live_servers, smtp_sink, receiver):
    # given an SMTP server and a webhook receiver that take requests but stall: nothing is delivered
    smtp_sink.mode = "hang"
    url = receiver.url("crash", SECRET, script=["hang"] * ORDERS_N)
    server = live_servers({"OMS_SMTP_URL": smtp_sink.url, "OMS_EMAIL_FROM": "oms@crash.test"})
    async with new_session() as session:
        c = Client(server, session)
        await given_world(c)
        hook = await create_webhook_ok(c, url, ["ORDER_PLACED"], SECRET)
        # when orders are placed (each: one confirmation email, one webhook delivery)
        for i in range(ORDERS_N):
            ok((await c.data(ORDER_PLACE_SHORT, {"input": order_input(i)}))["orderPlace"])
        # and the dispatchers are in the middle of delivering
        await eventually(lambda: receiver.stalled >= 1 and smtp_sink.stalled >= 1, what="deliveries in flight")
        committed_emails = await emails(c)
        committed_deliveries = await deliveries(c, hook["id"])
    assert len(committed_emails) == ORDERS_N and len(committed_deliveries) == ORDERS_N
    assert smtp_sink.received() == [] and receiver.accepted() == []
    # the server is killed -9
    server.kill9()

    # when the receiver and the SMTP server work again and the server restarts on the same data
    smtp_sink.mode = "accept"
    smtp_sink.unhang.set()
    receiver.scripts["crash"] = []
    receiver.unhang.set()
    await asyncio.sleep(0.1)   # the stalled requests of the dead server end, undelivered
    await server.arestart()

    # then every email and every webhook delivery goes out
    email_ids = {e["id"] for e in committed_emails}
    delivery_ids = {d["id"] for d in committed_deliveries}
    await eventually(lambda: {m.email_id for m in smtp_sink.received()} >= email_ids, timeout=15, what="every email")
    await eventually(lambda: {h.delivery for h in receiver.accepted("crash")} >= delivery_ids, timeout=15, what="every delivery")
    async with new_session() as session:
        c = Client(server, session)
        await eventually(lambda: _all_sent(c, hook["id"]), timeout=10, what="all SENT")
        await asyncio.sleep(1.2)   # nothing more comes
        # exactly once per id: nothing had been delivered before the kill
        email_counts = Counter(m.email_id for m in smtp_sink.received())
        assert set(email_counts) == email_ids and set(email_counts.values()) == {1}, email_counts
        delivery_counts = Counter(h.delivery for h in receiver.accepted("crash"))
        assert set(delivery_counts) == delivery_ids and set(delivery_counts.values()) == {1}, delivery_counts
        # each to its customer, about its order
        by_id = {e["id"]: e for e in committed_emails}
        for m in smtp_sink.received():
            assert m.rcpt_tos == [by_id[m.email_id]["to"]] and m.message["Subject"] == by_id[m.email_id]["subject"]
        assert len({m.message["Message-ID"] for m in smtp_sink.received()}) == ORDERS_N
        assert len({h.json["orderId"] for h in receiver.accepted("crash")}) == ORDERS_N


async def _all_sent(c, hook_id: str) -> bool:
    return (all(e["status"] == "SENT" for e in await emails(c))
            and all(d["status"] == "SENT" for d in await deliveries(c, hook_id)))


async def test_kill_9_at_a_random_moment_of_a_stream_of_orders_loses_no_email_and_no_webhook(live_servers, smtp_sink, receiver):
    url = receiver.url("stream", SECRET)
    server = live_servers({"OMS_SMTP_URL": smtp_sink.url, "OMS_EMAIL_FROM": "oms@crash.test"})
    acked: list[str] = []
    async with new_session() as session:
        c = Client(server, session)
        await given_world(c)
        hook = await create_webhook_ok(c, url, ["ORDER_PLACED", "STOCK_CHANGED"], SECRET)

        async def stream(k: int) -> None:
            for i in range(k * 1000, k * 1000 + 500):
                try:
                    payload = (await c.data(ORDER_PLACE_SHORT, {"input": order_input(i)}))["orderPlace"]
                except Exception:  # the server went away mid-request
                    return
                acked.append(payload["order"]["id"])

        # when 4 clients place orders and the server is killed -9 at a random moment
        tasks = [asyncio.create_task(stream(k)) for k in range(4)]
        await eventually(lambda: len(acked) >= 20, what="orders flowing")
        await asyncio.sleep(random.uniform(0.0, 0.5))
        server.kill9()
        await asyncio.gather(*tasks)
    assert acked

    # then after a restart every email and webhook delivery committed goes out, at least once per id
    await server.arestart()
    async with new_session() as session:
        c = Client(server, session)
        committed_emails = await emails(c)
        committed_deliveries = await deliveries(c, hook["id"])
        assert len(committed_emails) >= len(acked)                  # one confirmation per acknowledged order
        assert len(committed_deliveries) > len(acked)               # ORDER_PLACED of each, and STOCK_CHANGED
        await eventually(lambda: _all_sent(c, hook["id"]), timeout=20, what="all SENT")
        # and the event log kept each acknowledged order's ORDER_PLACED (same commit), and goes on after it
        placed = await events(c, types=["ORDER_PLACED"])
        assert set(acked) <= {e["orderId"] for e in placed}
        before = await events(c)
        ok((await c.data(ORDER_PLACE_SHORT, {"input": order_input(99_999)}))["orderPlace"])
        after = await events(c, after=before[-1]["cursor"])
        assert after and not {e["id"] for e in after} & {e["id"] for e in before}
    assert {m.email_id for m in smtp_sink.received()} >= {e["id"] for e in committed_emails}
    assert {h.delivery for h in receiver.accepted("stream")} >= {d["id"] for d in committed_deliveries}
    # and every acknowledged order's confirmation and ORDER_PLACED call are among them
    confirmed = {e["orderId"] for e in committed_emails}
    called = {h.json["orderId"] for h in receiver.accepted("stream") if h.json["type"] == "ORDER_PLACED"}
    assert set(acked) <= confirmed and set(acked) <= called
