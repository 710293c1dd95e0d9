"""Applies one batch of commands, in arrival order, inside one write transaction."""
from __future__ import annotations

from typing import Any, Callable

from ..domain.commands import (
    AdjustInventory, ApproveReturn, CancelOrder, CancelPurchaseOrder, CreatePurchaseOrder, DeliverShipment,
    HoldOrder, PackShipment, PlaceOrders, ReceivePurchaseOrder, ReceiveReturn, RefundReturn, RejectReturn,
    ReleaseOrder, ReportShort, RequestReturn, Result, ScanShipment, SetInventory, SetRoutingPolicy, ShipShipment,
    UpsertChannel, UpsertLocation, UpsertProducts, SaveRule, DeleteRule, InstallDefaults, CreateWebhook, DeleteWebhook,
    RetryDelivery, EmailAttempt, DeliveryAttempt, KeepAdminToken, SaveForecastAdjustment, DeleteForecastAdjustment,
    SetReorderRules,
)
from ..domain.state import EngineState
from ..handlers import access, automation, catalog, inventory, orders, purchasing, replenishment, returns, warehouse
from ..handlers.placement import place
from ..handlers.reactions import after_command
from ..storage.flush import flush_batch
from ..storage.tx import WriteTx

HANDLERS: dict[type, Callable[[EngineState, WriteTx, Any], Result]] = {
    UpsertLocation: catalog.upsert_location,
    UpsertProducts: catalog.upsert_products,
    UpsertChannel: catalog.upsert_channel,
    SetRoutingPolicy: catalog.set_routing_policy,
    AdjustInventory: inventory.adjust,
    SetInventory: inventory.set_levels,
    CancelOrder: orders.cancel,
    HoldOrder: orders.hold,
    ReleaseOrder: orders.release,
    ScanShipment: warehouse.scan,
    ReportShort: warehouse.report_short,
    PackShipment: warehouse.pack,
    ShipShipment: warehouse.ship,
    DeliverShipment: warehouse.deliver,
    RequestReturn: returns.request,
    ApproveReturn: returns.approve,
    RejectReturn: returns.reject,
    ReceiveReturn: returns.receive,
    RefundReturn: returns.refund,
    CreatePurchaseOrder: purchasing.create,
    ReceivePurchaseOrder: purchasing.receive,
    CancelPurchaseOrder: purchasing.cancel,
    SaveRule: automation.save_rule,
    DeleteRule: automation.delete_rule,
    InstallDefaults: automation.install_defaults,
    CreateWebhook: automation.create_webhook,
    DeleteWebhook: automation.delete_webhook,
    RetryDelivery: automation.retry_delivery,
    EmailAttempt: automation.email_attempt,
    DeliveryAttempt: automation.delivery_attempt,
    KeepAdminToken: access.keep_admin_token,
    SaveForecastAdjustment: replenishment.save_adjustment,
    DeleteForecastAdjustment: replenishment.delete_adjustment,
    SetReorderRules: replenishment.set_reorder_rules,
}


def apply_batch(state: EngineState, tx: WriteTx, commands: list) -> list[Result]:
    """Consecutive placements share one kernel call; everything else runs one by one."""
    results: list[Result] = []
    counters = dict(state.counters)
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
    flush_batch(state, tx, counters_changed=state.counters != counters)
    return results
