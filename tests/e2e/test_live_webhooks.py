"""Webhooks against a real server and a real HTTP receiver on loopback that checks EVERY
request's X-OMS-Signature (HMAC-SHA256 of the raw body with the webhook's secret), its
X-OMS-Event and X-OMS-Delivery headers and its body {id, cursor, type, occurredAt, orderId,
sku, location, data}: validation, subscribed types only, retries with backoff after a 500,
webhookDeliveryRetry with the same X-OMS-Delivery, delete, and CALL_WEBHOOK rule actions."""
from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from .helpers import add_channel, add_location, add_products, error_set, line, ok, place_ok, set_stock
from .live_helpers import (
    DELIVERY_RETRY, WEBHOOK_DELETE, WEBHOOKS, create_webhook, create_webhook_ok, deliveries, events, eventually,
    receiver, save_rule_ok, unique,
)  # noqa: F401 - receiver is a fixture

SECRET = "s3cret-of-at-least-16"


async def world(c):
    p = unique("WH")
    await add_location(c, f"{p}-L1")
    await add_products(c, [{"sku": f"{p}-A", "name": "A", "price": "9.99"}])
    await add_channel(c, f"{p}-web")
    await set_stock(c, [{"sku": f"{p}-A", "location": f"{p}-L1", "onHand": 100}])
    return p, f"{p}-web", f"{p}-A", f"{p}-L1"


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


async def delivery_where(c, webhook_id: str, check, what: str):
    async def poll():
        rows = await deliveries(c, webhook_id)
        return rows if rows and all(check(d) for d in rows) else None
    return await eventually(poll, timeout=10, what=what)


@pytest.mark.parametrize("url, secret, field", [
    ("ftp://127.0.0.1/hook", SECRET, "url"),
    ("not a url", SECRET, "url"),
    ("http:///no-host", SECRET, "url"),
    ("http://127.0.0.1/hook", "fifteen-chars-x", "secret"),
    ("http://127.0.0.1/hook", "", "secret"),
])
async def test_webhook_create_refuses_a_bad_url_or_a_short_secret(shared_client, url, secret, field):
    payload = await create_webhook(shared_client, url, ["ORDER_PLACED"], secret)
    assert payload["webhook"] is None
    assert error_set(payload) == {(("input", field), "INVALID")}


async def test_webhook_create_accepts_http_and_https_and_a_16_character_secret(shared_client):
    c = shared_client
    for url in ("http://127.0.0.1:9/a", "https://hooks.example.com/oms"):
        hook = await create_webhook_ok(c, url, ["ORDER_PLACED", "SHIPMENT_SHIPPED"], "x" * 16)
        assert (hook["url"], sorted(hook["events"]), hook["active"]) == (url, ["ORDER_PLACED", "SHIPMENT_SHIPPED"], True)
        assert hook in (await c.data(WEBHOOKS))["webhooks"]
        assert (await c.data(WEBHOOK_DELETE, {"id": hook["id"]}))["webhookDelete"] == {"deletedId": hook["id"], "userErrors": []}
    again = (await c.data(WEBHOOK_DELETE, {"id": hook["id"]}))["webhookDelete"]
    assert again["deletedId"] is None and error_set(again) == {(("id",), "NOT_FOUND")}


async def test_a_failing_receiver_is_retried_with_backoff_then_sent_and_can_be_retried_by_hand(shared_client, receiver):
    c = shared_client
    p, ch, A, L1 = await world(c)
    url = receiver.url(p, SECRET, script=[500, 500])   # then 200
    hook = await create_webhook_ok(c, url, ["ORDER_PLACED"], SECRET)
    order = await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})

    # the first attempt failed: SCHEDULED, attempts 1, responseStatus 500
    first = (await delivery_where(c, hook["id"], lambda d: d["attempts"] >= 1, "a first attempt"))[0]
    if first["attempts"] == 1:
        assert (first["status"], first["responseStatus"]) == ("SCHEDULED", 500)
    # then after two 500s the third attempt is answered 200: SENT
    sent = (await delivery_where(c, hook["id"], lambda d: d["status"] == "SENT", "SENT"))[0]
    assert (sent["attempts"], sent["responseStatus"]) == (3, 200)
    hits = receiver.on(p)
    assert [h.answered for h in hits] == [500, 500, 200]
    assert len({h.delivery for h in hits}) == 1 and hits[0].delivery == sent["id"]
    assert len({h.body for h in hits}) == 1
    gaps = [b.at - a.at for a, b in zip(hits, hits[1:])]
    assert 0.9 <= gaps[0] <= 2.5 and 1.9 <= gaps[1] <= 3.5, gaps       # 1 s, then 2 s (+ the dispatcher's poll)
    assert abs(ts(sent["lastAttemptAt"]) - hits[-1].at) < 1.5

    # and the body is the Event, as the events query shows it
    body = hits[0].json
    placed = [e for e in await events(c, order_id=order["id"]) if e["type"] == "ORDER_PLACED"]
    assert len(placed) == 1
    event = placed[0]
    assert {k: body[k] for k in ("id", "cursor", "type", "orderId", "sku", "location", "data")} == {
        k: event[k] for k in ("id", "cursor", "type", "orderId", "sku", "location", "data")}
    assert ts(body["occurredAt"]) == ts(event["occurredAt"])
    assert hits[0].headers["X-OMS-Event"] == "ORDER_PLACED"
    assert sent["eventId"] == event["id"] and sent["webhookId"] == hook["id"]

    # when it is retried by hand, it is sent again now with the same X-OMS-Delivery and body
    retried = ok((await c.data(DELIVERY_RETRY, {"id": sent["id"]}))["webhookDeliveryRetry"])["delivery"]
    assert retried["id"] == sent["id"]
    await eventually(lambda: len(receiver.on(p)) == 4, timeout=5, what="the retried delivery")
    again = receiver.on(p)[-1]
    assert again.delivery == sent["id"] and again.body == hits[0].body and again.answered == 200
    after = (await delivery_where(c, hook["id"], lambda d: d["attempts"] == 4, "4 attempts"))[0]
    assert after["status"] == "SENT"
    assert [d["id"] for d in await deliveries(c, hook["id"], "SENT")] == [sent["id"]]
    assert await deliveries(c, hook["id"], "FAILED") == []


async def test_only_subscribed_types_are_delivered_and_a_deleted_webhook_gets_nothing_more(shared_client, receiver):
    c = shared_client
    p, ch, A, L1 = await world(c)
    low_url = receiver.url(f"{p}-low", "another-secret-0123456789")
    placed_url = receiver.url(f"{p}-placed", SECRET)
    low = await create_webhook_ok(c, low_url, ["STOCK_LOW"], "another-secret-0123456789")
    placed = await create_webhook_ok(c, placed_url, ["ORDER_PLACED", "ORDER_CANCELLED"], SECRET)
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 2}])
    order = await place_ok(c, {"channel": ch, "lines": [line(A, 2)]})          # STOCK_LOW at L1
    await eventually(lambda: len(receiver.accepted(f"{p}-low")) == 1 and len(receiver.accepted(f"{p}-placed")) == 1,
                     what="one delivery to each webhook")
    low_body = receiver.accepted(f"{p}-low")[0].json
    assert (low_body["type"], low_body["sku"], low_body["location"], low_body["data"]["available"]) == ("STOCK_LOW", A, L1, 0)
    assert receiver.accepted(f"{p}-placed")[0].json["orderId"] == order["id"]

    # when the ORDER_PLACED webhook is deleted, its events are no longer delivered
    ok((await c.data(WEBHOOK_DELETE, {"id": placed["id"]}))["webhookDelete"])
    assert placed["id"] not in {w["id"] for w in (await c.data(WEBHOOKS))["webhooks"]}
    await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 10}])
    await set_stock(c, [{"sku": A, "location": L1, "onHand": 0}])             # STOCK_LOW again (the order takes none)
    await eventually(lambda: len(receiver.accepted(f"{p}-low")) == 2, what="the second STOCK_LOW")
    await asyncio.sleep(1.0)
    assert len(receiver.on(f"{p}-placed")) == 1
    assert [d["status"] for d in await deliveries(c, low["id"])] == ["SENT", "SENT"]


async def test_a_call_webhook_rule_action_posts_a_signed_event(shared_client, receiver):
    c = shared_client
    p, ch, A, L1 = await world(c)
    secret = "rule-secret-0123456789"
    url = receiver.url(f"{p}-rule", secret)
    await save_rule_ok(c, {"name": f"{p} notify", "event": "ORDER_PLACED", "condition": f'order.channel == "{ch}" && order.total > 50.0',
                           "actions": [{"type": "CALL_WEBHOOK", "params": {"url": url, "secret": secret}}]})
    await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})                 # 9.99: not matched
    big = await place_ok(c, {"channel": ch, "lines": [line(A, 10)]})          # 99.90
    await eventually(lambda: len(receiver.accepted(f"{p}-rule")) == 1, what="the rule's webhook call")
    await asyncio.sleep(0.5)
    hits = receiver.on(f"{p}-rule")
    assert len(hits) == 1 and hits[0].json["orderId"] == big["id"] and hits[0].json["type"] == "ORDER_PLACED"


async def test_the_receiver_would_notice_a_signature_made_with_another_secret(shared_client, receiver):
    """The receiver's check is real: a webhook whose secret differs from the one the receiver
    expects is flagged (then forgiven, so that the fixture's final check passes)."""
    c = shared_client
    p, ch, A, L1 = await world(c)
    url = receiver.url(f"{p}-other", "the-receivers-own-secret")
    hook = await create_webhook_ok(c, url, ["ORDER_PLACED"], "a-different-secret-123")
    await place_ok(c, {"channel": ch, "lines": [line(A, 1)]})
    await eventually(lambda: receiver.on(f"{p}-other"), what="a delivery")
    assert [h.signature_ok for h in receiver.on(f"{p}-other")] == [False]
    assert len(receiver.bad) == 1 and "bad signature" in receiver.bad[0]
    receiver.bad.clear()
    ok((await c.data(WEBHOOK_DELETE, {"id": hook["id"]}))["webhookDelete"])
