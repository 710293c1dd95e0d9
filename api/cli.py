"""The `oms` command line."""
from __future__ import annotations

import argparse
import logging
import sys

from aiohttp import web


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="oms", description="Order management system")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the GraphQL API")
    serve.add_argument("--data-dir", default="./oms-data", help="LMDB data directory (default ./oms-data)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from .app import create_app

    app = create_app(args.data_dir, announce=lambda text: print(text, flush=True))
    print(f"OMS serving GraphQL at http://{args.host}:{args.port}/graphql (data in {args.data_dir})", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, shutdown_timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
