"""Restart restores everything without replaying history; a failed commit changes nothing."""
import lmdb
import pytest

from engine import Engine
from engine.storage.audit import audit
from engine.domain.commands import AdjustInventory, CancelOrder
from engine.domain.errors import CommitFailed
from tests.integration.conftest import World


def test_restart_restores_stock_orders_numbering_idempotency_and_backorders(tmp_path):
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        world.location("east")
        world.products("A")
        world.channel()
        world.stock(A__east=1)
        placed = world.order(("A", 1), external_id="x-1")
        waiting = world.order(("A", 2), external_id="x-2")
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        assert world.level("A", "east")["committed"] == 1
        assert world.order(("A", 1), external_id="x-1")["seq"] == placed["seq"]
        assert world.order(("A", 1))["number"] == "SO-000003"
        world.ok(AdjustInventory([("A", "east", 2)], "RECEIVED"))
        assert world.allocations(waiting) == [("A", "east", 2)]
        assert audit(engine.store) == []


def test_a_failed_commit_answers_every_command_and_leaves_memory_equal_to_disk(tmp_path, monkeypatch):
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        world.location("east")
        world.products("A")
        world.channel()
        world.stock(A__east=5)
        order = world.order(("A", 2))

        def refuse(self):
            raise lmdb.DiskError("disk full (simulated)")
        monkeypatch.setattr("engine.writer.sequencer.Sequencer._write", lambda self, commands: refuse(self))
        with pytest.raises(CommitFailed):
            engine.execute(CancelOrder(order["seq"]))
        monkeypatch.undo()
        assert engine.sequencer.state.stock.committed[0, 0] == 2
        assert world.level("A", "east")["committed"] == 2
        assert world.ok(CancelOrder(order["seq"]))["status"] == "CANCELLED"
        assert audit(engine.store) == []


def test_the_map_grows_when_full(tmp_path, monkeypatch):
    monkeypatch.setattr("engine.storage.store.map_size_initial_bytes", 1 << 20)
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        world.location("east")
        for batch in range(4):
            world.products(*[f"SKU-{batch}-{i}-{'x' * 100}" for i in range(5000)])
        assert engine.store.env.info()["map_size"] > 1 << 20
        assert engine.read.product(f"SKU-3-4999-{'x' * 100}") is not None
