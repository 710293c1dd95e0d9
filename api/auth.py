"""The admin bearer token: OMS_ADMIN_TOKEN, or one generated at first start (only its hash is stored)."""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from engine.store import Store

TOKEN_KEY = b"admin_token_sha256"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def admin_token_digest(store: Store, announce=print) -> str:
    """The digest requests are checked against; generates and announces a token when none exists."""
    configured = os.environ.get("OMS_ADMIN_TOKEN")
    if configured:
        return digest(configured)
    with store.env.begin(write=True) as txn:
        stored = txn.get(TOKEN_KEY, db=store.db["meta"])
        if stored is not None:
            return stored.decode()
        token = secrets.token_urlsafe(32)
        txn.put(TOKEN_KEY, digest(token).encode(), db=store.db["meta"])
    announce(f"Generated admin token (shown once; set OMS_ADMIN_TOKEN to choose your own): {token}")
    return digest(token)


def bearer_ok(header: str | None, expected_digest: str) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(digest(header[7:].strip()), expected_digest)
