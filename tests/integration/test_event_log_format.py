"""Format 2 stores a commit's events in blocks; cursors still name each event, and a format-1
store (one record per event) is migrated to blocks with every event and index entry kept."""
import shutil
from pathlib import Path

import pytest

from engine import Engine
from engine.domain.commands import LineDraft, OrderDraft, PlaceOrders
from engine.storage.audit import audit
from engine.storage.event_log import EventReader, block_events_max
from engine.storage.migration import FORMAT

from ..fixtures.format_1_layout import layout, write_format_1
from .conftest import World

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def stored_events(engine) -> list[dict]:
    with engine.store.read() as r:
        return list(EventReader(r).since(1))


def place(engine, orders: int, prefix: str = "E"):
    drafts = [OrderDraft("web", [LineDraft("A", 1)], external_id=f"{prefix}{i}") for i in range(orders)]
    result = engine.execute(PlaceOrders(drafts))
    assert not result.errors
    return result


def test_a_large_commit_is_stored_in_blocks_and_every_cursor_still_names_one_event(world):
    world.location("east")
    world.products("A")
    world.channel("web")
    world.stock(A__east=10_000)
    place(world.engine, 100)  # one commit of several events per order
    events = stored_events(world.engine)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    with world.engine.store.read() as r:
        records = sum(1 for _ in r.scan("events"))
    assert len(events) > 3 * block_events_max and records < len(events) / 8
    read = world.engine.read
    for seq in (1, block_events_max, block_events_max + 1, len(events)):
        assert read.event(seq) == events[seq - 1]
    assert read.event(len(events) + 1) is None and read.event(0) is None
    page, more = read.events(after=block_events_max - 2, first=5)
    assert [e["seq"] for e in page] == list(range(block_events_max - 1, block_events_max + 4)) and more
    order = events[-1]["order"] or next(e["order"] for e in reversed(events) if e["order"])
    mine, _ = read.events(after=None, first=100, order=order)
    assert mine == [e for e in events if e["order"] == order] and mine


@pytest.mark.parametrize("release", ["release_0_1_0", "format_1_last"])
def test_a_format_1_store_written_by_a_release_is_migrated_keeping_every_event(tmp_path, release):
    shutil.copytree(FIXTURES / release / "data", tmp_path / "data")
    assert layout(tmp_path / "data")[1] == "records"
    with Engine.open(tmp_path / "data") as engine:
        events = stored_events(engine)
        assert audit(engine.store) == []
        by_order = {}
        for event in events:
            by_order.setdefault(event["order"], []).append(event)
        for order, expected in by_order.items():
            if order is not None:
                assert engine.read.events(after=None, first=1000, order=order)[0] == expected
    assert layout(tmp_path / "data") == (FORMAT, "blocks")
    assert events and [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_migration_keeps_every_event_and_order_index_of_a_larger_log(tmp_path):
    path = tmp_path / "data"
    with Engine.open(path) as engine:
        world = World(engine)
        world.location("east")
        world.products("A")
        world.channel("web")
        world.stock(A__east=10_000)
        for run in range(3):
            place(engine, 150, prefix=f"R{run}-")
    before = write_format_1(path)
    with Engine.open(path) as engine:
        assert stored_events(engine) == before
        some_order = before[len(before) // 2]["order"]
        assert engine.read.events(None, 1000, order=some_order)[0] == [e for e in before if e["order"] == some_order]
        assert audit(engine.store) == []
        place(engine, 1, prefix="NEW")
        assert engine.read.events(after=len(before), first=10)[0][0]["seq"] == len(before) + 1
    assert layout(path) == (FORMAT, "blocks")
