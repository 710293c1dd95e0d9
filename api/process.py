"""What every process of `oms serve` does alike (the one process, the writer process, each
API worker): stop on SIGINT or SIGTERM, run background tasks for as long as it serves, and
serve its aiohttp application with the same timeouts."""
from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import asynccontextmanager
from typing import AsyncIterator, Coroutine

from aiohttp import web

shutdown_timeout_s = 30.0   # requests in flight at SIGTERM get this long to finish
keepalive_timeout_s = 75.0


def stop_on_signals() -> asyncio.Event:
    """Set by SIGINT or SIGTERM from now on (one during start-up stops the process once it is up)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


@asynccontextmanager
async def background(*coroutines: Coroutine) -> AsyncIterator[None]:
    """Runs the coroutines as tasks inside the block; cancels them and waits for them at its end."""
    tasks = [asyncio.create_task(c) for c in coroutines]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def app_runner(app: web.Application, access_log: logging.Logger | None) -> web.AppRunner:
    return web.AppRunner(app, access_log=access_log, shutdown_timeout=shutdown_timeout_s, keepalive_timeout=keepalive_timeout_s)
