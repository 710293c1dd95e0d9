"""Applies one batch of commands, in arrival order, inside one write transaction."""
from __future__ import annotations

from typing import Any, Callable

from . import (
    automation_handlers, catalog_handlers, inventory_handlers, order_handlers, purchasing_handlers, returns_handlers,
    warehouse_handlers,
)
from .commands import (
    AdjustInventory, ApproveReturn, CancelOrder, CancelPurchaseOrder, CreatePurchaseOrder, DeliverShipment,
    HoldOrder, PackShipment, PlaceOrders, ReceivePurchaseOrder, ReceiveReturn, RefundReturn, RejectReturn,
    ReleaseOrder, ReportShort, RequestReturn, Result, ScanShipment, SetInventory, SetRoutingPolicy, ShipShipment,
    UpsertChannel, UpsertLocation, UpsertProducts, SaveRule, DeleteRule, InstallDefaults, CreateWebhook, DeleteWebhook,
    RetryDelivery, EmailAttempt, DeliveryAttempt,
)
from .reactions import after_command
from .placement import place
from .state import EngineState
from .tx import WriteTx

HANDLERS: dict[type, Callable[[EngineState, WriteTx, Any], Result]] = {
    UpsertLocation: catalog_handlers.upsert_location,
    UpsertProducts: catalog_handlers.upsert_products,
    UpsertChannel: catalog_handlers.upsert_channel,
    SetRoutingPolicy: catalog_handlers.set_routing_policy,
    AdjustInventory: inventory_handlers.adjust,
    SetInventory: inventory_handlers.set_levels,
    CancelOrder: order_handlers.cancel,
    HoldOrder: order_handlers.hold,
    ReleaseOrder: order_handlers.release,
    ScanShipment: warehouse_handlers.scan,
    ReportShort: warehouse_handlers.report_short,
    PackShipment: warehouse_handlers.pack,
    ShipShipment: warehouse_handlers.ship,
    DeliverShipment: warehouse_handlers.deliver,
    RequestReturn: returns_handlers.request,
    ApproveReturn: returns_handlers.approve,
    RejectReturn: returns_handlers.reject,
    ReceiveReturn: returns_handlers.receive,
    RefundReturn: returns_handlers.refund,
    CreatePurchaseOrder: purchasing_handlers.create,
    ReceivePurchaseOrder: purchasing_handlers.receive,
    CancelPurchaseOrder: purchasing_handlers.cancel,
    SaveRule: automation_handlers.save_rule,
    DeleteRule: automation_handlers.delete_rule,
    InstallDefaults: automation_handlers.install_defaults,
    CreateWebhook: automation_handlers.create_webhook,
    DeleteWebhook: automation_handlers.delete_webhook,
    RetryDelivery: automation_handlers.retry_delivery,
    EmailAttempt: automation_handlers.email_attempt,
    DeliveryAttempt: automation_handlers.delivery_attempt,
}


def apply_batch(state: EngineState, tx: WriteTx, commands: list) -> list[Result]:
    """Consecutive placements share one kernel call; everything else runs one by one."""
    results: list[Result] = []
    i = 0
    while i < len(commands):
        start = len(tx.events)
        if isinstance(commands[i], PlaceOrders):
            j = i
            while j < len(commands) and isinstance(commands[j], PlaceOrders):
                j += 1
            results.extend(place(state, tx, commands[i:j]))
            i = j
        else:
            results.append(HANDLERS[type(commands[i])](state, tx, commands[i]))
            i += 1
        after_command(state, tx, start)
    state.flush(tx)
    return results
