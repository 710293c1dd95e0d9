"""The composition root: LMDB environment, engine, schema and the aiohttp application, for
one process (`oms serve --workers 1`) or for an API worker beside the writer process."""
from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from aiohttp import web

from engine import Engine, RemoteEngine, WriterUnavailable, limits

from .auth import admin_token_digest, bearer_ok, stored_token_digest
from .context_keys import ENGINE, HUB, SMTP_CONFIGURED, TOKEN_DIGEST
from .graphiql import STATIC_DIR as GRAPHIQL_STATIC_DIR
from .graphiql import STATIC_PREFIX as GRAPHIQL_STATIC_PREFIX
from .graphql.prepared import PREPARED, PreparedServer, lean_path_possible
from .graphql.view import OmsGraphQLView, error_response
from .live.hub import Hub
from .metrics import METRICS
from .notify.dispatcher import Dispatcher
from .notify.email import SmtpConfig
from .process import background
from .schema import schema

log = logging.getLogger("oms.api")
CORS_ORIGINS = web.AppKey("cors_origins", tuple)
WS_PROTOCOLS = ("graphql-transport-ws", "graphql-ws")
healthz_writer_timeout_s = 2.0


def cors_origins() -> tuple[str, ...]:
    return tuple(o.strip() for o in os.environ.get("OMS_CORS_ORIGINS", "").split(",") if o.strip())


@web.middleware
async def cors(request: web.Request, handler):
    origin = request.headers.get("Origin")
    allowed = origin is not None and origin in request.app[CORS_ORIGINS]
    if request.method == "OPTIONS" and allowed:
        response = web.Response(status=204)
    else:
        response = await handler(request)
    if allowed:
        response.headers.update({
            "Access-Control-Allow-Origin": origin, "Vary": "Origin",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS", "Access-Control-Max-Age": "600",
        })
    return response


INFLIGHT = web.AppKey("inflight", list)


@web.middleware
async def shed_load(request: web.Request, handler):
    """Past requests_inflight_max GraphQL requests at once, answer 503 now rather than queue."""
    if request.path != "/graphql" or request.method != "POST":
        return await handler(request)
    inflight = request.app[INFLIGHT]
    if inflight[0] >= inflight[1]:
        METRICS.shed.inc()
        return error_response("server busy: too many requests in flight; retry shortly", 503, headers={"Retry-After": "1"})
    inflight[0] += 1
    try:
        return await handler(request)
    finally:
        inflight[0] -= 1


def upgrade_asked(request: web.Request) -> bool:
    """can_prepare's first test, without building a WebSocketResponse and an HTTPBadRequest per request."""
    return request.headers.get("Upgrade", "").lower().strip() == "websocket"


@web.middleware
async def require_token(request: web.Request, handler):
    """Every GraphQL request needs the bearer token; the GraphiQL page (its static assets
    under /graphiql/static are outside /graphql) and websocket handshakes (authenticated in
    connection_init) do not."""
    if request.path == "/graphql" and request.method != "OPTIONS":
        websocket = upgrade_asked(request) and web.WebSocketResponse(protocols=WS_PROTOCOLS).can_prepare(request).ok
        graphiql = request.method == "GET" and "query" not in request.query
        if not (websocket or graphiql) and not bearer_ok(request.headers.get("Authorization"), request.app[TOKEN_DIGEST]):
            return web.json_response({"errors": [{"message": "missing or invalid bearer token"}]}, status=401,
                                     headers={"WWW-Authenticate": "Bearer"})
    return await handler(request)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _app(engine, token_digest: str, smtp: SmtpConfig | None) -> web.Application:
    app = web.Application(middlewares=[cors, shed_load, require_token], client_max_size=limits.request_body_bytes_max)
    app[INFLIGHT] = [0, int(os.environ.get("OMS_REQUESTS_INFLIGHT_MAX", limits.requests_inflight_max))]  # [now, bound]
    app[ENGINE] = engine
    app[TOKEN_DIGEST] = token_digest
    app[SMTP_CONFIGURED] = smtp is not None
    app[CORS_ORIGINS] = cors_origins()
    view = OmsGraphQLView(schema=schema, graphql_ide="graphiql", allowed_origins=list(app[CORS_ORIGINS]),
                          max_subscriptions_per_connection=limits.subscriptions_per_connection_max)
    if lean_path_possible(schema):
        view.prepared = PreparedServer(view, PREPARED, METRICS)
    app.router.add_route("*", "/graphql", view)
    app.router.add_static(GRAPHIQL_STATIC_PREFIX, GRAPHIQL_STATIC_DIR)  # GET/HEAD only, no index
    app.router.add_get("/metrics", METRICS.handler)
    return app


def create_app(data_dir: str | Path, announce=print) -> web.Application:
    """Everything in this process: the engine's writer thread, the dispatchers, the API."""
    engine = Engine.open(data_dir, announce)
    smtp = SmtpConfig.from_env()
    app = _app(engine, admin_token_digest(engine, announce), smtp)
    app.router.add_get("/healthz", healthz)

    async def run_engine(app: web.Application):
        app[HUB] = Hub(engine, asyncio.get_running_loop())
        dispatcher = Dispatcher(engine, smtp)
        app[HUB].on_commit.append(dispatcher.poke)
        METRICS.watch(engine, lambda: len(app[HUB].subscribers))
        async with background(dispatcher.run(), METRICS.track_cpu("server")):
            yield
        await dispatcher.close()
        engine.close()  # the writer finishes every submitted command, then LMDB closes cleanly

    app.cleanup_ctx.append(run_engine)
    return app


def create_worker_app(engine: RemoteEngine, index: int) -> web.Application:
    """An API worker: GraphQL and reads here, commands to the writer process, its commits in."""
    app = _app(engine, stored_token_digest(engine), SmtpConfig.from_env())

    async def worker_healthz(request: web.Request) -> web.Response:
        """Ready when the writer answers and says every worker is serving."""
        headers = {"X-OMS-Worker": str(index)}
        try:
            status = await asyncio.wait_for(engine.status(), healthz_writer_timeout_s)
        except (WriterUnavailable, asyncio.TimeoutError):
            return web.json_response({"status": "writer unavailable"}, status=503, headers=headers)
        if status["ready"] < status["workers"]:
            return web.json_response({"status": "starting", **status}, status=503, headers=headers)
        return web.json_response({"status": "ok"}, headers=headers)

    app.router.add_get("/healthz", worker_healthz)

    async def run_hub(app: web.Application):
        app[HUB] = hub = Hub(engine, asyncio.get_running_loop())
        METRICS.watch_reads(engine.read, None)
        async with background(METRICS.count_subscribers(lambda: len(hub.subscribers)), METRICS.track_cpu("worker")):
            yield
        await engine.close()

    app.cleanup_ctx.append(run_hub)
    return app
