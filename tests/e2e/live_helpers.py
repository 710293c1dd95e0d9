"""Helpers for the live tests (events, subscriptions, automation rules, emails, webhooks):

- `LiveServer`: the conftest's ServerProcess with extra environment (OMS_SMTP_URL,
  OMS_EMAIL_FROM), and the `live_servers` fixture that starts them and cleans up every process;
- `SmtpSink`: a real SMTP server (aiosmtpd Controller on 127.0.0.1, free port) that records
  every message it accepted, and can refuse (451) or stall instead;
- `WebhookReceiver`: a real aiohttp HTTP server on loopback that checks EVERY request's
  X-OMS-Signature against the secret of its path, and answers from a script (500, 200, hang);
- `WsClient`: GraphQL subscriptions over websocket, graphql-transport-ws or legacy graphql-ws;
- GraphQL documents and small steps for events, rules, emails and webhooks.
"""
from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import hashlib
import hmac
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import aiohttp
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller

from .conftest import PROJECT_ROOT, ServerProcess, _cleanup, free_port
from .helpers import ERRORS, ok

# ---------------------------------------------------------------- documents

EVENT_FIELDS = "id cursor type occurredAt orderId sku location data"
EVENTS = f"""query($first: Int, $after: String, $types: [EventType!], $orderId: ID) {{
  events(first: $first, after: $after, types: $types, orderId: $orderId) {{
    edges {{ cursor node {{ {EVENT_FIELDS} }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"""
ORDER_EVENTS = f"""query($id: ID!, $first: Int, $after: String) {{ order(id: $id) {{ id
  events(first: $first, after: $after) {{ edges {{ cursor node {{ {EVENT_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }} }} }} }}"""
RULE_FIELDS = "id name event condition enabled priority actions { type params delaySeconds }"
RULES = f"query {{ automationRules {{ {RULE_FIELDS} }} }}"
RULE_SAVE = f"""mutation($input: AutomationRuleInput!) {{
  automationRuleSave(input: $input) {{ rule {{ {RULE_FIELDS} }} {ERRORS} }} }}"""
RULE_DELETE = f"mutation($id: ID!) {{ automationRuleDelete(id: $id) {{ deletedId {ERRORS} }} }}"
EMAIL_FIELDS = "id to subject template orderId status scheduledFor sentAt attempts lastError"
EMAILS = f"""query($first: Int, $after: String, $to: String, $orderId: ID, $status: DeliveryStatus) {{
  emails(first: $first, after: $after, to: $to, orderId: $orderId, status: $status) {{
    edges {{ cursor node {{ {EMAIL_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
WEBHOOK_CREATE = f"""mutation($input: WebhookInput!) {{
  webhookCreate(input: $input) {{ webhook {{ id url events active createdAt }} {ERRORS} }} }}"""
WEBHOOK_DELETE = f"mutation($id: ID!) {{ webhookDelete(id: $id) {{ deletedId {ERRORS} }} }}"
WEBHOOKS = "query { webhooks { id url events active createdAt } }"
DELIVERY_FIELDS = "id webhookId eventId status attempts responseStatus lastAttemptAt"
DELIVERIES = f"""query($webhookId: ID, $first: Int, $after: String, $status: DeliveryStatus) {{
  webhookDeliveries(webhookId: $webhookId, first: $first, after: $after, status: $status) {{
    edges {{ cursor node {{ {DELIVERY_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
DELIVERY_RETRY = f"""mutation($id: ID!) {{ webhookDeliveryRetry(id: $id) {{ delivery {{ {DELIVERY_FIELDS} }} {ERRORS} }} }}"""
PURCHASE_ORDERS = """query($location: String) { purchaseOrders(first: 250, location: $location) {
  edges { node { id number supplier location status lines { sku quantity received } } } } }"""

SUB_EVENTS = f"""subscription($types: [EventType!], $channel: String, $orderId: ID, $after: String) {{
  events(types: $types, channel: $channel, orderId: $orderId, after: $after) {{ {EVENT_FIELDS} }} }}"""
SUB_STOCK = """subscription($skus: [String!], $locations: [String!]) {
  stockLevels(skus: $skus, locations: $locations) { sku location onHand committed available safetyStock incoming } }"""
SUB_ORDER = """subscription($id: ID!) { order(id: $id) { id number status holdReason tags
  lines { sku quantity allocated backordered cancelled } shipments { id status } } }"""


# ---------------------------------------------------------------- steps

async def all_pages(c, query: str, field_name: str, variables: dict | None = None, first: int = 250) -> list[dict]:
    variables = dict(variables or {})
    rows, after = [], variables.pop("after", None)
    for _ in range(10_000):
        page = (await c.data(query, {**variables, "first": first, "after": after}))[field_name]
        rows.extend(e["node"] for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]
    raise AssertionError(f"{field_name} paging did not end")


async def events(c, *, after: str | None = None, types: list[str] | None = None, order_id: str | None = None) -> list[dict]:
    return await all_pages(c, EVENTS, "events", {"after": after, "types": types, "orderId": order_id})


async def last_cursor(c, after: str | None = None) -> str | None:
    """The cursor of the newest event (None for an empty log); walks the log from `after`
    (a cursor known to exist) if given."""
    last, first = after, 250
    for _ in range(100_000):
        page = (await c.data(EVENTS.replace(EVENT_FIELDS, "cursor"), {"first": first, "after": last}))["events"]
        if page["edges"]:
            last = page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return last
    raise AssertionError("events paging did not end")


async def emails(c, **filters: Any) -> list[dict]:
    return await all_pages(c, EMAILS, "emails", filters)


async def deliveries(c, webhook_id: str | None = None, status: str | None = None) -> list[dict]:
    return await all_pages(c, DELIVERIES, "webhookDeliveries", {"webhookId": webhook_id, "status": status})


async def rules(c) -> list[dict]:
    return (await c.data(RULES))["automationRules"]


async def save_rule(c, rule: dict) -> dict:
    return (await c.data(RULE_SAVE, {"input": rule}))["automationRuleSave"]


async def save_rule_ok(c, rule: dict) -> dict:
    return ok(await save_rule(c, rule))["rule"]


async def create_webhook(c, url: str, events_: list[str], secret: str) -> dict:
    return (await c.data(WEBHOOK_CREATE, {"input": {"url": url, "events": events_, "secret": secret}}))["webhookCreate"]


async def create_webhook_ok(c, url: str, events_: list[str], secret: str) -> dict:
    return ok(await create_webhook(c, url, events_, secret))["webhook"]


async def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    """Polls an async (or sync) check until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s (last: {str(last)[:500]})")
        await asyncio.sleep(interval)


_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


# ---------------------------------------------------------------- server with extra environment

class LiveServer(ServerProcess):
    """The conftest's server process, with extra environment variables (None removes one)."""

    def __init__(self, *args, env: dict[str, str | None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.env: dict[str, str | None] = dict(env or {})

    def _spawn(self) -> None:  # the conftest's _spawn, plus self.env
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        env = {**os.environ, "OMS_ADMIN_TOKEN": self.token, "PYTHONUNBUFFERED": "1"}
        for key in ("OMS_SMTP_URL", "OMS_EMAIL_FROM"):
            env.pop(key, None)  # only what the test asks for
        for key, value in self.env.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        self._log = open(self.log_path, "ab")
        self._log.write(f"\n===== start {time.strftime('%H:%M:%S')} port {self.port} env {self.env}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(self.data_dir),
             "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        self._registry.append(self.proc)


@contextlib.contextmanager
def server_pool(base_dir: Path):
    """make(env=..., start=True) -> a LiveServer on its own data dir under base_dir; every
    process started is terminated when the block ends."""
    registry: list[subprocess.Popen] = []
    servers: list[LiveServer] = []
    names = itertools.count(1)

    def make(env: dict[str, str | None] | None = None, start: bool = True) -> LiveServer:
        base = base_dir / f"srv{next(names)}"
        base.mkdir()
        srv = LiveServer(base / "data", base / "server.log", "tok-" + os.urandom(12).hex(), registry, env=env)
        servers.append(srv)
        if start:
            srv.start()
        return srv

    try:
        yield make
    finally:
        for srv in servers:
            srv._close_log()
        _cleanup(registry)


@pytest.fixture
def live_servers(tmp_path: Path):
    with server_pool(tmp_path) as make:
        yield make


# ---------------------------------------------------------------- SMTP sink

@dataclass
class Received:
    at: float                 # time.time() when accepted
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def email_id(self) -> str | None:
        return self.message["X-OMS-Email-Id"]

    def part(self, content_type: str) -> str | None:
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content()
        return None


class _SinkHandler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope) -> str:
        mode = self.sink.mode
        if mode == "reject":
            with self.sink.lock:
                self.sink.refused.append(time.time())
            return "451 4.3.0 try again later"
        if mode == "hang":
            with self.sink.lock:
                self.sink.stalled += 1
            deadline = time.monotonic() + self.sink.hang_s
            while time.monotonic() < deadline and not self.sink.unhang.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 stalled, not accepted"  # never recorded: not delivered
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(Received(time.time(), envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


class SmtpSink:
    """A real SMTP server on 127.0.0.1. mode: accept (records), reject (451), hang (stalls in DATA, then 451)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.mode = "accept"
        self.hang_s = 30.0
        self.unhang = threading.Event()
        self.lock = threading.Lock()
        self.messages: list[Received] = []
        self.refused: list[float] = []   # time.time() of each refusal
        self.stalled = 0
        self.controller = Controller(_SinkHandler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.unhang.set()
        self.controller.stop()

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.received() if address in m.rcpt_tos]

    async def wait_for(self, count: int, address: str | None = None, timeout: float = 10.0) -> list[Received]:
        def enough():
            got = self.received() if address is None else self.to(address)
            return got if len(got) >= count else None
        return await eventually(enough, timeout, what=f"{count} emails{' to ' + address if address else ''}")


@pytest.fixture
def smtp_sink():
    sink = SmtpSink().start()
    try:
        yield sink
    finally:
        sink.stop()


# ---------------------------------------------------------------- webhook receiver

@dataclass
class Hit:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None
    signature_ok: bool

    @property
    def delivery(self) -> str:
        return self.headers.get("X-OMS-Delivery", "")

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    """A real HTTP server on loopback. Each path /<name> has a secret and a script of answers
    (status codes, or "hang" to stall until `unhang` or the timeout, then 503); once the
    script is used up it answers `default`. Every request's signature is checked."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.scripts: dict[str, list] = {}
        self.default: int | str = 200
        self.hits: list[Hit] = []
        self.bad: list[str] = []
        self.unhang = asyncio.Event()
        self.hang_s = 30.0
        self.stalled = 0
        self.runner: web.AppRunner | None = None
        self.port = 0

    def url(self, name: str, secret: str, script: list | None = None) -> str:
        self.secrets[name] = secret
        self.scripts[name] = list(script or [])
        return f"http://127.0.0.1:{self.port}/{name}"

    async def start(self) -> "WebhookReceiver":
        app = web.Application()
        app.router.add_post("/{name}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        self.unhang.set()
        if self.runner is not None:
            await self.runner.cleanup()

    def _check(self, name: str, request: web.Request, body: bytes) -> bool:
        problems = []
        secret = self.secrets.get(name)
        expected = None if secret is None else "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if expected is None or not hmac.compare_digest(request.headers.get("X-OMS-Signature", ""), expected):
            problems.append(f"bad signature {request.headers.get('X-OMS-Signature')!r}")
        try:
            event = json.loads(body)
            if set(event) != {"id", "cursor", "type", "occurredAt", "orderId", "sku", "location", "data"}:
                problems.append(f"body keys {sorted(event)}")
            elif request.headers.get("X-OMS-Event") != event["type"]:
                problems.append(f"X-OMS-Event {request.headers.get('X-OMS-Event')} for a {event['type']} event")
        except ValueError:
            problems.append("body is not JSON")
        if not request.headers.get("X-OMS-Delivery"):
            problems.append("no X-OMS-Delivery")
        if request.content_type != "application/json":
            problems.append(f"content type {request.content_type}")
        if problems:
            self.bad.append(f"/{name}: " + "; ".join(problems))
        return not problems

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await request.read()
        signature_ok = self._check(name, request, body)
        script = self.scripts.setdefault(name, [])
        answer = script.pop(0) if script else self.default
        hit = Hit(time.time(), name, dict(request.headers), body, None, signature_ok)
        self.hits.append(hit)
        if answer == "hang":
            self.stalled += 1
            try:
                await asyncio.wait_for(self.unhang.wait(), self.hang_s)
            except asyncio.TimeoutError:
                pass
            return web.Response(status=503, text="stalled")  # the sender is gone by then: not delivered
        hit.answered = int(answer)
        return web.Response(status=int(answer), text="ok" if 200 <= int(answer) < 300 else "no")

    def on(self, name: str) -> list[Hit]:
        return [h for h in self.hits if h.path == name]

    def accepted(self, name: str | None = None) -> list[Hit]:
        return [h for h in self.hits if (name is None or h.path == name) and h.answered is not None and 200 <= h.answered < 300]


@pytest.fixture
async def receiver():
    rec = await WebhookReceiver().start()
    try:
        yield rec
    finally:
        await rec.stop()
    assert rec.bad == [], f"webhook requests that failed the checks: {rec.bad}"


# ---------------------------------------------------------------- websocket GraphQL client

class WsClosed(AssertionError):
    def __init__(self, code: int | None, reason: str):
        super().__init__(f"websocket closed: {code} {reason!r}")
        self.code = code
        self.reason = reason


class WsClient:
    """One websocket at /graphql speaking graphql-transport-ws (default) or the legacy graphql-ws."""

    def __init__(self, session: aiohttp.ClientSession, url: str, protocol: str = "graphql-transport-ws"):
        self.session = session
        self.url = url
        self.protocol = protocol
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.queues: dict[str, asyncio.Queue] = {}
        self.closed: WsClosed | None = None
        self._reader: asyncio.Task | None = None
        self._ids = itertools.count(1)

    @property
    def legacy(self) -> bool:
        return self.protocol == "graphql-ws"

    async def open(self, token: str | None) -> None:
        self.ws = await self.session.ws_connect(self.url, protocols=(self.protocol,), max_msg_size=0)
        assert self.ws.protocol == self.protocol, self.ws.protocol
        payload = {} if token is None else {"Authorization": f"Bearer {token}"}
        await self.ws.send_json({"type": "connection_init", "payload": payload})

    async def connect(self, token: str | None, timeout: float = 10.0) -> "WsClient":
        """Opens, sends connection_init, waits for connection_ack, then reads in the background."""
        await self.open(token)
        while True:
            msg = await self.ws.receive(timeout)
            if msg.type == aiohttp.WSMsgType.TEXT:
                data = json.loads(msg.data)
                if data["type"] == "connection_ack":
                    break
                if data["type"] in ("ka", "ping"):
                    continue
                raise AssertionError(f"unexpected before ack: {data}")
            raise WsClosed(self.ws.close_code, str(msg.extra or ""))
        self._reader = asyncio.create_task(self._read())
        return self

    async def wait_closed(self, timeout: float = 10.0) -> WsClosed:
        """For a socket the server is expected to close: reads until the close frame."""
        while True:
            msg = await self.ws.receive(timeout)
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                return WsClosed(self.ws.close_code if self.ws.close_code is not None else msg.data, str(msg.extra or ""))
            if msg.type == aiohttp.WSMsgType.ERROR:
                raise AssertionError(f"websocket error {msg.data!r}")

    async def _read(self) -> None:
        code, reason = None, ""
        try:
            while True:
                msg = await self.ws.receive()
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                    code, reason = (msg.data if isinstance(msg.data, int) else self.ws.close_code), str(msg.extra or "")
                    break
                if msg.type == aiohttp.WSMsgType.ERROR:
                    reason = f"error {msg.data!r}"
                    break
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                kind = data.get("type")
                if kind == "ping":
                    await self.ws.send_json({"type": "pong"})
                elif kind in ("next", "data", "error", "complete"):
                    self.queues.setdefault(data["id"], asyncio.Queue()).put_nowait(data)
        finally:
            self.closed = WsClosed(code if code is not None else self.ws.close_code, reason)
            for q in self.queues.values():
                q.put_nowait({"type": "closed"})

    async def subscribe(self, query: str, variables: dict | None = None) -> str:
        sub_id = str(next(self._ids))
        self.queues.setdefault(sub_id, asyncio.Queue())
        kind = "start" if self.legacy else "subscribe"
        await self.ws.send_json({"type": kind, "id": sub_id, "payload": {"query": query, "variables": variables or {}}})
        return sub_id

    async def stop(self, sub_id: str) -> None:
        await self.ws.send_json({"type": "stop" if self.legacy else "complete", "id": sub_id})

    async def next(self, sub_id: str, timeout: float = 10.0) -> dict:
        """The next result's data (raises on an error, a completion or the socket closing)."""
        try:
            data = await asyncio.wait_for(self.queues[sub_id].get(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"no message for subscription {sub_id} within {timeout} s") from None
        if data["type"] == "closed":
            self.queues[sub_id].put_nowait(data)
            raise self.closed
        if data["type"] in ("next", "data"):
            payload = data["payload"]
            if payload.get("errors"):
                raise AssertionError(f"subscription errors: {payload['errors']}")
            return payload["data"]
        raise AssertionError(f"subscription {sub_id} ended: {data}")

    def pending(self, sub_id: str) -> int:
        return self.queues[sub_id].qsize()

    async def none_within(self, sub_id: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        assert self.queues[sub_id].empty(), f"unexpected: {self.queues[sub_id]._queue[0]}"  # noqa: SLF001

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self.ws is not None and not self.ws.closed:
            await self.ws.close()


async def collect_events(ws: WsClient, sub_id: str, until_cursor: str, timeout: float = 15.0) -> list[dict]:
    """Events of a subscription up to and including `until_cursor` (it must arrive)."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while not got or int(got[-1]["cursor"]) < int(until_cursor):
        got.append((await ws.next(sub_id, max(0.1, deadline - time.monotonic())))["events"])
    return got


def cursors(rows: list[dict]) -> list[int]:
    return [int(r["cursor"]) for r in rows]


# ---------------------------------------------------------------- warehouse steps (own copies: other files change)

SCAN = f"""mutation($id: ID!, $barcode: String!, $quantity: Int) {{
  shipmentScan(id: $id, barcode: $barcode, quantity: $quantity) {{ shipment {{ id status }} {ERRORS} }} }}"""
PACK = f"mutation($id: ID!) {{ shipmentPack(id: $id) {{ shipment {{ id status }} {ERRORS} }} }}"
SHIP = f"""mutation($id: ID!, $carrier: String!, $tracking: String!, $url: String) {{
  shipmentShip(id: $id, carrier: $carrier, trackingNumber: $tracking, trackingUrl: $url) {{
    shipment {{ id status carrier trackingNumber trackingUrl }} {ERRORS} }} }}"""
DELIVER = f"mutation($id: ID!) {{ shipmentDeliver(id: $id) {{ shipment {{ id status }} {ERRORS} }} }}"


async def ship_out(c, shipment: dict, carrier: str = "UPS", tracking: str = "1Z999", url: str | None = None) -> dict:
    """Scans every line of a PENDING shipment (by sku), packs and ships it."""
    for l in shipment["lines"]:
        ok((await c.data(SCAN, {"id": shipment["id"], "barcode": l["sku"], "quantity": l["quantity"]}))["shipmentScan"])
    ok((await c.data(PACK, {"id": shipment["id"]}))["shipmentPack"])
    return ok((await c.data(SHIP, {"id": shipment["id"], "carrier": carrier, "tracking": tracking, "url": url}))["shipmentShip"])["shipment"]

INVENTORY_ADJUST_SHORT = f"""mutation($input: [InventoryAdjustInput!]!, $reason: InventoryReason!) {{
  inventoryAdjust(input: $input, reason: $reason) {{ stockLevels {{ sku }} {ERRORS} }} }}"""
