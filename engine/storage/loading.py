"""The writer's state built from LMDB at start (no history replay), and rebuilt the same way
whenever a commit fails, so that memory always equals disk."""
from __future__ import annotations

import operator

import orjson

from ..domain.automation import compile_rule
from ..domain.state import EngineState
from .aggregates import StockDays
from .stock_rows import load_rows
from .store import BACKORDER_KEY, ReadTxn, Store


def load_state(store: Store) -> EngineState:
    """Whole tables at a time (C-level cursor iteration, one orjson call per table, stock
    rows in numpy blocks), best run with the cyclic GC paused (writer/collector.py): at 100k skus the 200k+ new
    containers set off collections that each traverse the whole heap."""
    state = EngineState()
    with store.read() as r:
        state.counters.update(r.get("meta", b"counters") or {})
        for record in sorted(_records(r, "locations"), key=_by_idx):
            state.catalog.add_location(record)
        for record in sorted(_records(r, "products"), key=_by_idx):
            state.catalog.add_product(record)
        for record in _records(r, "channels"):
            state.catalog.add_channel(record)
        state.stock.ensure(len(state.catalog.sku_by_idx), len(state.catalog.location_codes))
        load_rows(state.stock, _items(r, "stock"))
        state.stock_days = StockDays(state.stock.updated_s, len(state.catalog.sku_by_idx))
        for key in _keys(r, "backorders"):
            sku, order, _, _ = BACKORDER_KEY.unpack(key)
            state.queue_backorder(sku, order)
        for record in _records(r, "rules"):
            state.rules[record["seq"]] = compile_rule(record)
        for record in _records(r, "webhooks"):
            state.webhooks[record["seq"]] = record
        state.defaults_installed = bool(r.get("meta", b"defaults_installed"))
    return state


_by_idx = operator.itemgetter("idx")


def _records(r: ReadTxn, db: str) -> list:
    """Every record of a table, decoded as one JSON array."""
    return orjson.loads(b"[" + b",".join(_values(r, db)) + b"]")


def _keys(r: ReadTxn, db: str) -> list[bytes]:
    with r.txn.cursor(db=r.store.db[db]) as cursor:
        return list(cursor.iternext(keys=True, values=False))


def _items(r: ReadTxn, db: str) -> list[tuple[bytes, bytes]]:
    with r.txn.cursor(db=r.store.db[db]) as cursor:
        return list(cursor)


def _values(r: ReadTxn, db: str) -> list[bytes]:
    with r.txn.cursor(db=r.store.db[db]) as cursor:
        return list(cursor.iternext(keys=False, values=True))
