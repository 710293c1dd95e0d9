"""Appending events to the batch: each numbered as it happens (a failed batch reloads the
counters), and the stock events that follow every command."""
from __future__ import annotations

from ..domain.events import EVENT_TYPES
from ..domain.state import EngineState
from ..storage.tx import WriteTx

_KNOWN = frozenset(EVENT_TYPES)  # asserted on every event: a set, not a scan of the tuple


def emit(state: EngineState, tx: WriteTx, type_: str, order: dict | None = None, sku: str | None = None, location: str | None = None,
         **data: object) -> dict:
    """Appends an event to this batch, numbered now (a failed batch reloads the counters)."""
    assert type_ in _KNOWN, type_
    event = {
        "seq": state.next("event"), "type": type_, "at": tx.now_iso, "order": order["seq"] if order else None,
        "channel": order["channel"] if order else None, "sku": sku, "location": location, "data": data,
    }
    tx.events.append(event)
    return event


def stock_events(state: EngineState, tx: WriteTx) -> None:
    """STOCK_CHANGED for every level the last command changed; STOCK_LOW when available at a
    location dropped to 0."""
    stock = state.stock
    if not stock.touched:
        return
    stock.stamp(tx.now_s)
    keys = sorted(stock.touched)
    for (s, l), level in zip(keys, stock.levels(keys)):
        sku, loc = state.catalog.sku_by_idx[s], state.catalog.location_codes[l]
        emit(state, tx, "STOCK_CHANGED", sku=sku, location=loc, **level)
        # only a level now at 0 needs the one before (a stored-row read)
        if level["available"] == 0 and tx.available_before(s, l) > 0:
            emit(state, tx, "STOCK_LOW", sku=sku, location=loc, **level)
        tx.available_seen[(s, l)] = level["available"]
    stock.touched.clear()
