"""The end of a batch: what it changed, checked and written into its one transaction."""
from __future__ import annotations

from ..domain.analytics import Tally
from ..domain.state import EngineState
from .aggregates import write_tally
from .stock_rows import encode_rows
from .event_log import blocks, encode_block
from .store import U32
from .tx import WriteTx


def flush_batch(state: EngineState, tx: WriteTx, counters_changed: bool) -> None:
    """Everything the batch changed, written into its transaction: events, records, stock rows,
    the analytics aggregates they move, and the counters (only when they moved: a batch of
    retries leaves every database as it was)."""
    flush_events(tx)
    products = state.catalog.products
    tally = Tally(lambda sku: products[sku].idx)
    tx.flush_records(tally)
    if tally:
        write_tally(tx, tally)
    skus = sorted(tx.dirty_skus)
    if skus:
        state.check_stock_rows(skus)
        state.stock_days.snapshot(tx, skus, tx.now_s)
        for s, row in zip(skus, encode_rows(state.stock, skus)):
            tx.put_raw("stock", U32.pack(s), row)
    if counters_changed:
        tx.put("meta", b"counters", state.counters)


def flush_events(tx: WriteTx) -> None:
    for block in blocks(tx.events):
        key, value, index = encode_block(block)
        tx.put_raw("events", key, value)
        for index_key, seqs in index.items():
            tx.put_raw("idx_event_order", index_key, seqs)
