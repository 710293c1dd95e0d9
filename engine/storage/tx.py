"""One batch's LMDB write transaction, with per-batch caches of decoded records.

Orders and shipments touched several times in a batch are decoded once and encoded once,
at flush, right after a last check of their invariants.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

import lmdb

from ..domain import analytics, orders as order_rules
from ..domain.stock import available
from .stock_rows import decode_row
from .store import Store, dumps, loads, scan, u32, u64


class WriteTx:
    def __init__(self, store: Store, txn: lmdb.Transaction, now: datetime):
        assert now.tzinfo is not None
        self.store = store
        self.txn = txn
        self.now = now  # the writer reads the clock once per batch; nothing below reads it
        self.now_iso = now.isoformat()
        self.now_s = int(now.timestamp())
        self.dirty_skus: set[int] = set()
        self.events: list[dict] = []
        self.changed_orders: set[int] = set()
        self.available_seen: dict[tuple[int, int], int] = {}
        self.reasons: dict[tuple, tuple] = {}  # allocation reasons without a distance, built once per batch
        self._orders: dict[int, dict] = {}
        self._stored_orders: dict[int, bytes] = {}  # as loaded, for what they added to the analytics before
        self._shipments: dict[int, dict] = {}

    def _db(self, name: str) -> Any:
        return self.store.db[name]

    def get(self, db: str, key: bytes) -> Any:
        return loads(self.txn.get(key, db=self._db(db)))

    def raw(self, db: str, key: bytes) -> bytes | None:
        return self.txn.get(key, db=self._db(db))

    def put(self, db: str, key: bytes, record: Any) -> None:
        self.txn.put(key, dumps(record), db=self._db(db))

    def put_raw(self, db: str, key: bytes, value: bytes) -> None:
        self.txn.put(key, value, db=self._db(db))

    def delete(self, db: str, key: bytes) -> None:
        self.txn.delete(key, db=self._db(db))

    def scan(self, db: str, prefix: bytes = b"", start: bytes | None = None, reverse: bool = False) -> Iterator[tuple[bytes, bytes]]:
        return scan(self.txn, self._db(db), prefix, start, reverse)

    def order(self, seq: int) -> dict | None:
        record = self._orders.get(seq)
        if record is None:
            raw = self.raw("orders", u64(seq))
            if raw is not None:
                record = self._orders[seq] = loads(raw)
                self._stored_orders[seq] = raw
        return record

    def save_order(self, record: dict) -> None:
        record["updatedAt"] = self.now_iso
        self.changed_orders.add(record["seq"])
        self._orders[record["seq"]] = record

    def shipment(self, seq: int) -> dict | None:
        record = self._shipments.get(seq)
        if record is None:
            record = self.get("shipments", u64(seq))
            if record is not None:
                self._shipments[seq] = record
        return record

    def save_shipment(self, record: dict) -> None:
        self._shipments[record["seq"]] = record

    def available_before(self, s: int, l: int) -> int:
        """Available at (s, l) before the current command: as the last command left it, or as stored."""
        seen = self.available_seen.get((s, l))
        if seen is not None:
            return seen
        raw = self.raw("stock", u32(s))
        if raw is None:
            return 0
        row = decode_row(raw)
        if l >= len(row["on_hand"]):
            return 0
        return available(int(row["on_hand"][l]), int(row["committed"][l]), int(row["safety"][l]))

    def flush_records(self, tally: analytics.Tally) -> None:
        """Writes the batch's orders and shipments; `tally` gets what each changed order adds to the
        analytics now, less what it added as it was stored."""
        for seq, record in self._orders.items():
            record["status"] = order_rules.status(record)
            stored = self._stored_orders.get(seq)
            analytics.stamp(record, self.now_iso, stored is None)
            check_order(record)
            raw = dumps(record)
            if raw != stored:
                if stored is not None:
                    tally.add(loads(stored), -1)
                tally.add(record)
                self.put_raw("orders", u64(seq), raw)
        for seq, record in self._shipments.items():
            self.put("shipments", u64(seq), record)


def check_order(order: dict) -> None:
    """Invariants of one order record, checked right before it is written (survives -O)."""
    for line in order["lines"]:
        if not 0 <= line["cancelled"] <= line["quantity"]:
            raise AssertionError(f"order {order['seq']}: cancelled outside 0..quantity")
        for part in line["parts"]:
            if order_rules.part_missing(line, part) < 0:
                raise AssertionError(f"order {order['seq']}: {part['sku']} allocated beyond the line quantity")
            for alloc in part["allocs"]:
                if not 0 <= alloc["shipped"] <= alloc["qty"] or alloc["qty"] <= 0:
                    raise AssertionError(f"order {order['seq']}: allocation quantities out of range")
