"""The store records its format version: a new store the current one, a store of release 0.1.0
format 1 (migrated on open); an older format is migrated step by step, each step with its new version in one
transaction (a step that fails leaves the old format whole, and the next open runs it again);
a newer format is refused and left untouched."""
import shutil
from pathlib import Path

import pytest

from engine import Engine, FormatError
from engine.storage import migration, store as store_module
from engine.domain.commands import AdjustInventory
from engine.storage.migration import FORMAT, FORMAT_KEY
from engine.storage.store import Store, dumps

RELEASE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "release_0_1_0" / "data"


def recorded(path: Path):
    store = Store(path)
    try:
        with store.read() as r:
            return r.get("meta", FORMAT_KEY)
    finally:
        store.close()


def test_a_new_store_records_the_current_format(tmp_path):
    with Engine.open(tmp_path / "data"):
        pass
    assert recorded(tmp_path / "data") == FORMAT


def test_a_store_of_release_0_1_0_is_format_1_and_is_migrated_on_open(tmp_path):
    shutil.copytree(RELEASE_DATA, tmp_path / "data")
    said = []
    with Engine.open(tmp_path / "data", said.append) as engine:
        assert engine.read.order(1)["number"] == "SO-000001"
    assert said[0] == f"migrating {tmp_path / 'data'} from data format 1 to 2 ..."
    assert said[2] == f"migrating {tmp_path / 'data'} from data format 2 to 3 ..."
    assert recorded(tmp_path / "data") == 3 == FORMAT


def given_a_store_of_format(path: Path, version: int) -> None:
    with Engine.open(path) as engine:
        engine.execute(AdjustInventory([], "RECEIVED"))
    store = Store(path)
    with store.env.begin(write=True) as txn:
        txn.put(FORMAT_KEY, dumps(version), db=store.db["meta"])
    store.close()


def test_a_newer_format_is_refused_and_left_as_it_was(tmp_path):
    given_a_store_of_format(tmp_path / "data", FORMAT + 1)
    before = (tmp_path / "data" / "data.mdb").read_bytes()
    with pytest.raises(FormatError, match=f"data format {FORMAT + 1}, newer than this release reads \\({FORMAT}\\)"):
        Engine.open(tmp_path / "data")
    assert (tmp_path / "data" / "data.mdb").read_bytes() == before


@pytest.fixture
def next_format(monkeypatch):
    """A release one format ahead, whose migration from today's format writes `steps` records
    under meta b"migrated-<i>" and fails on its first run when `fail_once` is set."""
    plan = {"fail_once": False, "runs": 0, "records": 3, "record_bytes": 10}

    def step(store, txn):
        plan["runs"] += 1
        for i in range(plan["records"]):
            txn.put(f"migrated-{i}".encode(), b"x" * plan["record_bytes"], db=store.db["meta"])
            if plan["fail_once"] and plan["runs"] == 1 and i == 1:
                raise RuntimeError("killed mid-migration")

    monkeypatch.setattr(migration, "FORMAT", FORMAT + 1)
    monkeypatch.setattr(migration, "MIGRATIONS", {FORMAT: step})
    return plan


def test_an_older_format_is_migrated_once_and_announced(tmp_path, next_format):
    given_a_store_of_format(tmp_path / "data", FORMAT)
    said = []
    with Engine.open(tmp_path / "data", said.append):
        pass
    assert said[0] == f"migrating {tmp_path / 'data'} from data format {FORMAT} to {FORMAT + 1} ..."
    assert said[1].startswith(f"migrated {tmp_path / 'data'} to data format {FORMAT + 1} in ") and len(said) == 2
    assert recorded(tmp_path / "data") == FORMAT + 1 and next_format["runs"] == 1
    with Engine.open(tmp_path / "data", said.append):
        pass
    assert len(said) == 2 and next_format["runs"] == 1


def test_a_migration_that_fails_leaves_the_old_format_whole_and_the_next_open_finishes_it(tmp_path, next_format):
    given_a_store_of_format(tmp_path / "data", FORMAT)
    next_format["fail_once"] = True
    with pytest.raises(RuntimeError, match="killed mid-migration"):
        Engine.open(tmp_path / "data")
    store = Store(tmp_path / "data")
    with store.read() as r:
        assert r.get("meta", FORMAT_KEY) == FORMAT and r.raw("meta", b"migrated-0") is None
    store.close()
    with Engine.open(tmp_path / "data"):
        pass
    assert recorded(tmp_path / "data") == FORMAT + 1 and next_format["runs"] == 2


def test_a_migration_larger_than_the_map_grows_it_and_runs_again(tmp_path, next_format, monkeypatch):
    given_a_store_of_format(tmp_path / "data", FORMAT)
    monkeypatch.setattr(store_module, "map_size_initial_bytes", 1 << 20)
    next_format.update(records=64, record_bytes=64 << 10)  # 4 MiB
    with Engine.open(tmp_path / "data") as engine:
        with engine.store.read() as r:
            assert len(r.raw("meta", b"migrated-63")) == 64 << 10
    assert recorded(tmp_path / "data") == FORMAT + 1 and next_format["runs"] > 1

