"""The end of a batch: what it changed, checked and written into its one transaction."""
from __future__ import annotations

from ..domain.state import EngineState
from .stock_rows import encode_rows
from .store import U32, u64
from .tx import WriteTx


def flush_batch(state: EngineState, tx: WriteTx) -> None:
    """Everything the batch changed, written into its transaction: events, records, stock rows, counters."""
    flush_events(tx)
    tx.flush_records()
    skus = sorted(tx.dirty_skus)
    if skus:
        state.check_stock_rows(skus)
        for s, row in zip(skus, encode_rows(state.stock, skus)):
            tx.put_raw("stock", U32.pack(s), row)
    tx.put("meta", b"counters", state.counters)


def flush_events(tx: WriteTx) -> None:
    for event in tx.events:
        tx.put("events", u64(event["seq"]), event)
        if event["order"] is not None:
            tx.put_raw("idx_event_order", u64(event["order"]) + u64(event["seq"]), b"")
