"""The `oms` command line."""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
import tempfile
from pathlib import Path

import uvloop
from aiohttp import web

from engine.domain import limits

from .help_format import DefaultsHelpFormatter
from .listening import address, listen_failure
from .process import app_runner, stop_on_signals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oms", description="Order management system", formatter_class=DefaultsHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API", description="Serve the GraphQL API.",
                                formatter_class=DefaultsHelpFormatter)
    serve.add_argument("--data-dir", metavar="DIR", default="./oms-data", help="LMDB data directory")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="TCP port to listen on")
    serve.add_argument("--access-log", action="store_true", help="log every request (costs throughput)")
    serve.add_argument("--workers", type=_workers, default=default_workers(), metavar="N",
                       help="API worker processes around the writer process; 1: everything in one process")
    commands.add_parser("bench", help="load-test a server: oms bench SCENARIO --help", add_help=False)
    rebuild = commands.add_parser("analytics-rebuild", help="count the analytics aggregates again from the stored orders",
                                  description="Count the analytics aggregates again from the stored orders (stop the server first).",
                                  formatter_class=DefaultsHelpFormatter)
    rebuild.add_argument("--data-dir", metavar="DIR", default="./oms-data", help="LMDB data directory")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        from bench.cli import main as bench
        return bench(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "analytics-rebuild":
        return _analytics_rebuild(args.data_dir)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.workers > 1:
        return _serve_workers(args)
    gc.disable()  # start-up makes ~1M long-lived objects (schema, catalog): collecting meanwhile finds nothing
    from engine import FormatError

    from .app import create_app

    try:
        app = create_app(args.data_dir, announce=lambda text: print(text, flush=True))
    except FormatError as exc:
        print(f"oms serve: {exc}", file=sys.stderr, flush=True)
        return 1
    gc.enable()  # the engine froze all that existed when it loaded its state (engine/writer/collector.py)
    access_log = logging.getLogger("aiohttp.access") if args.access_log else None
    uvloop.install()  # a faster event loop: the GraphQL layer runs on it
    return asyncio.run(run(app, args.host, args.port, args.data_dir, access_log))


def _analytics_rebuild(data_dir: str) -> int:
    """One write transaction: a kill leaves the aggregates as they were."""
    import time

    from engine import FormatError, rebuild_analytics

    started = time.perf_counter()
    try:
        orders = rebuild_analytics(data_dir)
    except FormatError as exc:
        print(f"oms analytics-rebuild: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"analytics of {orders} orders rebuilt in {time.perf_counter() - started:.1f} s ({data_dir})", flush=True)
    return 0


def default_workers() -> int:
    return len(os.sched_getaffinity(0))


def _workers(text: str) -> int:
    count = int(text)
    if not 1 <= count <= limits.workers_max:
        raise argparse.ArgumentTypeError(f"between 1 and {limits.workers_max}")
    return count


def _serve_workers(args: argparse.Namespace) -> int:
    """The writer process and N API workers. prometheus-client reads PROMETHEUS_MULTIPROC_DIR
    when it is imported, so it is set before anything imports it; the workers inherit it."""
    runtime_dir = Path(tempfile.mkdtemp(prefix="oms-"))  # 0700: the writer's socket and the metrics samples
    (runtime_dir / "metrics").mkdir()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(runtime_dir / "metrics")
    from .workers.supervisor import remove_runtime_dir, serve

    uvloop.install()
    try:
        return asyncio.run(serve(args.data_dir, args.host, args.port, args.workers, runtime_dir, args.access_log,
                                 announce=lambda text: print(text, flush=True)))
    finally:
        remove_runtime_dir(runtime_dir)


async def run(app: web.Application, host: str, port: int, data_dir: str, access_log: logging.Logger | None) -> int:
    """Serves until SIGINT or SIGTERM, then shuts down gracefully (the engine finishes what it
    was given and closes); returns the exit status. What aiohttp's run_app did, except that the
    announcement comes once the port is listening and a port that cannot be had is one line."""
    stop = stop_on_signals()
    runner = app_runner(app, access_log)
    await runner.setup()  # starts the engine's tasks (app.cleanup_ctx); runner.cleanup() closes it
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:
            print(f"oms serve: {listen_failure(host, port, exc)}", file=sys.stderr, flush=True)
            return 1
        port = runner.addresses[0][1]  # the port bound (--port 0: one the system chose)
        print(f"OMS serving GraphQL at http://{address(host, port)}/graphql (data in {data_dir})", flush=True)
        await stop.wait()
        return 0
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    sys.exit(main())
