"""automationRuleSave/Delete, webhookCreate/Delete/DeliveryRetry, and the dispatchers'
reports of each send attempt."""
from __future__ import annotations

from ..domain import limits
from ..domain.automation import DEFAULT_RULES, check_rule, compile_rule
from ..domain.commands import (
    CreateWebhook, DeleteRule, DeleteWebhook, DeliveryAttempt, EmailAttempt, InstallDefaults, Result, RetryDelivery, SaveRule,
)
from ..domain.errors import Code, err
from ..domain.events import EVENT_TYPES
from ..domain.messages import EMAIL, WEBHOOK, url_problem
from ..domain.state import EngineState
from ..storage.store import u64
from ..storage.tx import WriteTx
from .outbox import record_attempt, retry_now


def save_rule(state: EngineState, tx: WriteTx, cmd: SaveRule) -> Result:
    draft = {"name": cmd.name, "event": cmd.event, "condition": cmd.condition, "enabled": cmd.enabled,
             "priority": cmd.priority,
             "actions": [{"type": a.type, "params": {} if a.params is None else a.params, "delaySeconds": a.delay_seconds}
                         for a in cmd.actions]}
    errors = check_rule(state, draft)
    if cmd.rule is not None and cmd.rule not in state.rules:
        errors.append(err(Code.NOT_FOUND, "no automation rule with this id", "input", "id"))
    if errors:
        return Result(None, errors)
    record = {"seq": cmd.rule if cmd.rule is not None else state.next("rule"), **draft}
    _store_rule(state, tx, record)
    return Result(record)


def _store_rule(state: EngineState, tx: WriteTx, record: dict) -> None:
    state.rules[record["seq"]] = compile_rule(record)
    state.rules_by_event = None
    tx.put("rules", u64(record["seq"]), record)


def delete_rule(state: EngineState, tx: WriteTx, cmd: DeleteRule) -> Result:
    if cmd.rule not in state.rules:
        return Result(None, [err(Code.NOT_FOUND, "no automation rule with this id", "id")])
    del state.rules[cmd.rule]
    state.rules_by_event = None
    tx.delete("rules", u64(cmd.rule))
    return Result(cmd.rule)


def install_defaults(state: EngineState, tx: WriteTx, cmd: InstallDefaults) -> Result:
    for rule in DEFAULT_RULES:
        _store_rule(state, tx, {"seq": state.next("rule"), **rule})
    tx.put("meta", b"defaults_installed", True)
    state.defaults_installed = True
    return Result(True)


def create_webhook(state: EngineState, tx: WriteTx, cmd: CreateWebhook) -> Result:
    errors: list = []
    problem = url_problem(cmd.url)
    if problem:
        errors.append(err(Code.INVALID, f"url must be {problem}", "input", "url"))
    if not cmd.events:
        errors.append(err(Code.INVALID, "subscribe to at least one event type", "input", "events"))
    for i, kind in enumerate(cmd.events):
        if kind not in EVENT_TYPES:
            errors.append(err(Code.INVALID, "unknown event type", "input", "events", i))
    if not limits.webhook_secret_chars_min <= len(cmd.secret) <= 256:
        errors.append(err(Code.INVALID, f"secret: {limits.webhook_secret_chars_min} to 256 characters", "input", "secret"))
    if errors:
        return Result(None, errors)
    record = {"seq": state.next("webhook"), "url": cmd.url, "events": sorted(set(cmd.events)), "secret": cmd.secret,
              "active": True, "createdAt": tx.now_iso}
    state.webhooks[record["seq"]] = record
    tx.put("webhooks", u64(record["seq"]), record)
    return Result(record)


def delete_webhook(state: EngineState, tx: WriteTx, cmd: DeleteWebhook) -> Result:
    if cmd.webhook not in state.webhooks:
        return Result(None, [err(Code.NOT_FOUND, "no webhook with this id", "id")])
    del state.webhooks[cmd.webhook]
    tx.delete("webhooks", u64(cmd.webhook))
    return Result(cmd.webhook)


def retry_delivery(state: EngineState, tx: WriteTx, cmd: RetryDelivery) -> Result:
    record = tx.get("deliveries", u64(cmd.delivery))
    if record is None:
        return Result(None, [err(Code.NOT_FOUND, "no webhook delivery with this id", "id")])
    return Result(retry_now(tx, "deliveries", WEBHOOK, record))


def email_attempt(state: EngineState, tx: WriteTx, cmd: EmailAttempt) -> Result:
    record = tx.get("emails", u64(cmd.email))
    if record is None or record["status"] != "SCHEDULED":
        return Result(record)  # already settled by an earlier report: at-least-once
    return Result(record_attempt(tx, "emails", EMAIL, record, cmd.error))


def delivery_attempt(state: EngineState, tx: WriteTx, cmd: DeliveryAttempt) -> Result:
    record = tx.get("deliveries", u64(cmd.delivery))
    if record is None or record["status"] != "SCHEDULED":
        return Result(record)
    return Result(record_attempt(tx, "deliveries", WEBHOOK, record, cmd.error, cmd.response_status))
