"""One API worker process: GraphQL over HTTP and websockets on the shared port (SO_REUSEPORT),
reads from its own LMDB environment, commands to the writer process over its Unix socket.

    python -m api.workers.worker --index I --socket PATH --data-dir DIR --host H --port P
Started by the writer process (api/workers/supervisor.py), not by hand. It exits when the
writer goes away (nothing could be acknowledged any more) and on SIGTERM, after draining."""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from pathlib import Path

import uvloop
from aiohttp import web

from ..process import app_runner, stop_on_signals
from .lifeline import die_with_parent

writer_wait_s = 600.0  # the writer may be migrating a large data directory first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="api.workers.worker")
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True, help="the writer process's pid")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s %(levelname)s %(name)s[worker {args.index}]: %(message)s")
    gc.disable()  # as in `oms serve`: importing the schema makes many long-lived objects
    from .. import app  # the schema and everything else, imported while the writer loads the engine
    del app
    gc.freeze()
    gc.enable()
    uvloop.install()
    return asyncio.run(serve(args))


async def serve(args: argparse.Namespace) -> int:
    from engine import RemoteEngine, WriterUnavailable

    from ..app import create_worker_app

    stop = stop_on_signals()
    connecting = asyncio.create_task(RemoteEngine.connect(args.data_dir, args.socket, writer_wait_s))
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait((connecting, stopped), return_when=asyncio.FIRST_COMPLETED)
    if not connecting.done():  # stopped while the writer was still loading
        connecting.cancel()
        return 0
    try:
        engine = connecting.result()
    except WriterUnavailable as exc:
        print(f"oms worker {args.index}: {exc}", file=sys.stderr, flush=True)
        return 1
    access_log = logging.getLogger("aiohttp.access") if args.access_log else None
    runner = app_runner(create_worker_app(engine, args.index), access_log)
    await runner.setup()
    try:
        await web.TCPSite(runner, args.host, args.port, reuse_port=True).start()
        engine.hello(args.index)
        lost = asyncio.create_task(engine.lost.wait())
        await asyncio.wait((lost, stopped), return_when=asyncio.FIRST_COMPLETED)
        if engine.lost.is_set() and not stop.is_set():
            print(f"oms worker {args.index}: the writer process went away; stopping", file=sys.stderr, flush=True)
            return 1
        return 0
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    sys.exit(main())
