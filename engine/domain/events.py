"""The event log: every state change appends events in the same commit, in commit order,
with the order, sku and location they concern. Gap-free sequence numbers are cursors."""
from __future__ import annotations

from .ids import global_id
from .orders import status



EVENT_TYPES = (
    "ORDER_PLACED", "ORDER_ALLOCATED", "ORDER_BACKORDERED", "ORDER_HELD", "ORDER_RELEASED", "ORDER_CANCELLED",
    "SHIPMENT_CREATED", "SHIPMENT_PACKED", "SHIPMENT_SHIPPED", "SHIPMENT_DELIVERED",
    "RETURN_REQUESTED", "RETURN_RECEIVED", "RETURN_REFUNDED", "STOCK_CHANGED", "STOCK_LOW",
    "PURCHASE_ORDER_CREATED", "PURCHASE_ORDER_RECEIVED",
)


def order_data(order: dict) -> dict:
    return {"number": order["number"], "status": status(order), "channel": order["channel"], "total": order["subtotal"]}


def event_view(event: dict) -> dict:
    """The Event as the contract shows it (webhook bodies, GraphQL): {id, cursor, type, ...}."""
    return {
        "id": global_id("Event", event["seq"]), "cursor": str(event["seq"]), "type": event["type"],
        "occurredAt": event["at"], "orderId": None if event["order"] is None else global_id("Order", event["order"]),
        "sku": event["sku"], "location": event["location"],
        "data": {k: v for k, v in event["data"].items() if not k.endswith("Seq")},
    }
