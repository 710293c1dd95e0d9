"""One websocket subscriber (graphql-transport-ws) on the events subscription, recording
each event's cursor, order id and the perf_counter time it arrived."""
from __future__ import annotations

import asyncio
import time

import aiohttp
import orjson

from ..graphql import graphql_url, new_session

ack_timeout_s = 10.0
close_timeout_s = 5.0


class Subscriber:
    def __init__(self, index: int, base_url: str, token: str, query: str):
        self.index = index
        self.url = graphql_url(base_url).replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        self.token = token
        self.query = query
        self.cursors: list[int] = []
        self.arrived: dict[str, float] = {}   # order id -> perf_counter when its event arrived
        self.cursor_of: dict[str, int] = {}   # order id -> its event's cursor
        self.problems: list[str] = []
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task | None = None
        self._closing = False

    async def connect(self) -> None:
        self.session = new_session(limit=1)
        self.ws = await self.session.ws_connect(self.url, protocols=("graphql-transport-ws",), max_msg_size=0)
        await self.ws.send_str(orjson.dumps({"type": "connection_init",
                                             "payload": {"Authorization": f"Bearer {self.token}"}}).decode())
        while True:
            msg = await self.ws.receive(ack_timeout_s)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"closed before connection_ack: {self.ws.close_code} {msg.extra or ''}")
            kind = orjson.loads(msg.data).get("type")
            if kind == "connection_ack":
                break
            if kind == "ping":
                await self.ws.send_str('{"type":"pong"}')
        await self.ws.send_str(orjson.dumps({"type": "subscribe", "id": "1", "payload": {"query": self.query}}).decode())
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        ws = self.ws
        while True:
            msg = await ws.receive()
            arrived = time.perf_counter()
            if msg.type != aiohttp.WSMsgType.TEXT:
                if not self._closing:
                    self.problems.append(f"socket closed: {ws.close_code} {msg.extra or ''}".strip())
                return
            message = orjson.loads(msg.data)
            kind = message.get("type")
            if kind == "next":
                payload = message["payload"]
                if payload.get("errors"):
                    self.problems.append(f"error in next: {payload['errors']}")
                    continue
                event = payload["data"]["events"]
                cursor = int(event["cursor"])
                self.cursors.append(cursor)
                self.arrived[event["orderId"]] = arrived
                self.cursor_of[event["orderId"]] = cursor
            elif kind == "ping":
                await ws.send_str('{"type":"pong"}')
            elif kind in ("error", "complete"):
                self.problems.append(f"{kind}: {message.get('payload')}")
                return

    async def close(self) -> None:
        self._closing = True
        try:
            if self.ws is not None and not self.ws.closed:
                await asyncio.wait_for(self.ws.send_str('{"type":"complete","id":"1"}'), close_timeout_s)
                await asyncio.wait_for(self.ws.close(), close_timeout_s)
        except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, RuntimeError):
            pass
        finally:
            if self._reader is not None:
                self._reader.cancel()
                await asyncio.gather(self._reader, return_exceptions=True)
            if self.session is not None:
                await self.session.close()
