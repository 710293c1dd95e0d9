"""An `oms serve` process on a data directory (by default a temporary one) and a free
loopback port.

Output goes to a log file beside the data directory (never a pipe). Stopping is SIGTERM,
then SIGKILL after a timeout; `close()` also deletes the directory unless `keep` (a
directory the user named: a later run on it starts on the data it holds, `reused`).
On Linux the server gets SIGTERM if the harness dies (PR_SET_PDEATHSIG), so no server
outlives a killed run. That signal follows the THREAD that spawned it: call `start()` on
the main thread only.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from api.workers.lifeline import prctl, sigterm_on_parent_death

from .errors import BenchError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ready_timeout_s = 120.0
stop_timeout_s = 30.0
health_poll_s = 0.005
port_attempts_max = 3


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthz_ok(base_url: str, timeout_s: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=timeout_s) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


class ManagedServer:
    """One server process owned by the harness; start, stop and start again on the same data."""

    def __init__(self, token: str, root: Path | None = None, keep: bool = False, workers: int | None = None):
        self.token = token
        self.workers = workers
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="oms-bench-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.data_dir = self.root / "data"
        self.log_path = self.root / "server.log"
        self.keep = keep
        self.reused = (self.data_dir / "data.mdb").exists()
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.ready_s: list[float] = []  # every start's spawn -> /healthz, in order

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def start(self) -> float:
        """Starts the process and waits for /healthz; returns seconds from spawn to ready."""
        for _ in range(port_attempts_max):
            started = time.perf_counter()
            self._spawn()
            state = self._wait_ready()
            if state == "ready":
                self.ready_s.append(time.perf_counter() - started)
                return self.ready_s[-1]
            self.port = free_port()
        raise BenchError(f"the server could not bind a port:\n{self.log_tail()}")

    def _spawn(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "server already running"
        env = {**os.environ, "OMS_ADMIN_TOKEN": self.token, "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== bench start {time.strftime('%H:%M:%S')} port {self.port}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(self.data_dir),
                 "--host", "127.0.0.1", "--port", str(self.port),
                 *(["--workers", str(self.workers)] if self.workers else [])],
                cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches the harness only; it stops the server cleanly
                preexec_fn=sigterm_on_parent_death if prctl is not None else None,
            )

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if "address already in use" in self.log_tail().lower():
                    return "port-taken"
                raise BenchError(f"the server exited with {self.proc.returncode} before it was ready:\n{self.log_tail()}")
            if healthz_ok(self.base_url, timeout_s=0.5):
                return "ready"
            time.sleep(health_poll_s)
        self.stop()
        raise BenchError(f"the server was not ready after {ready_timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self) -> float | None:
        """SIGTERM, then SIGKILL if it has not exited in time; returns seconds to exit."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return None
        started = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(stop_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        return time.perf_counter() - started

    def data_bytes(self) -> int:
        """Bytes on disk (allocated blocks: LMDB's file may be sparse)."""
        return sum(p.stat().st_blocks * 512 for p in self.data_dir.rglob("*") if p.is_file())

    def rss_bytes(self) -> int | None:
        """The running process's resident set (Linux /proc), None when unknown."""
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except (AttributeError, OSError):
            return None
        found = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
        return int(found[0]) * 1024 if found else None

    def cpu_s(self) -> float | None:
        """CPU seconds (user + system) the running process has used: unlike wall time, hardly
        moved by other processes on a shared machine."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (AttributeError, OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def close(self) -> None:
        """Stops the process (if running) and deletes the directory (unless kept)."""
        try:
            self.stop()
        finally:
            if not self.keep:
                shutil.rmtree(self.root, ignore_errors=True)
