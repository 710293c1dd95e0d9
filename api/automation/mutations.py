"""Mutations of automation rules, webhooks and webhook deliveries."""
from __future__ import annotations

import strawberry

from engine.domain.commands import ActionDraft, CreateWebhook, DeleteRule, DeleteWebhook, RetryDelivery, SaveRule

from .. import ids
from ..common import DeletePayload, delete, run, run_on, user_error, user_errors
from .types import (
    AutomationRule, AutomationRuleInput, AutomationRulePayload, Webhook, WebhookDelivery, WebhookDeliveryPayload,
    WebhookInput, WebhookPayload,
)


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
        return await delete(info, id, "AutomationRule", DeleteRule)

    @strawberry.mutation
    async def webhook_create(self, info: strawberry.Info, input: WebhookInput) -> WebhookPayload:
        result = await run(info, CreateWebhook(input.url, [e.value for e in input.events], input.secret))
        return WebhookPayload(webhook=Webhook.of(result.value) if result.value else None, user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def webhook_delete(self, info: strawberry.Info, id: strawberry.ID) -> DeletePayload:
        return await delete(info, id, "Webhook", DeleteWebhook)

    @strawberry.mutation(description="Sends the delivery again now, whatever its status, with the same X-OMS-Delivery id.")
    async def webhook_delivery_retry(self, info: strawberry.Info, id: strawberry.ID) -> WebhookDeliveryPayload:
        result = await run_on(info, id, "WebhookDelivery", RetryDelivery)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.of(result.value) if result.value else None,
                                      user_errors=user_errors(result.errors))
