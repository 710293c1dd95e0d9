"""The app keys each GraphQL request's context is built from (api/graphql/view.py); app.py sets them."""
from __future__ import annotations

from aiohttp import web

from engine import Engine

from .live.hub import Hub
from .notify.dispatcher import Dispatcher

ENGINE = web.AppKey("engine", Engine)
HUB = web.AppKey("hub", Hub)
DISPATCHER = web.AppKey("dispatcher", Dispatcher)
TOKEN_DIGEST = web.AppKey("token_digest", str)
