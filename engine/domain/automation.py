"""Automation rules: when `event` happens and the CEL `condition` holds, run `actions`.
Rules run highest priority first, then oldest first, in the commit of their event."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import limits, orders as order_rules, validation as check
from .conditions import SAMPLE_ORDER, compile_condition, holds
from .errors import Code, err
from .events import EVENT_TYPES
from .messages import SUBJECTS, url_problem

ORDERLESS_EVENTS = ("STOCK_CHANGED", "STOCK_LOW", "PURCHASE_ORDER_CREATED", "PURCHASE_ORDER_RECEIVED")
ACTION_TYPES = ("HOLD", "ADD_TAG", "SEND_EMAIL", "CALL_WEBHOOK", "CANCEL", "CREATE_PURCHASE_ORDER")
DELAYABLE = ("SEND_EMAIL", "CALL_WEBHOOK")
SAMPLE_CONTEXT = {
    "order": SAMPLE_ORDER,
    "shipment": {"id": "U2hpcG1lbnQ6MQ", "location": "east", "status": "SHIPPED", "carrier": "UPS",
                 "trackingNumber": "1Z", "lines": [{"sku": "SKU-1", "quantity": 1, "picked": 1}]},
    "return": {"id": "UmV0dXJuOjE", "number": "RMA-000001", "status": "RECEIVED", "resolution": "REFUND",
               "lines": [{"sku": "SKU-1", "quantity": 1, "received": 1}]},
    "stock": {"sku": "SKU-1", "location": "east", "onHand": 5, "committed": 1, "available": 4, "safetyStock": 0, "incoming": 0},
}
DEFAULT_RULES = (
    {"name": "Order confirmation email", "event": "ORDER_PLACED", "condition": None, "enabled": True, "priority": 0,
     "actions": [{"type": "SEND_EMAIL", "params": {"template": "order_confirmation"}, "delaySeconds": 0}]},
    {"name": "Dispatch email", "event": "SHIPMENT_SHIPPED", "condition": None, "enabled": True, "priority": 0,
     "actions": [{"type": "SEND_EMAIL", "params": {"template": "dispatch"}, "delaySeconds": 0}]},
)


@dataclass(slots=True)
class CompiledAutomation:
    record: dict
    program: Any

    @property
    def order_key(self) -> tuple[int, int]:
        return (-self.record["priority"], self.record["seq"])


def compile_rule(record: dict) -> CompiledAutomation:
    program = None
    if record["condition"]:
        program, problem = compile_condition(record["condition"], SAMPLE_CONTEXT)
        assert problem is None, problem
    return CompiledAutomation(record, program)


def check_rule(state, draft: dict) -> list:
    """Every problem of a rule to save, with paths under `input`."""
    errors: list = []
    check.text(errors, draft["name"], ("input", "name"), required=True)
    if draft["event"] not in EVENT_TYPES:
        errors.append(err(Code.INVALID, "unknown event type", "input", "event"))
    if draft["condition"] is not None:
        if len(draft["condition"]) > limits.cel_chars_max:
            errors.append(err(Code.LIMIT_EXCEEDED, f"condition longer than {limits.cel_chars_max} characters", "input", "condition"))
        else:
            _, problem = compile_condition(draft["condition"], SAMPLE_CONTEXT)
            if problem:
                errors.append(err(Code.INVALID, f"condition {problem}", "input", "condition"))
    if not draft["actions"]:
        errors.append(err(Code.INVALID, "a rule needs at least one action", "input", "actions"))
    check.count(errors, draft["actions"], limits.rule_actions_max, ("input", "actions"), "actions")
    for i, action in enumerate(draft["actions"][: limits.rule_actions_max]):
        _check_action(state, draft["event"], action, ("input", "actions", i), errors)
    return errors


def _check_action(state, event: str, action: dict, path: tuple, errors: list) -> None:
    kind, params, delay = action["type"], action["params"], action["delaySeconds"]
    if kind not in ACTION_TYPES:
        errors.append(err(Code.INVALID, "unknown action type", *path, "type"))
        return
    if not isinstance(params, dict):
        errors.append(err(Code.INVALID, "params must be a JSON object", *path, "params"))
        return
    if kind == "HOLD" and event != "ORDER_PLACED":
        errors.append(err(Code.INVALID, "HOLD is accepted only on ORDER_PLACED rules", *path, "type"))
    if not 0 <= delay <= limits.delay_seconds_max:
        errors.append(err(Code.INVALID, f"delaySeconds must be within 0..{limits.delay_seconds_max}", *path, "delaySeconds"))
    elif delay and kind not in DELAYABLE:
        errors.append(err(Code.INVALID, f"{kind} takes effect in the commit of its event: it cannot be delayed", *path, "delaySeconds"))
    p = (*path, "params")
    if kind == "ADD_TAG":
        tag = params.get("tag")
        if not isinstance(tag, str) or not 1 <= len(tag) <= limits.tag_chars_max:
            errors.append(err(Code.INVALID, f"params.tag: 1 to {limits.tag_chars_max} characters", *p, "tag"))
    elif kind == "SEND_EMAIL":
        if params.get("template") not in SUBJECTS:
            errors.append(err(Code.INVALID, f"params.template is one of {', '.join(sorted(SUBJECTS))}", *p, "template"))
        elif event in ORDERLESS_EVENTS:
            errors.append(err(Code.INVALID, f"the {params['template']} template is about an order; {event} has none", *p, "template"))
        if params.get("to") is not None:
            check.email(errors, str(params["to"]), (*p, "to"))
    elif kind == "CALL_WEBHOOK":
        problem = url_problem(params.get("url"))
        if problem:
            errors.append(err(Code.INVALID, f"params.url must be {problem}", *p, "url"))
        secret = params.get("secret")
        if not isinstance(secret, str) or not limits.webhook_secret_chars_min <= len(secret) <= 256:
            errors.append(err(Code.INVALID, f"params.secret: {limits.webhook_secret_chars_min} to 256 characters", *p, "secret"))
    elif kind in ("HOLD", "CANCEL"):
        if params.get("reason") is not None and (not isinstance(params["reason"], str) or len(params["reason"]) > limits.text_chars_max):
            errors.append(err(Code.INVALID, "params.reason must be a short text", *p, "reason"))
    elif kind == "CREATE_PURCHASE_ORDER":
        if not isinstance(params.get("supplier"), str) or not params["supplier"].strip():
            errors.append(err(Code.INVALID, "params.supplier is required", *p, "supplier"))
        quantity = params.get("quantity")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= limits.quantity_max:
            errors.append(err(Code.INVALID, "params.quantity must be a positive integer", *p, "quantity"))
        if params.get("location") is not None and params["location"] not in state.catalog.locations:
            errors.append(err(Code.NOT_FOUND, "params.location is not a location", *p, "location"))


def rules_for(state, event_type: str) -> list[CompiledAutomation]:
    """Enabled rules for one event type, in running order."""
    return _rules_by_event(state).get(event_type, [])


def ruled_event_types(state):
    """The event types some enabled rule runs on."""
    return _rules_by_event(state).keys()


def _rules_by_event(state) -> dict[str, list[CompiledAutomation]]:
    """Enabled rules by event type, in running order (cached until the rules change)."""
    cache = state.rules_by_event
    if cache is None:
        cache = state.rules_by_event = {}
        for rule in sorted(state.rules.values(), key=lambda r: r.order_key):
            if rule.record["enabled"]:
                cache.setdefault(rule.record["event"], []).append(rule)
    return cache


def hold_on_placement(state, order: dict) -> None:
    """HOLD actions of matching ORDER_PLACED rules, applied before any shipment is released."""
    view = None
    for rule in rules_for(state, "ORDER_PLACED"):
        for action in rule.record["actions"]:
            if action["type"] != "HOLD":
                continue
            if rule.program is not None and view is None:
                view = {"order": order_rules.cel_view(order)}
            if holds(rule.program, view):
                order.update(held=True, released=False, holdReason=action["params"].get("reason") or rule.record["name"])
                return


def email_context(order: dict | None, event: dict) -> dict:
    context = {"event": event["type"], **{k: v for k, v in event["data"].items() if isinstance(v, (str, int, float))}}
    if order:
        context.update(
            number=order["number"], currency=order["currency"], total=order["subtotal"],
            customer_name=(order.get("customer") or {}).get("name") or "",
            lines=[{"sku": l["sku"], "quantity": l["quantity"], "unitPrice": l["unitPrice"]} for l in order["lines"]],
        )
    context.setdefault("return_number", event["data"].get("number", ""))
    context.setdefault("return_status", event["data"].get("status", ""))
    return context


def recipient(action: dict, order: dict | None) -> str | None:
    return action["params"].get("to") or ((order or {}).get("customer") or {}).get("email")
