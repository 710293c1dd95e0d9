"""The admin bearer token: OMS_ADMIN_TOKEN, or one generated at first start (only its hash is stored)."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from engine import Engine
from engine.domain.commands import KeepAdminToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _configured_digest() -> str | None:
    configured = os.environ.get("OMS_ADMIN_TOKEN")
    return digest(configured) if configured else None


def admin_token_digest(engine: Engine, announce=print) -> str:
    """The digest requests are checked against; generates and announces a token when none is stored."""
    kept = _configured_digest() or engine.read.admin_token_digest()
    if kept is not None:
        return kept
    token = secrets.token_urlsafe(32)
    kept = engine.execute(KeepAdminToken(digest(token))).value
    if kept == digest(token):
        announce(f"Generated admin token (shown once; set OMS_ADMIN_TOKEN to choose your own): {token}")
    return kept


def stored_token_digest(engine) -> str:
    """An API worker's digest: the writer process kept one before it started any worker."""
    stored = _configured_digest() or engine.read.admin_token_digest()
    if stored is None:
        raise RuntimeError("no admin token is stored: the writer process keeps one before starting workers")
    return stored


def bearer_ok(header: str | None, expected_digest: str) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(digest(header[7:].strip()), expected_digest)
