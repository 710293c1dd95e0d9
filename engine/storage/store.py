"""The LMDB environment: named databases, key layouts and record codecs.

One environment per process (py-lmdb breaks its locks when opened twice). Records are
orjson; integer keys are big-endian so that LMDB's byte order is numeric order.
"""
from __future__ import annotations

import struct
import threading
from pathlib import Path
from typing import Any, Iterator

import lmdb
import orjson

map_size_initial_bytes = 1 << 30
DB_NAMES = (
    "meta", "locations", "products", "channels", "stock", "orders", "order_ext",
    "idx_channel", "idx_customer", "customers", "ledger", "allocs", "backorders", "shipments",
    "idx_ship_loc", "returns", "purchase_orders", "idx_po_sku",
    "events", "idx_event_order", "rules", "webhooks", "emails", "deliveries", "outbox",
    "forecast_adjustments", "reorder_rules",
    "an_sales", "an_totals", "an_fulfil", "an_stock",
)

U32 = struct.Struct(">I")
U64 = struct.Struct(">Q")
ALLOC_KEY = struct.Struct(">IIQHH")      # sku, location, order, line, part
BACKORDER_KEY = struct.Struct(">IQHH")   # sku, order, line, part
LEDGER_KEY = struct.Struct(">IQ")        # sku, ledger sequence
ADMIN_TOKEN_KEY = b"admin_token_sha256"  # in meta
OUTBOX_KEY = struct.Struct(">1sQQ")  # kind (E: email, W: webhook), due (ms since epoch), sequence
REORDER_RULE_KEY = struct.Struct(">II")  # sku, location


def dumps(record: Any) -> bytes:
    return orjson.dumps(record)


def loads(raw: bytes | memoryview | None) -> Any:
    return None if raw is None else orjson.loads(raw)


def u32(value: int) -> bytes:
    return U32.pack(value)


def u64(value: int) -> bytes:
    return U64.pack(value)


def text_key(*parts: str) -> bytes:
    return "\0".join(parts).encode()


def seq_key(prefix: str, seq: int) -> bytes:
    return prefix.encode() + b"\0" + U64.pack(seq)


class Store:
    """Owns the environment and its named databases."""

    def __init__(self, path: str | Path, readonly: bool = False):
        """readonly: a reader beside the writer's process (an API worker); the databases exist."""
        self.path = Path(path)
        if not readonly:
            self.path.mkdir(parents=True, exist_ok=True)
        # LMDB opens a map smaller than the stored data at exactly the data's size: the first
        # write after a restart would then hit MapFull, and the writer grows the map and reloads
        # its whole state. Room for as much again avoids that.
        stored = self.path / "data.mdb"
        map_size = max(map_size_initial_bytes, 2 * stored.stat().st_size if stored.exists() else 0)
        self.env = lmdb.open(
            str(self.path), map_size=map_size, max_dbs=len(DB_NAMES) + 4,
            max_readers=512, readahead=False, readonly=readonly,
        )
        self.db = {name: self.env.open_db(name.encode(), create=not readonly) for name in DB_NAMES}
        # Resizing the map needs no live transaction in this process: readers share it.
        self.resize_lock = threading.Lock()

    def read(self) -> "ReadTxn":
        return ReadTxn(self)

    def grow(self) -> None:
        with self.resize_lock:
            self.env.set_mapsize(self.env.info()["map_size"] * 2)

    def close(self) -> None:
        self.env.close()


class ReadTxn:
    """A short read transaction; use as a context manager, never keep it."""

    __slots__ = ("store", "txn")

    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> "ReadTxn":
        self.store.resize_lock.acquire()
        try:
            self.txn = self.store.env.begin(buffers=False)
        except lmdb.MapResizedError:  # another process (the writer) grew the map: adopt its size
            self.store.env.set_mapsize(0)
            self.txn = self.store.env.begin(buffers=False)
        except BaseException:
            self.store.resize_lock.release()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.txn.abort()
        self.store.resize_lock.release()

    def get(self, db: str, key: bytes) -> Any:
        return loads(self.txn.get(key, db=self.store.db[db]))

    def raw(self, db: str, key: bytes) -> bytes | None:
        return self.txn.get(key, db=self.store.db[db])

    def scan(self, db: str, prefix: bytes = b"", start: bytes | None = None, reverse: bool = False) -> Iterator[tuple[bytes, bytes]]:
        return scan(self.txn, self.store.db[db], prefix, start, reverse)


def scan(txn: lmdb.Transaction, db: Any, prefix: bytes = b"", start: bytes | None = None, reverse: bool = False) -> Iterator[tuple[bytes, bytes]]:
    """Keys with `prefix`, ascending from `start` (inclusive), or descending from its end."""
    with txn.cursor(db=db) as cursor:
        if reverse:
            yield from _scan_reverse(cursor, prefix, start)
            return
        if not cursor.set_range(start if start is not None else prefix):
            return
        for key, value in cursor:
            if not key.startswith(prefix):
                return
            yield key, value


def _scan_reverse(cursor: lmdb.Cursor, prefix: bytes, start: bytes | None) -> Iterator[tuple[bytes, bytes]]:
    """Descending from just below `start` (or the end of the prefix range)."""
    upper = start if start is not None else _prefix_end(prefix)
    if upper is None:
        positioned = cursor.last()
    elif cursor.set_range(upper):
        positioned = cursor.prev()
    else:
        positioned = cursor.last()
    while positioned:
        key = cursor.key()
        if not key.startswith(prefix):
            return
        yield key, cursor.value()
        positioned = cursor.prev()


def _prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with prefix (None: no bound)."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])
