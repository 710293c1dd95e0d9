"""The app keys each GraphQL request's context is built from (api/graphql/view.py); app.py sets them."""
from __future__ import annotations

from aiohttp import web

from .live.hub import Hub

ENGINE = web.AppKey("engine", object)  # engine.Engine, or engine.remote RemoteEngine in a worker process
HUB = web.AppKey("hub", Hub)
SMTP_CONFIGURED = web.AppKey("smtp_configured", bool)
TOKEN_DIGEST = web.AppKey("token_digest", str)
