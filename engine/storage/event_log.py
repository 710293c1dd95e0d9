"""The event log as stored (format 2): the events of one commit in blocks of consecutive
sequence numbers, each block one record keyed by its first sequence number, and per order one
index record per block listing the order's sequence numbers in it.

One record per event cost a JSON encoding and two LMDB puts per event (five events per placed
order); a block costs one put per `block_events_max` events. A block stays small enough that
reading one event (a webhook body, `event(id)`) decodes a few kilobytes, not a whole commit.
"""
from __future__ import annotations

import struct
from collections import defaultdict
from typing import Iterator

import orjson

from .store import U64, ReadTxn, u64

block_events_max = 64
ORDER_INDEX_KEY = struct.Struct(">QQ")  # order, first sequence number of the block


def blocks(events: list[dict]) -> Iterator[list[dict]]:
    """Consecutive runs of at most block_events_max events (a commit's events are consecutive)."""
    for start in range(0, len(events), block_events_max):
        yield events[start : start + block_events_max]


def encode_block(block: list[dict]) -> tuple[bytes, bytes, dict[bytes, bytes]]:
    """(key, value) of a block and its order index records."""
    first = block[0]["seq"]
    assert all(e["seq"] == first + i for i, e in enumerate(block)), "a block holds consecutive events"
    by_order: dict[int, list[int]] = defaultdict(list)
    for event in block:
        if event["order"] is not None:
            by_order[event["order"]].append(event["seq"])
    index = {ORDER_INDEX_KEY.pack(order, first): b"".join(map(u64, seqs)) for order, seqs in by_order.items()}
    return u64(first), orjson.dumps(block), index


def decode_seqs(value: bytes) -> list[int]:
    return [seq for (seq,) in U64.iter_unpack(value)]


class EventReader:
    """Events by sequence number inside one read transaction, each block decoded once."""

    def __init__(self, r: ReadTxn):
        self.txn, self.events_db, self.index_db = r.txn, r.store.db["events"], r.store.db["idx_event_order"]
        self._block: tuple[int, list[dict]] | None = None

    def event(self, seq: int) -> dict | None:
        block = self._block
        if block is None or not block[0] <= seq < block[0] + len(block[1]):
            block = self._block = self._block_holding(seq)
            if block is None:
                return None
        first, events = block
        return events[seq - first] if seq - first < len(events) else None

    def _block_holding(self, seq: int) -> tuple[int, list[dict]] | None:
        with self.txn.cursor(db=self.events_db) as cursor:
            if cursor.set_range(u64(seq)) and U64.unpack(cursor.key())[0] == seq:
                return seq, orjson.loads(cursor.value())
            if not (cursor.prev() if cursor.key() else cursor.last()):
                return None
            first = U64.unpack(cursor.key())[0]
            events = orjson.loads(cursor.value())
        return (first, events) if first + len(events) > seq else None

    def since(self, start: int) -> Iterator[dict]:
        """Every event from sequence number `start` on, in order."""
        first_block = self._block_holding(start)
        if first_block is not None:
            first, events = first_block
            yield from events[start - first :]
            start = first + len(events)
        with self.txn.cursor(db=self.events_db) as cursor:
            if not cursor.set_range(u64(start)):
                return
            for _, value in cursor:
                yield from orjson.loads(value)

    def of_order(self, order: int, start: int) -> Iterator[dict]:
        """The order's events from sequence number `start` on, in order."""
        prefix = u64(order)
        with self.txn.cursor(db=self.index_db) as cursor:
            if not cursor.set_range(prefix):
                return
            runs = []
            for key, value in cursor:
                if not key.startswith(prefix):
                    break
                runs.append(value)
        for value in runs:
            for seq in decode_seqs(value):
                if seq >= start:
                    event = self.event(seq)
                    assert event is not None, f"order {order} indexes event {seq}, which is not stored"
                    yield event

    def block_ranges(self) -> Iterator[tuple[int, int]]:
        """(first sequence number, events) of every block, in order: for the audit."""
        with self.txn.cursor(db=self.events_db) as cursor:
            for key, value in cursor:
                yield U64.unpack(key)[0], len(orjson.loads(value))
