"""A timed GraphQL client over its own keep-alive connections (one client per simulated client).

Every request is timed with time.perf_counter from sending to the whole body read, and
answered as a `Reply` whose `failure` names the error class the report counts:
transport (connection, timeout, unreadable body), http (non-2xx) or graphql (`errors`).
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from .errors import BenchError
from .http1 import Pool, ProtocolError

request_timeout_s = 60.0


@dataclass(slots=True)
class Reply:
    latency_s: float
    data: Any = None
    failure: str | None = None  # "transport", "http" or "graphql"
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.failure is None


def graphql_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/graphql"


def new_session(limit: int, timeout_s: float = request_timeout_s) -> aiohttp.ClientSession:
    """For websockets (subscriber scenarios); GraphQL requests go through `GraphQLClient`."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit),
                                 timeout=aiohttp.ClientTimeout(total=timeout_s))


class GraphQLClient:
    def __init__(self, base_url: str, token: str, limit: int = 2, timeout_s: float = request_timeout_s):
        self.url = graphql_url(base_url)
        self.timeout_s = timeout_s
        self.pool = Pool(self.url, limit, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

    async def __aenter__(self) -> "GraphQLClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self.pool.close()

    async def request(self, query: str, variables: dict | None = None) -> Reply:
        body = orjson.dumps({"query": query, "variables": variables or {}})
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout_s):
                status, raw = await self.pool.post(body)
        except (OSError, EOFError, asyncio.LimitOverrunError, asyncio.TimeoutError, ProtocolError, ValueError) as exc:
            return Reply(time.perf_counter() - started, failure="transport", message=f"{type(exc).__name__}: {exc}")
        latency_s = time.perf_counter() - started
        if not 200 <= status < 300:
            return Reply(latency_s, failure="http", message=f"HTTP {status}: {raw[:300].decode(errors='replace')}")
        try:
            answer = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return Reply(latency_s, failure="transport", message=f"unreadable body: {raw[:300]!r}")
        if not isinstance(answer, dict):
            return Reply(latency_s, failure="transport", message=f"unexpected body: {raw[:300]!r}")
        if answer.get("errors"):
            return Reply(latency_s, data=answer.get("data"), failure="graphql", message=str(answer["errors"])[:500])
        return Reply(latency_s, data=answer.get("data"))

    async def data(self, query: str, variables: dict | None = None) -> dict:
        """`data` of a request that must succeed (setup and checks); raises BenchError otherwise."""
        reply = await self.request(query, variables)
        if not reply.ok:
            raise BenchError(f"{reply.failure} error: {reply.message}")
        return reply.data
