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

import orjson

from . import aggregates
from .event_log import block_events_max, encode_block
from .store import Store, dumps, loads, u64

FORMAT = 3  # release 0.1.0 wrote format 1 without recording it
FORMAT_KEY = b"format"


def events_in_blocks(store: Store, txn: lmdb.Transaction) -> None:
    """1 -> 2: one record per event, and one empty index key per (order, event), become blocks
    of consecutive events and one index record per (order, block) (event_log.py). A block's
    key is its first event's, so each block replaces that record and deletes the rest."""
    events, index = store.db["events"], store.db["idx_event_order"]
    txn.drop(index, delete=False)
    start = 1
    while True:
        block = _records_from(txn, events, start)
        if not block:
            return
        for event in block[1:]:
            txn.delete(u64(event["seq"]), db=events)
        key, value, order_index = encode_block(block)
        txn.put(key, value, db=events)
        for index_key, seqs in order_index.items():
            txn.put(index_key, seqs, db=index)
        start = block[-1]["seq"] + 1


def _records_from(txn: lmdb.Transaction, events, start: int) -> list[dict]:
    """Up to block_events_max format-1 event records with consecutive numbers from `start` on."""
    block: list[dict] = []
    with txn.cursor(db=events) as cursor:
        if not cursor.set_range(u64(start)):
            return block
        for _, value in cursor:
            event = orjson.loads(value)
            assert isinstance(event, dict), "a format-1 event record"
            if len(block) == block_events_max or (block and event["seq"] != block[-1]["seq"] + 1):
                break
            block.append(event)
    return block


def analytics_from_orders(store: Store, txn: lmdb.Transaction) -> None:
    """2 -> 3: the analytics aggregates counted from the stored orders (aggregates.py). Stock
    history starts here: each sku's current row stands for every day since it last changed."""
    aggregates.rebuild(store, txn)


# format n -> the function that rewrites a store of format n into format n + 1, in the
# transaction it is given
MIGRATIONS: dict[int, Callable[[Store, lmdb.Transaction], None]] = {1: events_in_blocks, 2: analytics_from_orders}


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
