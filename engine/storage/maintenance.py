"""Operator tasks on a data directory whose server is stopped."""
from __future__ import annotations

from pathlib import Path

import lmdb

from . import aggregates
from .migration import ensure_format
from .store import Store


def rebuild_analytics(path: str | Path) -> int:
    """Counts the analytics aggregates again from the stored orders, in one write transaction
    (grown and run again on a full map); the number of orders counted."""
    store = Store(path)
    try:
        ensure_format(store)
        while True:
            try:
                with store.env.begin(write=True) as txn:
                    aggregates.rebuild(store, txn)
                    return txn.stat(store.db["orders"])["entries"]
            except lmdb.MapFullError:
                store.grow()
    finally:
        store.close()
