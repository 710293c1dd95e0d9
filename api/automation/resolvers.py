"""Queries and mutations for the event log, automation rules, emails and webhooks."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.commands import ActionDraft, CreateWebhook, DeleteRule, DeleteWebhook, RetryDelivery, SaveRule

from .. import ids
from ..common import page_info, page_size, run, run_on, seq_cursor, user_error, user_errors
from .types import (
    AutomationRule, AutomationRuleInput, AutomationRulePayload, DeletePayload, DeliveryStatus, Email, EmailConnection,
    EmailEdge, Event, EventConnection, EventEdge, EventType, Webhook, WebhookDelivery, WebhookDeliveryConnection,
    WebhookDeliveryEdge, WebhookDeliveryPayload, WebhookInput, WebhookPayload,
)


def event_connection(info: strawberry.Info, first: Optional[int], after: Optional[str],
                     types: Optional[list[EventType]], order: Optional[int]) -> EventConnection:
    rows, more = info.context["engine"].read.events(
        seq_cursor(after), page_size(first), [t.value for t in types] if types else None, order)
    return EventConnection(edges=[EventEdge(cursor=str(r["seq"]), node=Event.of(r)) for r in rows],
                           page_info=page_info([str(r["seq"]) for r in rows], more, after))


def _optional_seq(value: Optional[str], kind: str) -> tuple[Optional[int], bool]:
    """(sequence, ok): an absent id filters nothing; a malformed one matches nothing."""
    if value is None:
        return None, True
    seq = ids.decode_seq(value, kind)
    return seq, seq is not None


@strawberry.type
class AutomationQuery:
    @strawberry.field
    def events(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
               types: Optional[list[EventType]] = None, order_id: Optional[strawberry.ID] = None) -> EventConnection:
        seq, ok = _optional_seq(order_id, "Order")
        if not ok:
            return EventConnection(edges=[], page_info=page_info([], False, after))
        return event_connection(info, first, after, types, seq)

    @strawberry.field
    def automation_rules(self, info: strawberry.Info) -> list[AutomationRule]:
        return [AutomationRule.of(r) for r in info.context["engine"].read.rules()]

    @strawberry.field
    def emails(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None, to: Optional[str] = None,
               order_id: Optional[strawberry.ID] = None, status: Optional[DeliveryStatus] = None) -> EmailConnection:
        seq, ok = _optional_seq(order_id, "Order")
        rows, more = info.context["engine"].read.emails(seq_cursor(after), page_size(first), to, seq, status.value if status else None) if ok else ([], False)
        smtp = info.context["smtp_configured"]
        return EmailConnection(edges=[EmailEdge(cursor=r["cursor"], node=Email.of(r, smtp)) for r in rows],
                               page_info=page_info([r["cursor"] for r in rows], more, after))

    @strawberry.field
    def webhooks(self, info: strawberry.Info) -> list[Webhook]:
        return [Webhook.of(r) for r in info.context["engine"].read.webhooks()]

    @strawberry.field
    def webhook_deliveries(self, info: strawberry.Info, webhook_id: Optional[strawberry.ID] = None, first: Optional[int] = None,
                           after: Optional[str] = None, status: Optional[DeliveryStatus] = None) -> WebhookDeliveryConnection:
        seq, ok = _optional_seq(webhook_id, "Webhook")
        rows, more = info.context["engine"].read.deliveries(seq_cursor(after), page_size(first), seq, status.value if status else None) if ok else ([], False)
        return WebhookDeliveryConnection(edges=[WebhookDeliveryEdge(cursor=r["cursor"], node=WebhookDelivery.of(r)) for r in rows],
                                         page_info=page_info([r["cursor"] for r in rows], more, after))


@strawberry.type
class AutomationMutation:
    @strawberry.mutation
    async def automation_rule_save(self, info: strawberry.Info, input: AutomationRuleInput) -> AutomationRulePayload:
        rule = None
        if input.id is not None:
            rule = ids.decode_seq(input.id, "AutomationRule")
            if rule is None:
                return AutomationRulePayload(rule=None, user_errors=[user_error("INVALID", "not an AutomationRule id", "input", "id")])
        actions = [ActionDraft(a.type.value, a.params, 0 if a.delay_seconds is None else a.delay_seconds) for a in input.actions]
        command = SaveRule(input.name, input.event.value, actions, input.condition,
                           True if input.enabled is None else input.enabled, input.priority or 0, rule)
        result = await run(info, command)
        return AutomationRulePayload(rule=AutomationRule.of(result.value) if result.value else None, user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def automation_rule_delete(self, info: strawberry.Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, id, "AutomationRule", DeleteRule)

    @strawberry.mutation
    async def webhook_create(self, info: strawberry.Info, input: WebhookInput) -> WebhookPayload:
        result = await run(info, CreateWebhook(input.url, [e.value for e in input.events], input.secret))
        return WebhookPayload(webhook=Webhook.of(result.value) if result.value else None, user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def webhook_delete(self, info: strawberry.Info, id: strawberry.ID) -> DeletePayload:
        return await _delete(info, id, "Webhook", DeleteWebhook)

    @strawberry.mutation(description="Sends the delivery again now, whatever its status, with the same X-OMS-Delivery id.")
    async def webhook_delivery_retry(self, info: strawberry.Info, id: strawberry.ID) -> WebhookDeliveryPayload:
        result = await run_on(info, id, "WebhookDelivery", RetryDelivery)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.of(result.value) if result.value else None,
                                      user_errors=user_errors(result.errors))


async def _delete(info: strawberry.Info, id: str, kind: str, command) -> DeletePayload:
    result = await run_on(info, id, kind, command)
    return DeletePayload(deleted_id=None if result.errors else id, user_errors=user_errors(result.errors))
