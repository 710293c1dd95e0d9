"""`oms bench SCENARIO [options]`: load scenarios against an OMS server.

    python -m bench.cli place --duration 10 --concurrency 32
    python -m bench.cli mixed --url http://127.0.0.1:8080 --token "$OMS_ADMIN_TOKEN" --no-setup
    python -m bench.cli recovery --orders 1000000 --skus 100000 --data-dir /tmp/oms-1m   # again: re-times

Without --url it starts its own server on a temporary data directory and a free port, and
stops it and deletes the directory at the end (also on Ctrl-C). --data-dir DIR names the
directory instead: it is kept, and a later run on it reuses its data (no setup; recovery
skips its fill and only times the restarts). Progress goes to stderr, the result table
(and the server's /metrics view) to stdout, --json FILE writes the result.
Exit status: 0 when the scenario's check passed, 1 when it failed, 2 for a run that could
not be carried out (bad options, unreachable server, setup refused), 130 on Ctrl-C.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
from pathlib import Path

from api.help_format import DefaultsHelpFormatter

from .harness.context import BenchContext, Options
from .harness.data import build_dataset
from .harness.errors import BenchError
from .harness.report import fetch_metrics, print_server_metrics, print_table, server_cpu_us, write_json, writer_us_per_order
from .harness.scenarios import SCENARIOS
from .harness.seed import check_seeded, seed_server
from .harness.server import ManagedServer, healthz_ok

batch_orders_max = 1_000


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="oms bench", description="Load-test scenarios against an OMS server.",
                                formatter_class=DefaultsHelpFormatter)
    p.add_argument("scenario", choices=sorted(SCENARIOS), help="what to measure")
    p.add_argument("--url", help="a running server (http://host:port) (default: start one on a temporary directory)")
    p.add_argument("--token", help="its admin token (default: $OMS_ADMIN_TOKEN)")
    p.add_argument("--seed", type=int, default=1, help="makes the data and the operation mix reproducible")
    p.add_argument("--skus", type=int, default=1_000, help="skus in the dataset")
    p.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    p.add_argument("--duration", type=float, default=10.0, help="seconds of load")
    p.add_argument("--batch", type=int, default=100, help="orders per ordersPlace in place-batch")
    p.add_argument("--read-ratio", type=float, default=0.8, help="share of reads in mixed")
    p.add_argument("--subscribers", type=int, default=100, help="websocket subscribers in fanout")
    p.add_argument("--rate", type=float, default=20.0, help="orders per second the fanout writer places")
    p.add_argument("--orders", type=int, default=100_000, help="orders stored before the recovery restarts")
    p.add_argument("--restarts", type=int, default=3, help="timed restarts in recovery")
    p.add_argument("--json", dest="json_path", metavar="FILE", help="also write the result as JSON (default: no file)")
    p.add_argument("--no-setup", action="store_true",
                   help="skip loading the dataset: --url's server was seeded by an earlier run with the same --seed and --skus")
    p.add_argument("--workers", type=int, metavar="N",
                   help="the started server's API worker processes (default: oms serve's default, the machine's cores)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="the server's directory, kept afterwards; if it holds data already, that is used (no setup) "
                        "(default: a temporary directory, deleted at the end)")
    return p


def options_from(argv: list[str]) -> Options:
    p = parser()
    a = p.parse_args(argv)
    problems = []
    if a.skus < 1:
        problems.append("--skus must be at least 1")
    if min(a.concurrency, a.subscribers, a.orders, a.restarts) < 1:
        problems.append("--concurrency, --subscribers, --orders and --restarts must be at least 1")
    if a.duration <= 0 or a.rate <= 0:
        problems.append("--duration and --rate must be positive")
    if not 1 <= a.batch <= batch_orders_max:
        problems.append(f"--batch must be 1..{batch_orders_max}")
    if not 0.0 <= a.read_ratio <= 1.0:
        problems.append("--read-ratio must be 0..1")
    if a.no_setup and not a.url:
        problems.append("--no-setup needs --url (a server of its own starts empty)")
    if a.scenario == "recovery" and a.url:
        problems.append("recovery restarts the server it starts itself: leave out --url")
    if (a.data_dir or a.workers) and a.url:
        problems.append("--data-dir and --workers are for the server the harness starts: leave out --url")
    if a.workers is not None and a.workers < 1:
        problems.append("--workers must be at least 1")
    token = a.token or os.environ.get("OMS_ADMIN_TOKEN")
    if a.url and not token:
        problems.append("--url needs --token (or OMS_ADMIN_TOKEN)")
    if problems:
        p.error("; ".join(problems))
    return Options(a.scenario, a.url, token, a.seed, a.skus, a.concurrency, a.duration, a.batch, a.read_ratio,
                   a.subscribers, a.orders, a.rate, a.json_path, a.no_setup, a.data_dir, a.restarts, a.workers)


async def bench(ctx: BenchContext) -> int:
    options = ctx.options
    async with ctx.client() as client:
        if options.no_setup or (ctx.server is not None and ctx.server.reused):
            await check_seeded(client, ctx.dataset)
        else:
            sys.stderr.write(f"setup: {len(ctx.dataset.locations)} locations, {len(ctx.dataset.skus):,} skus "
                             f"(+{len(ctx.dataset.hot_skus)} hot), {len(ctx.dataset.channels)} channels, "
                             f"{len(ctx.dataset.stock):,} stock levels (seed {options.seed})\n")
            await seed_server(client, ctx.dataset)
    before, _ = await fetch_metrics(ctx.base_url, ctx.token)
    result = await SCENARIOS[options.scenario](ctx)
    after = ctx.metrics_at_load_end or (await fetch_metrics(ctx.base_url, ctx.token))[0]
    writer_us = writer_us_per_order(before, after)
    if writer_us is not None:
        result.extra["writer_us_per_order"] = writer_us  # the server's own cost, beside the client's figures
    result.extra.update(server_cpu_us(before, after))
    if options.json_path:
        write_json(result, options.json_path)
    print_table(result)
    await print_server_metrics(ctx.base_url, ctx.token)
    return 0 if result.check.passed else 1


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the run like Ctrl-C: everything is cleaned up


def main(argv: list[str] | None = None) -> int:
    options = options_from(sys.argv[1:] if argv is None else argv)
    dataset = build_dataset(options.seed, options.skus)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    server = None
    try:
        if options.url:
            ctx = BenchContext(options, dataset, options.token)
            if not healthz_ok(ctx.base_url, timeout_s=5):
                raise BenchError(f"{ctx.base_url}/healthz does not answer 200")
        else:
            root = Path(options.data_dir) if options.data_dir else None
            server = ManagedServer(secrets.token_urlsafe(24), root, keep=root is not None, workers=options.workers)
            reusing = " (reusing its data)" if server.reused else ""
            sys.stderr.write(f"starting a server on {server.root}{reusing} ...\n")
            server.start()
            ctx = BenchContext(options, dataset, server.token, server)
        return asyncio.run(bench(ctx))
    except BenchError as exc:
        print(f"oms bench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\noms bench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # stdout closed early (| head): not an error of the run
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        if server is not None:
            server.close()
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
