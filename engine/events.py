"""The event log: every state change appends events in the same commit, in commit order,
with the order, sku and location they concern. Gap-free sequence numbers are cursors."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .store import u64

if TYPE_CHECKING:
    from .state import EngineState
    from .tx import WriteTx

EVENT_TYPES = (
    "ORDER_PLACED", "ORDER_ALLOCATED", "ORDER_BACKORDERED", "ORDER_HELD", "ORDER_RELEASED", "ORDER_CANCELLED",
    "SHIPMENT_CREATED", "SHIPMENT_PACKED", "SHIPMENT_SHIPPED", "SHIPMENT_DELIVERED",
    "RETURN_REQUESTED", "RETURN_RECEIVED", "RETURN_REFUNDED", "STOCK_CHANGED", "STOCK_LOW",
    "PURCHASE_ORDER_CREATED", "PURCHASE_ORDER_RECEIVED",
)


def emit(state: EngineState, tx: WriteTx, type_: str, order: dict | None = None, sku: str | None = None, location: str | None = None,
         **data: object) -> dict:
    """Appends an event to this batch, numbered now (a failed batch reloads the counters)."""
    assert type_ in EVENT_TYPES, type_
    event = {
        "seq": state.next("event"), "type": type_, "at": tx.now_iso, "order": order["seq"] if order else None,
        "channel": order["channel"] if order else None, "sku": sku, "location": location, "data": data,
    }
    tx.events.append(event)
    return event


def order_data(order: dict) -> dict:
    from .orders import status
    return {"number": order["number"], "status": status(order), "channel": order["channel"], "total": order["subtotal"]}


def event_view(event: dict) -> dict:
    """The Event as the contract shows it (webhook bodies, GraphQL): {id, cursor, type, ...}."""
    from .ids import global_id
    return {
        "id": global_id("Event", event["seq"]), "cursor": str(event["seq"]), "type": event["type"],
        "occurredAt": event["at"], "orderId": None if event["order"] is None else global_id("Order", event["order"]),
        "sku": event["sku"], "location": event["location"],
        "data": {k: v for k, v in event["data"].items() if not k.endswith("Seq")},
    }


def stock_events(state: EngineState, tx: WriteTx) -> None:
    """STOCK_CHANGED for every level the last command changed; STOCK_LOW when available at a
    location dropped to 0."""
    stock = state.stock
    if not stock.touched:
        return
    keys = sorted(stock.touched)
    for (s, l), level in zip(keys, stock.levels(keys)):
        sku, loc = state.catalog.sku_by_idx[s], state.catalog.location_codes[l]
        emit(state, tx, "STOCK_CHANGED", sku=sku, location=loc, **level)
        # only a level now at 0 needs the one before (a stored-row read)
        if level["available"] == 0 and tx.available_before(s, l) > 0:
            emit(state, tx, "STOCK_LOW", sku=sku, location=loc, **level)
        tx.available_seen[(s, l)] = level["available"]
    stock.touched.clear()


def flush_events(tx: WriteTx) -> None:
    for event in tx.events:
        tx.put("events", u64(event["seq"]), event)
        if event["order"] is not None:
            tx.put_raw("idx_event_order", u64(event["order"]) + u64(event["seq"]), b"")

