"""One websocket subscriber (graphql-transport-ws) on the events subscription, recording
each event's cursor, order id and the time it arrived; and `SubscriberPool`, a process of
its own holding many of them, so that receiving thousands of messages never delays the
writer's loop (nor its acknowledgement times). Arrival and acknowledgement times are
time.monotonic(): one system-wide clock (CLOCK_MONOTONIC on Linux), comparable across processes."""
from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
import time
from dataclasses import dataclass, field

import aiohttp
import orjson

from ..graphql import graphql_url, new_session
from ..server import PROJECT_ROOT

ack_timeout_s = 10.0
close_timeout_s = 5.0
connects_in_flight_max = 50
poll_s = 0.01
pipe_line_bytes_max = 1 << 30  # a pool's final report is one line: every cursor and arrival time


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
            arrived = time.monotonic()
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


def _have_all(subscribers: list[Subscriber], order_ids: list[str]) -> bool:
    return all(all(o in s.arrived for o in order_ids) for s in subscribers if "could not connect" not in s.problems)


async def _connect_all(subscribers: list[Subscriber]) -> list[str]:
    gate = asyncio.Semaphore(connects_in_flight_max)
    failures: list[str] = []

    async def connect(s: Subscriber) -> None:
        async with gate:
            try:
                await s.connect()
            except Exception as exc:  # any failure to connect is reported, not raised
                failures.append(f"subscriber {s.index}: {type(exc).__name__}: {exc}")
                s.problems.append("could not connect")

    await asyncio.gather(*(connect(s) for s in subscribers))
    return failures


async def _wait_all_have(subscribers: list[Subscriber], order_ids: list[str], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not _have_all(subscribers, order_ids):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(poll_s)
    return True


async def _serve_pool(base_url: str, token: str, query: str, first: int, count: int) -> None:
    """The pool process: connects its subscribers, then answers one JSON line per command line."""
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader(limit=pipe_line_bytes_max)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    subscribers = [Subscriber(first + i, base_url, token, query) for i in range(count)]
    out = sys.stdout.buffer

    def reply(message: dict) -> None:
        out.write(orjson.dumps(message) + b"\n")
        out.flush()

    try:
        failures = await _connect_all(subscribers)
        gc.freeze()  # thousands of connections' objects: our collector's pauses are not the server's latency
        reply({"failures": failures})
        while line := await commands.readline():
            command = orjson.loads(line)
            if command["do"] == "wait":
                done = await _wait_all_have(subscribers, command["ids"], command["timeout_s"])
                connected = [s for s in subscribers if "could not connect" not in s.problems][:1]
                reply({"done": done, "cursor_of": {i: s.cursor_of.get(i) for s in connected for i in command["ids"]}})
            elif command["do"] == "count":
                reply({"received": sum(len(s.cursors) for s in subscribers)})
            elif command["do"] == "report":
                reply({"subscribers": [{"index": s.index, "cursors": s.cursors, "arrived": s.arrived, "problems": s.problems}
                                       for s in subscribers]})
    finally:
        await asyncio.gather(*(s.close() for s in subscribers))


@dataclass
class Received:
    """What one subscriber of a pool received."""
    index: int
    cursors: list[int]
    arrived: dict[str, float]
    problems: list[str] = field(default_factory=list)


class SubscriberPool:
    """`count` subscribers in a process of their own (python -m bench.harness.scenarios.subscriber)."""

    def __init__(self, base_url: str, token: str, query: str, first: int, count: int):
        self.args = (base_url, query, str(first), str(count))
        self.token = token
        self.proc: asyncio.subprocess.Process | None = None
        self.lock = asyncio.Lock()
        self.received = 0  # messages so far, as of the last `count`

    async def start(self) -> list[str]:
        """Starts the process; returns its connection failures once every subscriber has tried."""
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.harness.scenarios.subscriber", *self.args, cwd=PROJECT_ROOT,
            env={**os.environ, "OMS_ADMIN_TOKEN": self.token},  # not on the command line: ps shows that
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=pipe_line_bytes_max)
        return (await self._answer())["failures"]

    async def ask(self, command: dict) -> dict:
        # shielded: a caller cancelled mid-question must not leave its answer for the next one
        return await asyncio.shield(self._exchange(command))

    async def _exchange(self, command: dict) -> dict:
        async with self.lock:
            self.proc.stdin.write(orjson.dumps(command) + b"\n")
            await self.proc.stdin.drain()
            return await self._answer()

    async def _answer(self) -> dict:
        line = await self.proc.stdout.readline()
        if not line:
            raise ConnectionError(f"the subscriber pool exited with {await self.proc.wait()}")
        return orjson.loads(line)

    async def count(self) -> int:
        self.received = (await self.ask({"do": "count"}))["received"]
        return self.received

    async def report(self) -> list[Received]:
        return [Received(**r) for r in (await self.ask({"do": "report"}))["subscribers"]]

    async def close(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.stdin.close()  # end of commands: the pool closes its sockets and exits
        try:
            await asyncio.wait_for(self.proc.wait(), close_timeout_s * 2)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()


if __name__ == "__main__":
    url, query_, first_, count_ = sys.argv[1:5]
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C reaches the whole process group: the harness reports it
        asyncio.run(_serve_pool(url, os.environ["OMS_ADMIN_TOKEN"], query_, int(first_), int(count_)))
