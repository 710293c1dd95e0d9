"""End-to-end fixtures: a real `oms serve` process on a free loopback port, and a small
GraphQL client over aiohttp.

Every process started here is registered and terminated at teardown (SIGTERM, then
SIGKILL after a timeout). Server output goes to a file in tmp_path, never to a pipe.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ready_timeout_s = 20.0
stop_timeout_s = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """One OMS server on one data dir; can be stopped, killed and started again."""

    def __init__(self, data_dir: Path, log_path: Path, token: str, registry: list[subprocess.Popen],
                 workers: int | None = None):
        self.workers = workers  # --workers; None: oms serve's default (the machine's cores)
        self.data_dir = data_dir
        self.log_path = log_path
        self.token = token
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self._registry = registry
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/graphql"

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-8000:]
        except FileNotFoundError:
            return ""

    def start(self) -> None:
        """Starts the server and waits until /healthz answers. A first start whose port was
        taken in the meantime by someone else tries another free port."""
        first_start = self.proc is None
        for _ in range(3):
            self._spawn()
            if self._wait() == "ready":
                return
            if not first_start:
                break
            self._close_log()
            self.port = free_port()
        pytest.fail(f"server could not bind 127.0.0.1:{self.port}:\n{self.output()}")

    def _spawn(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        env = {**os.environ, "OMS_ADMIN_TOKEN": self.token, "PYTHONUNBUFFERED": "1"}
        self._log = open(self.log_path, "ab")
        self._log.write(f"\n===== start {time.strftime('%H:%M:%S')} port {self.port}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(self.data_dir),
             "--host", "127.0.0.1", "--port", str(self.port), *(["--workers", str(self.workers)] if self.workers else [])],
            cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        self._registry.append(self.proc)

    def _wait(self, timeout: float = ready_timeout_s) -> str:
        """'ready', or 'port-taken' if it died because the port was in use; fails otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "address already in use" in self.output().lower():
                    return "port-taken"
                pytest.fail(f"server exited with {self.proc.returncode} before it was ready:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=1) as r:
                    if r.status == 200 and json.loads(r.read()) == {"status": "ok"} and self.proc.poll() is None:
                        return "ready"
            except (OSError, urllib.error.URLError, ValueError):
                pass
            time.sleep(0.05)
        pytest.fail(f"server not ready after {timeout} s:\n{self.output()}")

    def stop(self, timeout: float = stop_timeout_s) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited in time; returns the exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self._close_log()
        return proc.returncode

    def terminate(self) -> None:
        """SIGTERM without waiting."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = stop_timeout_s) -> int:
        assert self.proc is not None
        code = self.proc.wait(timeout)
        self._close_log()
        return code

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(5)
        self._close_log()

    def restart(self) -> None:
        """Stops (gracefully) if running, then serves the same data dir on the same port."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop()
        self.start()

    async def arestart(self) -> None:
        await asyncio.to_thread(self.restart)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _cleanup(registry: list[subprocess.Popen]) -> None:
    for proc in registry:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + stop_timeout_s
    for proc in registry:
        if proc.poll() is None:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def _make_server(base: Path, workers: int | None = None) -> tuple[ServerProcess, list[subprocess.Popen]]:
    registry: list[subprocess.Popen] = []
    server = ServerProcess(base / "data", base / "server.log", secrets.token_urlsafe(16), registry, workers)
    return server, registry


# @both_process_layouts: the test runs on one process (--workers 1) and on writer + 2 workers
both_process_layouts = pytest.mark.parametrize("server", [1, 2], indirect=True, ids=["one-process", "2-workers"])


@pytest.fixture
def server(tmp_path: Path, request):
    """A fresh server on an empty data dir, for one test; request.param (see both_process_layouts)
    is its --workers, by default oms serve's."""
    srv, registry = _make_server(tmp_path, getattr(request, "param", None))
    try:
        srv.start()
        yield srv
    finally:
        srv._close_log()
        _cleanup(registry)


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a whole module (tests there use their own skus and channels)."""
    srv, registry = _make_server(tmp_path_factory.mktemp("oms"))
    try:
        srv.start()
        yield srv
    finally:
        srv._close_log()
        _cleanup(registry)


class GraphQLError(AssertionError):
    pass


class Client:
    """A GraphQL client over one aiohttp session."""

    def __init__(self, server: ServerProcess, session: aiohttp.ClientSession):
        self.server = server
        self.session = session

    def _headers(self, token: str | None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    async def raw(self, query: str | None = None, variables: dict | None = None, *, body: bytes | None = None,
                  token: Any = ..., headers: dict | None = None, method: str = "POST") -> tuple[int, Any]:
        """(status, body): the body as JSON when it parses, else as text."""
        token = self.server.token if token is ... else token
        all_headers = {**self._headers(token), **(headers or {})}
        if body is None and method == "POST":
            body = json.dumps({"query": query, "variables": variables}).encode()
        async with self.session.request(method, self.server.url, data=body, headers=all_headers) as response:
            text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text

    async def gql(self, query: str, variables: dict | None = None) -> dict:
        """The JSON response; asserts HTTP 200."""
        status, body = await self.raw(query, variables)
        assert status == 200, f"HTTP {status}: {str(body)[:2000]}"
        assert isinstance(body, dict), body
        return body

    async def data(self, query: str, variables: dict | None = None) -> dict:
        """`data` of a response that must have no GraphQL errors."""
        body = await self.gql(query, variables)
        if body.get("errors"):
            raise GraphQLError(f"GraphQL errors: {body['errors']}")
        return body["data"]


def new_session(limit: int = 10) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=limit), timeout=aiohttp.ClientTimeout(total=60),
    )


@pytest.fixture
async def client(server: ServerProcess):
    async with new_session() as session:
        yield Client(server, session)


@pytest.fixture
async def shared_client(shared_server: ServerProcess):
    async with new_session() as session:
        yield Client(shared_server, session)
