"""The only way onHand changes: the stock array and the ledger move together."""
from __future__ import annotations

from ..domain.state import EngineState
from ..storage.store import LEDGER_KEY
from ..storage.tx import WriteTx


def change_on_hand(state: EngineState, tx: WriteTx, s: int, l: int, delta: int, reason: str, reference: str | None) -> None:
    stock = state.stock
    stock.on_hand[s, l] += delta
    stock.touch(s, l)
    tx.dirty_skus.add(s)
    if delta:
        tx.put("ledger", LEDGER_KEY.pack(s, state.next("ledger")), {
            "loc": state.catalog.location_codes[l], "delta": delta, "onHandAfter": int(stock.on_hand[s, l]),
            "reason": reason, "ref": reference, "at": tx.now_iso,
        })
