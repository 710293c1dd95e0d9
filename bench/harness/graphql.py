"""A timed GraphQL client over one aiohttp session (one per simulated client).

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
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit),
                                 timeout=aiohttp.ClientTimeout(total=timeout_s))


class GraphQLClient:
    def __init__(self, base_url: str, token: str, limit: int = 2, timeout_s: float = request_timeout_s):
        self.url = graphql_url(base_url)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.session = new_session(limit, timeout_s)

    async def __aenter__(self) -> "GraphQLClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        await self.session.close()

    async def request(self, query: str, variables: dict | None = None) -> Reply:
        body = orjson.dumps({"query": query, "variables": variables or {}})
        started = time.perf_counter()
        try:
            async with self.session.post(self.url, data=body, headers=self.headers) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
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
