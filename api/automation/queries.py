"""Queries of the event log, automation rules, emails and webhooks."""
from __future__ import annotations

from typing import Optional

import strawberry

from .. import ids
from ..common import page_info, page_size, seq_cursor
from .types import (
    AutomationRule, DeliveryStatus, Email, EmailConnection, EmailEdge, Event, EventConnection, EventEdge, EventType, Webhook,
    WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryEdge,
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
