"""Signed webhook deliveries: POST of the Event as JSON, X-OMS-Event, X-OMS-Delivery and
X-OMS-Signature (sha256=<hex HMAC-SHA256 of the raw body with the secret>)."""
from __future__ import annotations

import asyncio
import hashlib
import hmac

import aiohttp
import orjson

from engine import limits
from engine.domain.events import event_view
from engine.domain.ids import global_id


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def request_for(delivery: dict, event: dict) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(event_view(event))
    return body, {
        "Content-Type": "application/json", "X-OMS-Event": event["type"],
        "X-OMS-Delivery": global_id("WebhookDelivery", delivery["seq"]), "X-OMS-Signature": signature(delivery["secret"], body),
    }


async def deliver(http: aiohttp.ClientSession, delivery: dict, event: dict) -> tuple[int | None, str | None]:
    """(response status, error): error None when the receiver answered 2xx."""
    body, headers = request_for(delivery, event)
    try:
        timeout = aiohttp.ClientTimeout(total=limits.webhook_timeout_s)
        async with http.post(delivery["url"], data=body, headers=headers, timeout=timeout, allow_redirects=False) as response:
            await response.read()
            return response.status, None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except asyncio.TimeoutError:
        return None, f"no answer within {limits.webhook_timeout_s} s"
    except aiohttp.ClientError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
