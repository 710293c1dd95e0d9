"""kill -9 of `oms serve` while it migrates a data directory: what is on disk is the old format
whole or the new one whole, never a mix, and the next start finishes the migration with every
event kept."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from engine import Engine
from engine.domain.commands import (
    LineDraft, OrderDraft, PlaceOrders, ProductDraft, SetInventory, StockSetItem, UpsertChannel, UpsertLocation,
    UpsertProducts,
)
from engine.storage.audit import audit
from engine.storage.event_log import EventReader

from ..fixtures.format_1_layout import layout, write_format_1
from .conftest import PROJECT_ROOT, free_port

pytestmark = pytest.mark.slow

orders_n = 60_000  # ~180k events: a migration of a few hundred ms on these machines
kills_max = 6


def given_a_format_1_directory(path) -> list[dict]:
    locations, skus = ("east", "west", "store"), [f"S{i}" for i in range(200)]
    rng = random.Random(3)
    with Engine.open(path) as engine:
        for code in locations:
            engine.execute(UpsertLocation(code, code))
        engine.execute(UpsertChannel("web", "Web", "STOREFRONT"))
        engine.execute(UpsertProducts([ProductDraft(s, s, price="1.00") for s in skus]))
        engine.execute(SetInventory([StockSetItem(s, l, 10**7) for s in skus for l in locations]))
        placed = [engine.submit(PlaceOrders([OrderDraft("web", [LineDraft(s, 1) for s in rng.sample(skus, 2)])
                                             for _ in range(1000)])) for _ in range(orders_n // 1000)]
        assert not any(f.result().errors for f in placed)
    return write_format_1(path)


def serve_until(path, marks: tuple[str, ...], stop: signal.Signals, delay_s: float = 0.0) -> tuple[str, int]:
    """Starts `oms serve`; at the first line holding one of `marks`, waits `delay_s` and sends
    `stop`. Returns all it printed and its exit code."""
    env = {**os.environ, "OMS_ADMIN_TOKEN": "migration-crash", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--data-dir", str(path), "--host", "127.0.0.1",
                             "--port", str(free_port())], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    said = []
    try:
        for line in proc.stdout:
            said.append(line)
            if any(mark in line for mark in marks):
                time.sleep(delay_s)
                break
    finally:
        proc.send_signal(stop)
        said.extend(proc.stdout.read().splitlines(keepends=True))
        code = proc.wait(15)
    return "".join(said), code


def kill_while_migrating(path, delay_s: float) -> str:
    """kill -9 `delay_s` after the server says it is migrating (or at once if it serves)."""
    return serve_until(path, ("migrating", "serving"), signal.SIGKILL, delay_s)[0]


def test_kill_9_during_migration_leaves_one_format_whole_and_the_next_start_finishes(tmp_path):
    path = tmp_path / "data"
    before = given_a_format_1_directory(path)
    landed = 0
    rng = random.Random(11)
    for _ in range(kills_max):
        output = kill_while_migrating(path, rng.uniform(0.0, 0.15))
        recorded, kind = layout(path)
        assert (recorded, kind) in ((1, "records"), (2, "blocks"), (3, "blocks")), output
        if recorded == 3:
            break
        landed += "migrating" in output
    assert landed >= 1, "no kill landed while the migration ran"
    if recorded < 3:
        output, code = serve_until(path, ("serving",), signal.SIGTERM)
        assert code == 0 and "migrating" in output and "to data format 3 in" in output, output
    with Engine.open(path) as engine:
        with engine.store.read() as r:
            assert list(EventReader(r).since(1)) == before
        assert audit(engine.store) == []
        assert engine.read.order(orders_n)["number"] == f"SO-{orders_n:06d}"
    assert layout(path) == (3, "blocks")
