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


def admin_token_digest(engine: Engine, announce=print) -> str:
    """The digest requests are checked against; generates and announces a token when none is stored."""
    configured = os.environ.get("OMS_ADMIN_TOKEN")
    if configured:
        return digest(configured)
    stored = engine.read.admin_token_digest()
    if stored is not None:
        return stored
    token = secrets.token_urlsafe(32)
    kept = engine.execute(KeepAdminToken(digest(token))).value
    if kept == digest(token):
        announce(f"Generated admin token (shown once; set OMS_ADMIN_TOKEN to choose your own): {token}")
    return kept


def bearer_ok(header: str | None, expected_digest: str) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(digest(header[7:].strip()), expected_digest)
