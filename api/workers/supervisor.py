"""The writer process of `oms serve --workers N`: the engine (its writer thread), the
dispatchers, the command server the workers talk to, and the N API worker processes, started
and restarted here. SIGTERM or SIGINT drains the workers first, then the engine."""
from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

from ..listening import address, listen_failure
from ..process import background, shutdown_timeout_s, stop_on_signals

log = logging.getLogger("oms.workers")
restart_delay_s = 0.5
quick_death_s = 5.0          # a worker dying this soon after its start waits longer before the next
quick_restart_delay_s = 2.0
drain_timeout_s = shutdown_timeout_s + 10  # a worker's own drain, and its exit


class Workers:
    """The API worker processes: each restarted when it dies, until stopping."""

    def __init__(self, count: int, argv: list[str]):
        self.count = count
        self.argv = argv
        self.procs: dict[int, asyncio.subprocess.Process] = {}
        self.stopping = False
        self.watchers: set[asyncio.Task] = set()  # one per live worker process
        self.on_death: list = []

    async def start(self) -> None:
        for index in range(self.count):
            await self._spawn(index)

    async def _spawn(self, index: int) -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.workers.worker", "--index", str(index), *self.argv, stdin=asyncio.subprocess.DEVNULL)
        self.procs[index] = proc
        watcher = asyncio.create_task(self._watch(index, proc, time.monotonic()))
        self.watchers.add(watcher)
        watcher.add_done_callback(self.watchers.discard)

    async def _watch(self, index: int, proc: asyncio.subprocess.Process, started: float) -> None:
        code = await proc.wait()
        if self.stopping:
            return
        for callback in self.on_death:
            callback(proc.pid)
        lived_s = time.monotonic() - started
        log.error("worker %d (pid %d) exited with %s after %.1f s; starting another", index, proc.pid, code, lived_s)
        await asyncio.sleep(quick_restart_delay_s if lived_s < quick_death_s else restart_delay_s)
        if not self.stopping:
            await self._spawn(index)

    async def stop(self) -> None:
        """SIGTERM to every worker (each drains its requests), SIGKILL to any still there after drain_timeout_s."""
        self.stopping = True
        running = [p for p in self.procs.values() if p.returncode is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), drain_timeout_s)
        except asyncio.TimeoutError:
            for proc in running:
                if proc.returncode is None:
                    proc.kill()
            await asyncio.gather(*(p.wait() for p in running))
        watchers = list(self.watchers)
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)


def hold_port(host: str, port: int) -> socket.socket:
    """Binds (not listens) the port with SO_REUSEPORT: the workers' listening sockets join it,
    port 0 becomes one port for all of them, and a port in use is refused here, once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    holder = socket.socket(family, socket.SOCK_STREAM)
    holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        holder.bind((host, port))
    except OSError:
        holder.close()
        raise
    return holder


async def serve(data_dir: str, host: str, port: int, workers: int, runtime_dir: Path, access_log: bool,
                announce) -> int:
    from engine import CommandServer, Engine, FormatError

    try:
        holder = hold_port(host, port)
    except OSError as exc:
        print(f"oms serve: {listen_failure(host, port, exc)}", file=sys.stderr, flush=True)
        return 1
    port = holder.getsockname()[1]
    socket_path = runtime_dir / "writer.sock"
    argv = ["--socket", str(socket_path), "--data-dir", str(data_dir), "--host", host, "--port", str(port),
            "--parent", str(os.getpid())] + (["--access-log"] if access_log else [])
    pool = Workers(workers, argv)
    stop = stop_on_signals()
    try:
        await pool.start()  # they import while the engine loads; they wait for its socket
        try:
            engine = await asyncio.to_thread(Engine.open, data_dir, announce)
        except FormatError as exc:
            print(f"oms serve: {exc}", file=sys.stderr, flush=True)
            return 1
        try:
            ready = f"OMS serving GraphQL at http://{address(host, port)}/graphql (data in {data_dir}; {workers} workers)"
            server = CommandServer(engine, socket_path, workers, on_ready=lambda: announce(ready))
            await _serve_engine(engine, pool, server, stop, announce)
            return 0
        finally:
            engine.close()  # the writer finishes every submitted command, then LMDB closes cleanly
    finally:
        if not pool.stopping:
            await pool.stop()
        holder.close()


async def _serve_engine(engine, pool: Workers, server, stop: asyncio.Event, announce) -> None:
    """The writer's side until asked to stop: the workers are drained first, while it still answers them."""
    from ..auth import admin_token_digest
    from ..metrics import METRICS
    from ..notify.dispatcher import Dispatcher
    from ..notify.email import SmtpConfig

    await asyncio.to_thread(admin_token_digest, engine, announce)  # kept before any worker reads it
    await server.start()
    pool.on_death.append(lambda pid: _forget(engine, pid))
    dispatcher = Dispatcher(engine, SmtpConfig.from_env())
    loop = asyncio.get_running_loop()
    engine.listen(lambda events, changed: loop.call_soon_threadsafe(dispatcher.poke))
    METRICS.watch_writer(engine)
    try:
        async with background(dispatcher.run(), METRICS.track_cpu("writer")):
            await stop.wait()  # the server announces itself once every worker serves (on_ready)
            await pool.stop()
    finally:
        await dispatcher.close()
        await server.close()


def _forget(engine, pid: int) -> None:
    """A dead worker's LMDB reader slot and its live gauges are cleared."""
    engine.store.env.reader_check()
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(pid)


def remove_runtime_dir(runtime_dir: Path) -> None:
    shutil.rmtree(runtime_dir, ignore_errors=True)
