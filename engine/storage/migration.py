"""The store's format version, and the migrations that bring an older data directory up to it.

Each migration rewrites the store from format n to n + 1 inside one LMDB write transaction
that also records n + 1: a kill -9 during it leaves format n as it was (LMDB commits
atomically), and the next start runs it again. A data directory of a newer format than this
release knows is refused, never guessed at.
"""
from __future__ import annotations

import time
from typing import Callable

import lmdb

from .store import Store, dumps, loads

FORMAT = 1  # release 0.1.0 wrote format 1 without recording it
FORMAT_KEY = b"format"

# format n -> the function that rewrites a store of format n into format n + 1, in the
# transaction it is given
MIGRATIONS: dict[int, Callable[[Store, lmdb.Transaction], None]] = {}


class FormatError(Exception):
    """The data directory cannot be opened by this release."""


def ensure_format(store: Store, announce: Callable[[str], None] = lambda text: None) -> None:
    """Records FORMAT in a new store, migrates an older one step by step, refuses a newer one."""
    meta = store.db["meta"]
    with store.env.begin(write=True) as txn:
        found = loads(txn.get(FORMAT_KEY, db=meta))
        if found is None:
            with txn.cursor(db=meta) as cursor:
                found = 1 if cursor.first() else FORMAT  # release 0.1.0 recorded no format; a new store is current
            if found == FORMAT:
                txn.put(FORMAT_KEY, dumps(FORMAT), db=meta)
    if found > FORMAT:
        raise FormatError(f"{store.path} holds data format {found}, newer than this release reads ({FORMAT}): "
                          "run the release that wrote it, or a newer one")
    while found < FORMAT:
        found = _migrate_one(store, found, announce)


def _migrate_one(store: Store, found: int, announce: Callable[[str], None]) -> int:
    step = MIGRATIONS[found]
    announce(f"migrating {store.path} from data format {found} to {found + 1} ...")
    started = time.perf_counter()
    while True:
        try:
            with store.env.begin(write=True) as txn:
                step(store, txn)
                txn.put(FORMAT_KEY, dumps(found + 1), db=store.db["meta"])
            break
        except lmdb.MapFullError:  # the transaction was aborted whole: grow and run the step again
            store.grow()
    announce(f"migrated {store.path} to data format {found + 1} in {time.perf_counter() - started:.1f} s")
    return found + 1
