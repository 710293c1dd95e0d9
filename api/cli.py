"""The `oms` command line."""
from __future__ import annotations

import argparse
import gc
import logging
import sys

import uvloop
from aiohttp import web


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oms", description="Order management system")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--data-dir", default="./oms-data", help="LMDB data directory (default ./oms-data)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--access-log", action="store_true", help="log every request (costs throughput)")
    commands.add_parser("bench", help="load-test a server: oms bench SCENARIO --help", add_help=False)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bench"]:
        from bench.cli import main as bench
        return bench(argv[1:])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    gc.disable()  # start-up makes ~1M long-lived objects (schema, catalog): collecting meanwhile finds nothing
    from .app import create_app

    app = create_app(args.data_dir, announce=lambda text: print(text, flush=True))
    gc.enable()  # the engine froze all that existed when it loaded its state (engine/collector.py)
    print(f"OMS serving GraphQL at http://{args.host}:{args.port}/graphql (data in {args.data_dir})", flush=True)
    access_log = logging.getLogger("aiohttp.access") if args.access_log else None
    uvloop.install()  # a faster event loop: the GraphQL layer runs on it
    web.run_app(app, host=args.host, port=args.port, print=None, shutdown_timeout=30, access_log=access_log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
