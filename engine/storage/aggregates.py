"""Analytics aggregates as stored: keys, codecs, a batch's tally written into its transaction,
the daily stock snapshots, and the rebuild from the stored orders.

- an_sales: (sku block, day) + channel -> int64 rows [sku index, SALES...] sorted by sku, one
  row per sku of the block sold that day (a block is sales_block_skus consecutive skus: a read
  of a window takes a few records per day, a write rewrites a few per batch);
- an_totals: day + channel -> int64 SALES summed over skus;
- an_fulfil: day + channel -> int64 FULFILMENT and the hours-to-ship bins;
- an_stock: (sku, day) -> int64 [onHand | committed | safety] over locations at the end of a
  day the sku's row changed, written at the first change of a later day (the row of the day
  it last changed is the stock row itself, so a day costs one write per sku, not one per batch).
"""
from __future__ import annotations

import struct
from typing import Iterable

import numpy as np

from ..domain.analytics import FULFILMENT_WIDTH, SALES, Tally
from .stock_rows import FIELDS
from .store import Store, U32, scan

sales_block_skus = 1024
SALES_KEY = struct.Struct(">II")  # sku block, day; the channel code follows
DAY_KEY = struct.Struct(">I")     # day; the channel code follows
STOCK_DAY_KEY = struct.Struct(">II")  # sku, day
SALES_WIDTH = 1 + len(SALES)
DBS = ("an_sales", "an_totals", "an_fulfil", "an_stock")
seconds_per_day = 86_400


def sales_key(block: int, day: int, channel: str) -> bytes:
    return SALES_KEY.pack(block, day) + channel.encode()


def day_key(day: int, channel: str) -> bytes:
    return DAY_KEY.pack(day) + channel.encode()


def decode_sales(raw: bytes | None) -> np.ndarray:
    if raw is None:
        return np.zeros((0, SALES_WIDTH), dtype=np.int64)
    return np.frombuffer(raw, dtype=np.int64).reshape(-1, SALES_WIDTH)


def write_tally(tx, tally: Tally) -> None:
    """Adds a batch's tally to the stored aggregates (the batch's transaction `tx`)."""
    blocks: dict[bytes, list[tuple[int, list[int]]]] = {}
    for (day, channel, s), entry in tally.sales.items():
        blocks.setdefault(sales_key(s // sales_block_skus, day, channel), []).append((s, entry))
    for key, rows in blocks.items():
        merged = merge_sales(decode_sales(tx.raw("an_sales", key)), rows)
        _put_or_delete(tx, "an_sales", key, merged)
    for db, counters, width in (("an_totals", tally.totals, len(SALES)), ("an_fulfil", tally.fulfilment, FULFILMENT_WIDTH)):
        for (day, channel), values in counters.items():
            key = day_key(day, channel)
            raw = tx.raw(db, key)
            row = np.asarray(values, dtype=np.int64)
            if raw is not None:
                row += np.frombuffer(raw, dtype=np.int64)
            _put_or_delete(tx, db, key, row if row.any() else row[:0])


def merge_sales(stored: np.ndarray, rows: list[tuple[int, list[int]]]) -> np.ndarray:
    """Stored rows plus a batch's (sku, SALES) entries, one row per sku, rows of zeros dropped."""
    added = np.array([(s, *entry) for s, entry in rows], dtype=np.int64).reshape(-1, SALES_WIDTH)
    both = np.concatenate([stored, added]) if len(stored) else added
    both = both[np.argsort(both[:, 0], kind="stable")]
    skus, first = np.unique(both[:, 0], return_index=True)
    sums = np.add.reduceat(both[:, 1:], first, axis=0)
    merged = np.column_stack([skus, sums])
    return merged[sums.any(axis=1)]


def _put_or_delete(tx, db: str, key: bytes, values: np.ndarray) -> None:
    if len(values):
        tx.put_raw(db, key, values.tobytes())
    elif tx.raw(db, key) is not None:
        tx.delete(db, key)


class StockDays:
    """Per sku, the last day its stock row was written (-1: never): a row written first on a new
    day is snapshotted as it stood, once per day."""

    def __init__(self, updated_s: np.ndarray, n_sku: int):
        self.days = np.full(max(n_sku, 1), -1, dtype=np.int64)
        if n_sku and updated_s.size:
            last = updated_s[:n_sku].max(axis=1).astype(np.int64)
            self.days[:n_sku] = np.where(last > 0, last // seconds_per_day, -1)

    def snapshot(self, tx, skus: list[int], now_s: int) -> None:
        """Before the batch's rows replace them: the stored rows of skus not yet written today."""
        if skus[-1] >= len(self.days):
            grown = np.full(max(skus[-1] + 1, 2 * len(self.days)), -1, dtype=np.int64)
            grown[: len(self.days)] = self.days
            self.days = grown
        today = now_s // seconds_per_day
        index = np.asarray(skus, dtype=np.int64)
        for s in index[self.days[index] < today].tolist():
            raw = tx.raw("stock", U32.pack(s))
            if raw is not None:
                day, levels = snapshot_of(raw)
                if day < today:
                    tx.put_raw("an_stock", STOCK_DAY_KEY.pack(s, day), levels)
        self.days[index] = today


def snapshot_of(raw: bytes) -> tuple[int, bytes]:
    """A stored stock row's last day of change and its [onHand | committed | safety] words."""
    values = np.frombuffer(raw, dtype=np.int64)
    n = len(values) // (len(FIELDS) + 1)
    updated = values[len(FIELDS) * n :]
    return int(updated.max()) // seconds_per_day if n else -1, values[: 3 * n].tobytes()


def decode_levels(raw: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values = np.frombuffer(raw, dtype=np.int64)
    n = len(values) // 3
    return values[:n], values[n : 2 * n], values[2 * n :]


def rebuild_tally(orders: Iterable[dict], sku_index: dict[str, int]) -> Tally:
    tally = Tally(sku_index.__getitem__)
    for order in orders:
        tally.add(order)
    return tally


def stored_orders(txn, store: Store) -> Iterable[dict]:
    import orjson
    for _, raw in scan(txn, store.db["orders"]):
        yield orjson.loads(raw)


def sku_index_of(txn, store: Store) -> dict[str, int]:
    import orjson
    return {orjson.loads(raw)["sku"]: orjson.loads(raw)["idx"] for _, raw in scan(txn, store.db["products"])}


def rebuild(store: Store, txn) -> None:
    """Replaces the order aggregates (not the stock snapshots) by a count of the stored orders, in `txn`."""
    for db in ("an_sales", "an_totals", "an_fulfil"):
        txn.drop(store.db[db], delete=False)
    tally = rebuild_tally(stored_orders(txn, store), sku_index_of(txn, store))
    write_tally(_RawTx(store, txn), tally)


class _RawTx:
    """The two calls write_tally makes, over a bare LMDB transaction (migration, rebuild)."""

    def __init__(self, store: Store, txn):
        self.store, self.txn = store, txn

    def raw(self, db: str, key: bytes) -> bytes | None:
        return self.txn.get(key, db=self.store.db[db])

    def put_raw(self, db: str, key: bytes, value: bytes) -> None:
        self.txn.put(key, value, db=self.store.db[db])

    def delete(self, db: str, key: bytes) -> None:
        self.txn.delete(key, db=self.store.db[db])


def differences(store: Store) -> list[str]:
    """Where the stored order aggregates differ from a count of the stored orders (the audit's check)."""
    with store.read() as r:
        tally = rebuild_tally(stored_orders(r.txn, store), sku_index_of(r.txn, store))
        expected = {db: {} for db in ("an_sales", "an_totals", "an_fulfil")}
        scratch = _Collect(expected)
        write_tally(scratch, tally)
        problems = []
        for db, want in expected.items():
            found = {bytes(k): bytes(v) for k, v in r.scan(db)}
            for key in sorted(set(want) | set(found)):
                if want.get(key) != found.get(key):
                    problems.append(f"{db} {key.hex()}: stored {_show(found.get(key))}, orders give {_show(want.get(key))}")
        return problems


def _show(raw: bytes | None) -> str:
    return "nothing" if raw is None else str(np.frombuffer(raw, dtype=np.int64).tolist()[:16])


class _Collect:
    """write_tally into dictionaries (what a rebuild would store)."""

    def __init__(self, dbs: dict[str, dict]):
        self.dbs = dbs

    def raw(self, db: str, key: bytes) -> bytes | None:
        return self.dbs[db].get(key)

    def put_raw(self, db: str, key: bytes, value: bytes) -> None:
        self.dbs[db][key] = value

    def delete(self, db: str, key: bytes) -> None:
        self.dbs[db].pop(key, None)
