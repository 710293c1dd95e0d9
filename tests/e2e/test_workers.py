"""`oms serve --workers 2`: the writer process and two API workers on one port.

Which worker holds a connection is read from /proc (the worker process owning the server end
of the client's TCP connection), so that spreading over workers is checked, not assumed."""
from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from .conftest import Client, new_session
from .helpers import (
    ORDER_PLACE_SHORT, add_channel, add_location, add_products, all_orders, assert_stock_invariants, line, set_stock,
)
from .live_helpers import SUB_EVENTS, WsClient, collect_events, events, last_cursor

two_workers = pytest.mark.parametrize("server", [2], indirect=True, ids=["2-workers"])
SKUS = [f"W{i}" for i in range(4)]


def worker_pids(server) -> set[int]:
    pid = server.proc.pid
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}/stat").exists() else ""
    return stat.split(")")[-1].split()[:1] != ["Z"]


def worker_holding(server, client_port: int) -> int | None:
    """The pid of the worker holding the server end of the connection from `client_port`."""
    target = None
    for row in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = row.split()
        if int(fields[1].split(":")[1], 16) == server.port and int(fields[2].split(":")[1], 16) == client_port:
            target = f"socket:[{fields[9]}]"
    for pid in worker_pids(server):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == target:
                    return pid
            except OSError:
                continue
    return None


async def healthz_worker(server) -> tuple[str, int]:
    """(the worker that answered, the status) of /healthz on a new connection."""
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}/healthz") as response:
            return response.headers["X-OMS-Worker"], response.status


async def given_stock(c) -> None:
    await add_location(c, "WA")
    await add_products(c, [{"sku": s, "name": s, "price": "2.00"} for s in SKUS])
    await add_channel(c, "web")
    await set_stock(c, [{"sku": s, "location": "WA", "onHand": 10_000} for s in SKUS])


async def place_from_new_connections(server, prefix: str, n: int, clients: int = 8) -> dict[str, dict]:
    """n orders, each on a connection of its own (so they spread over the workers); externalId -> order."""
    placed: dict[str, dict] = {}

    async def client(ci: int) -> None:
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as session:
            c = Client(server, session)
            for k in range(ci, n, clients):
                ext = f"{prefix}-{k}"
                payload = (await c.data(ORDER_PLACE_SHORT, {"input": {"channel": "web", "externalId": ext,
                                                                      "lines": [line(SKUS[k % len(SKUS)], 1)]}}))["orderPlace"]
                assert payload["userErrors"] == [] and payload["order"]["externalId"] == ext
                placed[ext] = payload["order"]

    await asyncio.gather(*(client(ci) for ci in range(clients)))
    return placed


async def metric(server, name: str) -> float:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.base_url}/metrics") as response:
            text = await response.text()
    return sum(float(row.split()[-1]) for row in text.splitlines() if row.startswith(name))


@two_workers
async def test_orders_placed_through_both_workers_are_numbered_once_and_counted_by_every_scrape(server, client):
    # given two workers, each answering some of the new connections
    assert len(worker_pids(server)) == 2
    assert {await healthz_worker(server) for _ in range(24)} == {("0", 200), ("1", 200)}
    await given_stock(client)

    # when 120 orders come in over 120 connections
    placed = await place_from_new_connections(server, "spread", 120)

    # then each is stored once, numbered in placement order without gaps, and stock agrees
    stored = {o["externalId"]: o for o in await all_orders(client) if o["externalId"].startswith("spread-")}
    assert {ext: (o["id"], o["number"]) for ext, o in stored.items()} == {ext: (o["id"], o["number"]) for ext, o in placed.items()}
    numbers = sorted(int(o["number"].split("-")[-1]) for o in placed.values())
    assert numbers == list(range(numbers[0], numbers[0] + 120))
    await assert_stock_invariants(client, [(s, "WA") for s in SKUS])
    # and /metrics, whichever worker answers it, counts every worker's requests and the writer's commits
    for _ in range(6):
        assert await metric(server, 'oms_graphql_requests_total{operation="orderPlace",outcome="ok"}') == 120
        assert await metric(server, "oms_writer_placed_orders_total") == 120


@two_workers
async def test_a_subscription_on_each_worker_sees_every_event_in_order(server, client):
    await given_stock(client)
    start = await last_cursor(client)
    async with new_session() as session:
        # given one subscriber on each worker
        by_worker: dict[int, tuple[WsClient, str]] = {}
        spare: list[WsClient] = []
        for _ in range(32):
            ws = await WsClient(session, server.url).connect(server.token)
            pid = worker_holding(server, ws.ws.get_extra_info("sockname")[1])
            if pid in by_worker or pid is None:
                spare.append(ws)
                continue
            by_worker[pid] = (ws, await ws.subscribe(SUB_EVENTS, {"channel": "web", "after": start}))
            if len(by_worker) == 2:
                break
        for ws in spare:
            await ws.close()
        assert set(by_worker) == worker_pids(server)

        # when orders are placed through both workers
        await place_from_new_connections(server, "live", 30, clients=3)

        # then both subscribers got exactly the log's events of the channel, in order
        expected = [e for e in await events(client, after=start) if e["data"].get("channel") == "web"]
        for ws, sub in by_worker.values():
            assert await collect_events(ws, sub, expected[-1]["cursor"]) == expected
            await ws.close()


@pytest.mark.slow
@two_workers
async def test_a_worker_killed_is_replaced_and_nothing_acknowledged_is_lost(server, client):
    await given_stock(client)
    victim = min(worker_pids(server))
    acked: dict[str, dict] = {}
    stop = asyncio.Event()
    failures = []

    async def producer(ci: int) -> None:
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as session:
            c = Client(server, session)
            k = 0
            while not stop.is_set():
                ext = f"kill-{ci}-{k}"
                k += 1
                try:
                    payload = (await c.data(ORDER_PLACE_SHORT, {"input": {"channel": "web", "externalId": ext,
                                                                          "lines": [line(SKUS[k % 4], 1)]}}))["orderPlace"]
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError) as exc:
                    failures.append(exc)  # the killed worker's callers: unacknowledged
                    continue
                assert payload["userErrors"] == [] and payload["order"]["externalId"] == ext
                acked[ext] = payload["order"]

    # given orders streaming in through both workers
    producers = [asyncio.create_task(producer(ci)) for ci in range(6)]
    await asyncio.sleep(1.0)
    # when one worker is killed
    os.kill(victim, signal.SIGKILL)
    acked_at_kill = len(acked)
    deadline = time.monotonic() + 20
    while not (len(worker_pids(server)) == 2 and victim not in worker_pids(server)):
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        await asyncio.sleep(0.1)
    while {await healthz_worker(server) for _ in range(16)} != {("0", 200), ("1", 200)}:  # 503 until it serves
        assert time.monotonic() < deadline, "the new worker does not serve"
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    stop.set()
    await asyncio.gather(*producers)

    # then orders kept being placed, and every acknowledged one is stored as it was answered
    assert len(acked) > acked_at_kill
    stored = {o["externalId"]: o for o in await all_orders(client)}
    for ext, order in acked.items():
        assert (stored[ext]["id"], stored[ext]["number"]) == (order["id"], order["number"])
    numbers = [o["number"] for o in stored.values()]
    assert len(numbers) == len(set(numbers))
    await assert_stock_invariants(client, [(s, "WA") for s in SKUS])
    assert "exited with -9" in server.output()


@pytest.mark.slow
@two_workers
async def test_kill_9_of_the_writer_takes_the_workers_down_and_a_restart_serves_everything(server, client):
    await given_stock(client)
    placed = await place_from_new_connections(server, "before", 20, clients=2)
    workers = worker_pids(server)

    # when the writer process is killed
    server.kill9()

    # then no worker is left to acknowledge anything
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "workers outlived the writer"
        await asyncio.sleep(0.05)
    # and a new start serves every acknowledged order
    await server.arestart()
    stored = {o["externalId"]: o for o in await all_orders(client)}
    assert all(stored[ext]["number"] == order["number"] for ext, order in placed.items())


@pytest.mark.slow
@two_workers
async def test_sigterm_stops_the_workers_then_the_writer(server, client):
    await given_stock(client)
    workers = worker_pids(server)
    server.terminate()
    assert server.wait() == 0
    assert not any(alive(pid) for pid in workers)
