"""The writer's in-memory state: catalog, stock arrays, counters, backorder queue
(built from LMDB by storage/loading.py)."""
from __future__ import annotations

import bisect
from collections import defaultdict

import numpy as np

from ..kernel.allocation import LocationTable, location_table
from .automation import CompiledAutomation
from .catalog import Catalog
from .routing import Router
from .stock import StockTable

COUNTERS = ("order", "shipment", "ledger", "return", "po", "event", "rule", "webhook", "email", "delivery", "adjustment")


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
        self.stock_days = None  # the last day each sku's stock row was written (storage/aggregates.py), set at load
        self._locations: tuple[int, int, LocationTable] | None = None

    def next(self, counter: str) -> int:
        self.counters[counter] += 1
        return self.counters[counter]

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
