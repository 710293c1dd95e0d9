"""What follows a command in its own commit: stock events, webhook deliveries for
subscribed hooks, and automation rules (whose actions may cause further events)."""
from __future__ import annotations

import logging

from ..domain import limits, orders as order_rules
from ..domain.automation import CompiledAutomation, email_context, recipient, ruled_event_types, rules_for
from ..domain.commands import CancelOrder, CreatePurchaseOrder
from ..domain.conditions import holds
from ..domain.state import EngineState
from ..storage.tx import WriteTx
from .events import stock_events
from .orders import cancel
from .outbox import queue_delivery, queue_email
from .purchasing import create

log = logging.getLogger("oms.automation")


def after_command(state: EngineState, tx: WriteTx, start: int) -> None:
    """Reacts to every event the command emitted itself (however many: a 1,000-order batch
    emits thousands); only what rules cause in turn is bounded, to stop rule loops."""
    stock_events(state, tx)
    reacting = _reacting_types(state)
    caused_from = len(tx.events)
    i = start
    while i < len(tx.events):
        if len(tx.events) - caused_from > limits.rule_events_max:
            log.error("rules caused more than %d events in one command; the rest run no rules", limits.rule_events_max)
            return
        event = tx.events[i]
        i += 1
        if event["type"] not in reacting:  # most events (every STOCK_CHANGED by default) have none
            continue
        for hook in state.webhooks.values():
            if hook["active"] and event["type"] in hook["events"]:
                queue_delivery(state, tx, event, hook["url"], hook["secret"], webhook=hook["seq"])
        _run_rules(state, tx, event)
        stock_events(state, tx)


def _reacting_types(state: EngineState) -> set[str]:
    """Event types some enabled rule or active webhook reacts to."""
    types = set(ruled_event_types(state))
    for hook in state.webhooks.values():
        if hook["active"]:
            types.update(hook["events"])
    return types


def cel_context(tx: WriteTx, event: dict, order: dict | None) -> dict:
    data = event["data"]
    context: dict = {"order": order_rules.cel_view(order) if order else None}
    if event["type"].startswith("SHIPMENT_") and "shipmentId" in data:
        shipment = tx.shipment(data["shipmentSeq"])
        context["shipment"] = {"id": data["shipmentId"], "location": shipment["loc"], "status": shipment["status"],
                               "carrier": shipment["carrier"], "trackingNumber": shipment["trackingNumber"],
                               "lines": shipment["lines"]}
    if event["type"].startswith("RETURN_"):
        context["return"] = {k: data.get(k) for k in ("id", "number", "status", "resolution", "lines")}
    if event["type"].startswith("STOCK_"):
        context["stock"] = {"sku": event["sku"], "location": event["location"], **data}
    return context


def _run_rules(state: EngineState, tx: WriteTx, event: dict) -> None:
    rules = rules_for(state, event["type"])
    if not rules:
        return
    order = tx.order(event["order"]) if event["order"] is not None else None
    context = None
    for rule in rules:
        if rule.program is not None:
            context = context or cel_context(tx, event, order)
            if not holds(rule.program, context):
                continue
        for action in rule.record["actions"]:
            _act(state, tx, rule, action, event, order)


def _act(state: EngineState, tx: WriteTx, rule, action: dict, event: dict, order: dict | None) -> None:
    kind, params = action["type"], action["params"]
    if kind == "ADD_TAG" and order is not None and params["tag"] not in order["tags"]:
        order["tags"].append(params["tag"])
        tx.save_order(order)
    elif kind in ("SEND_EMAIL", "CALL_WEBHOOK"):
        _queue_message(state, tx, rule, action, event, order)
    elif kind == "CANCEL" and order is not None:
        cancel(state, tx, CancelOrder(order["seq"], params.get("reason") or rule.record["name"]))
    elif kind == "CREATE_PURCHASE_ORDER":
        location = params.get("location") or event["location"]
        if event["sku"] and location:
            create(state, tx, CreatePurchaseOrder(params["supplier"], location, [(event["sku"], params["quantity"])]))


def _queue_message(state, tx, rule: CompiledAutomation, action: dict, event: dict, order: dict | None) -> None:
    if action["type"] == "SEND_EMAIL":
        queue_email(state, tx, action["params"]["template"], recipient(action, order), email_context(order, event),
                    event["order"], action["delaySeconds"])
    elif action["type"] == "CALL_WEBHOOK":
        queue_delivery(state, tx, event, action["params"]["url"], action["params"]["secret"],
                       rule=rule.record["seq"], delay_s=action["delaySeconds"])
