"""Email over real SMTP (an aiosmtpd server on 127.0.0.1): the order confirmation and the
dispatch email (carrier, tracking number) with plain-text and HTML parts, right subject and
recipient, Message-ID / X-OMS-Email-Id; the `emails` query (status, attempts, lastError);
failures retried with backoff; with no SMTP configured emails stay SCHEDULED with lastError
saying so, and go out once the server is restarted with OMS_SMTP_URL."""
from __future__ import annotations

import asyncio

from .conftest import Client, new_session
from .helpers import add_channel, add_location, add_products, line, place_ok, set_stock
from .live_helpers import emails, eventually, live_servers, ship_out, smtp_sink, unique  # noqa: F401 - fixtures

FROM = "orders@shop.test"


async def world(c):
    p = unique("EM")
    await add_location(c, f"{p}-L1")
    await add_products(c, [{"sku": f"{p}-MUG", "name": "Mug", "price": "12.50"}, {"sku": f"{p}-LID", "name": "Lid", "price": "3.00"}])
    await add_channel(c, f"{p}-web")
    await set_stock(c, [{"sku": f"{p}-MUG", "location": f"{p}-L1", "onHand": 50}, {"sku": f"{p}-LID", "location": f"{p}-L1", "onHand": 50}])
    return p, f"{p}-web", f"{p}-MUG", f"{p}-LID"


async def email_where(c, predicate, what: str, **filters) -> list[dict]:
    """The emails matching `filters`, once there are some and every one satisfies `predicate`."""
    async def check():
        rows = await emails(c, **filters)
        return rows if rows and all(predicate(e) for e in rows) else None
    return await eventually(check, timeout=10, what=f"emails {filters}: {what}")


async def test_confirmation_and_dispatch_emails_arrive_with_both_parts(live_servers, smtp_sink):
    server = live_servers({"OMS_SMTP_URL": smtp_sink.url, "OMS_EMAIL_FROM": FROM})
    async with new_session() as session:
        c = Client(server, session)
        p, ch, MUG, LID = await world(c)
        to = f"{p}-ada@example.com"
        order = await place_ok(c, {"channel": ch, "customer": {"email": to, "name": "Ada Lovelace"},
                                   "lines": [line(MUG, 2), line(LID, 1)]})

        # then the confirmation arrives at the customer, from OMS_EMAIL_FROM, in both parts
        confirmation = (await smtp_sink.wait_for(1, to))[0]
        msg = confirmation.message
        assert confirmation.rcpt_tos == [to] and confirmation.mail_from == FROM
        assert (msg["To"], msg["From"], msg["Subject"]) == (to, FROM, f"Order {order['number']} confirmed")
        plain, html = confirmation.part("text/plain"), confirmation.part("text/html")
        assert plain is not None and html is not None, [p.get_content_type() for p in msg.walk()]
        assert msg.get_content_type() == "multipart/alternative"
        for body in (plain, html):
            assert order["number"] in body and "Ada Lovelace" in body
        assert "<" not in plain and "</" in html
        assert MUG in plain and LID in plain and "28.00" in plain   # 2 x 12.50 + 3.00
        # and the email is in the `emails` query, SENT, with the id the message carries
        rows = await email_where(c, lambda e: e["status"] == "SENT", "SENT", orderId=order["id"])
        assert len(rows) == 1
        sent = rows[0]
        assert (sent["to"], sent["subject"], sent["template"], sent["attempts"], sent["lastError"]) == (
            to, f"Order {order['number']} confirmed", "order_confirmation", 1, None)
        assert sent["sentAt"] is not None
        assert msg["X-OMS-Email-Id"] == sent["id"] and msg["Message-ID"]

        # when the shipment ships with a carrier and a tracking number
        tracking, url = "1Z999AA10123456784", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
        await ship_out(c, order["shipments"][0], "UPS", tracking, url)
        dispatch = (await smtp_sink.wait_for(2, to))[1]
        msg = dispatch.message
        assert (msg["To"], msg["Subject"]) == (to, f"Order {order['number']} is on its way")
        plain, html = dispatch.part("text/plain"), dispatch.part("text/html")
        assert plain is not None and html is not None
        for body in (plain, html):
            assert tracking in body and "UPS" in body and order["number"] in body
        assert url in plain and f'href="{url.replace("&", "&amp;")}"' in html
        rows = await email_where(c, lambda e: e["status"] == "SENT", "SENT", orderId=order["id"])
        assert sorted(e["template"] for e in rows) == ["dispatch", "order_confirmation"]
        ids = {m.message["X-OMS-Email-Id"] for m in smtp_sink.to(to)}
        assert ids == {e["id"] for e in rows}
        assert len({m.message["Message-ID"] for m in smtp_sink.to(to)}) == 2

        # an order without a customer email gets no email: FAILED at once, saying why
        anonymous = await place_ok(c, {"channel": ch, "lines": [line(MUG, 1)]})
        rows = await emails(c, orderId=anonymous["id"])
        assert [(e["status"], e["attempts"]) for e in rows] == [("FAILED", 0)] and rows[0]["lastError"]


async def test_a_failing_smtp_server_is_retried_with_backoff_until_it_accepts(live_servers, smtp_sink):
    server = live_servers({"OMS_SMTP_URL": smtp_sink.url, "OMS_EMAIL_FROM": FROM})
    async with new_session() as session:
        c = Client(server, session)
        p, ch, MUG, LID = await world(c)
        to = f"{p}-retry@example.com"
        smtp_sink.mode = "reject"   # 451 to every message
        order = await place_ok(c, {"channel": ch, "customer": {"email": to}, "lines": [line(MUG, 1)]})
        # then it is SCHEDULED with the failure recorded
        failed = (await email_where(c, lambda e: e["attempts"] >= 1, "attempted", orderId=order["id"]))[0]
        assert failed["status"] == "SCHEDULED" and "451" in (failed["lastError"] or ""), failed
        await eventually(lambda: len(smtp_sink.refused) >= 2, timeout=5, what="a second attempt")
        smtp_sink.mode = "accept"
        received = (await smtp_sink.wait_for(1, to, timeout=8))[0]
        sent = (await email_where(c, lambda e: e["status"] == "SENT", "SENT", orderId=order["id"]))[0]
        attempts = len(smtp_sink.refused) + 1
        assert sent["attempts"] == attempts and sent["lastError"] is None
        # backoff from 1 s, doubling
        times = smtp_sink.refused + [received.at]
        gaps = [b - a for a, b in zip(times, times[1:])]
        for i, gap in enumerate(gaps):
            assert 2 ** i - 0.1 <= gap <= 2 ** i + 1.5, gaps


async def test_without_smtp_emails_wait_and_go_out_once_a_server_is_configured(live_servers, smtp_sink):
    server = live_servers({"OMS_SMTP_URL": None, "OMS_EMAIL_FROM": FROM})
    async with new_session() as session:
        c = Client(server, session)
        p, ch, MUG, LID = await world(c)
        to = f"{p}-later@example.com"
        order = await place_ok(c, {"channel": ch, "customer": {"email": to}, "lines": [line(MUG, 1)]})
        waiting = (await email_where(c, lambda e: e["lastError"], "a lastError", orderId=order["id"]))[0]
        assert (waiting["status"], waiting["attempts"], waiting["sentAt"]) == ("SCHEDULED", 0, None)
        assert "SMTP" in waiting["lastError"], waiting
        await asyncio.sleep(1.2)
        assert (await emails(c, orderId=order["id"]))[0]["status"] == "SCHEDULED"
        assert smtp_sink.received() == []

    # when the server is restarted with OMS_SMTP_URL set, the email goes out
    server.env["OMS_SMTP_URL"] = smtp_sink.url
    await server.arestart()
    async with new_session() as session:
        c = Client(server, session)
        received = (await smtp_sink.wait_for(1, to))[0]
        assert received.message["Subject"] == f"Order {order['number']} confirmed"
        sent = (await email_where(c, lambda e: e["status"] == "SENT", "SENT", orderId=order["id"]))[0]
        assert sent["attempts"] == 1 and sent["lastError"] is None and sent["id"] == waiting["id"]
        assert received.message["X-OMS-Email-Id"] == sent["id"]
        assert len(smtp_sink.received()) == 1
