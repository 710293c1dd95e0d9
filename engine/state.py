"""The writer's in-memory state: catalog, stock arrays, counters, backorder queue.

Built from LMDB at start (no history replay) and rebuilt the same way whenever a commit
fails, so that memory always equals disk.
"""
from __future__ import annotations

import bisect
import operator
from collections import defaultdict

import numpy as np
import orjson

from .allocation import LocationTable, location_table
from .automation import CompiledAutomation, compile_rule
from .events import flush_events
from .catalog import Catalog
from .collector import collector_paused
from .routing import Router
from .stock import StockTable
from .store import BACKORDER_KEY, U32, ReadTxn, Store

COUNTERS = ("order", "shipment", "ledger", "return", "po", "event", "rule", "webhook", "email", "delivery")


class EngineState:
    def __init__(self) -> None:
        self.catalog = Catalog()
        self.stock = StockTable()
        self.router = Router(self.catalog)
        self.counters = {name: 0 for name in COUNTERS}
        self.backorders: dict[int, list[int]] = defaultdict(list)  # sku index -> order seqs, ascending
        self.rules: dict[int, "CompiledAutomation"] = {}
        self.rules_by_event: dict[str, list] | None = None  # rules_for's cache; None after any change
        self.webhooks: dict[int, dict] = {}
        self.defaults_installed = False
        self._locations: tuple[int, int, LocationTable] | None = None

    @classmethod
    def load(cls, store: Store) -> "EngineState":
        """Whole tables at a time (C-level cursor iteration, one orjson call per table, stock
        rows in numpy blocks), with the cyclic GC paused: at 100k skus the 200k+ new
        containers set off collections that each traverse the whole heap."""
        state = cls()
        with collector_paused(), store.read() as r:
            state.counters.update(r.get("meta", b"counters") or {})
            for record in sorted(_records(r, "locations"), key=_by_idx):
                state.catalog.add_location(record)
            for record in sorted(_records(r, "products"), key=_by_idx):
                state.catalog.add_product(record)
            for record in _records(r, "channels"):
                state.catalog.add_channel(record)
            state.stock.ensure(len(state.catalog.sku_by_idx), len(state.catalog.location_codes))
            state.stock.load_rows(_items(r, "stock"))
            for key in _keys(r, "backorders"):
                sku, order, _, _ = BACKORDER_KEY.unpack(key)
                state.queue_backorder(sku, order)
            for record in _records(r, "rules"):
                state.rules[record["seq"]] = compile_rule(record)
            for record in _records(r, "webhooks"):
                state.webhooks[record["seq"]] = record
            state.defaults_installed = bool(r.get("meta", b"defaults_installed"))
        return state

    def next(self, counter: str) -> int:
        self.counters[counter] += 1
        return self.counters[counter]

    def flush(self, tx) -> None:
        flush_events(tx)
        tx.flush_records()
        skus = sorted(tx.dirty_skus)
        if skus:
            self.check_stock_rows(skus)
            for s, row in zip(skus, self.stock.rows_bytes(skus)):
                tx.put_raw("stock", U32.pack(s), row)
        tx.put("meta", b"counters", self.counters)

    def check_stock_rows(self, skus: list[int]) -> None:
        """The stock invariants of these skus, right before their rows are written (survives -O)."""
        n = self.stock.n_loc
        index = np.asarray(skus, dtype=np.int64)
        on_hand, committed = self.stock.on_hand[index, :n], self.stock.committed[index, :n]
        broken = (on_hand < 0) | (committed < 0) | (committed > on_hand)
        negative_due = [s for s in skus if any(units < 0 for units in self.stock.incoming.get(s, {}).values())]
        if broken.any() or negative_due:
            s = skus[int(np.flatnonzero(broken.any(axis=1))[0])] if broken.any() else negative_due[0]
            raise AssertionError(f"stock invariant broken for sku {self.catalog.sku_by_idx[s]}")

    def locations(self) -> LocationTable:
        stamp = (self.catalog.version, self.stock.shape[1])
        if self._locations is None or self._locations[:2] != stamp:
            self._locations = (*stamp, location_table(self.catalog.locations, stamp[1]))
        return self._locations[2]

    def queue_backorder(self, sku: int, order: int) -> None:
        queue = self.backorders[sku]
        i = bisect.bisect_left(queue, order)
        if i == len(queue) or queue[i] != order:
            queue.insert(i, order)

    def is_queued(self, sku: int, order: int) -> bool:
        queue = self.backorders.get(sku)
        if not queue:
            return False
        i = bisect.bisect_left(queue, order)
        return i < len(queue) and queue[i] == order

    def unqueue_backorder(self, sku: int, order: int) -> None:
        queue = self.backorders.get(sku)
        if queue:
            i = bisect.bisect_left(queue, order)
            if i < len(queue) and queue[i] == order:
                queue.pop(i)
            if not queue:
                del self.backorders[sku]


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
