"""Events, automation rules, emails and webhooks."""
from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Optional

import strawberry
from strawberry.scalars import JSON

from engine.domain.events import EVENT_TYPES, event_view

from .. import ids
from ..common import Node, PageInfo, UserError
from ..notify.email import NO_SMTP

EventType = strawberry.enum(Enum("EventType", {t: t for t in EVENT_TYPES}))


@strawberry.type(description="""Everything that happens is an event, appended to a durable log in commit order.
A cursor names a position in that log: a subscriber that reconnects with its last cursor
misses nothing and sees nothing twice.""")
class Event(Node):
    cursor: str
    type: EventType
    occurred_at: datetime
    order_id: Optional[strawberry.ID]
    sku: Optional[str]
    location: Optional[str]
    data: JSON

    @classmethod
    def of(cls, record: dict) -> "Event":
        view = event_view(record)
        return cls(id=strawberry.ID(view["id"]), cursor=view["cursor"], type=EventType(view["type"]),
                   occurred_at=datetime.fromisoformat(view["occurredAt"]), order_id=view["orderId"], sku=view["sku"],
                   location=view["location"], data=view["data"])


@strawberry.type
class EventEdge:
    cursor: str
    node: Event


@strawberry.type
class EventConnection:
    edges: list[EventEdge]
    page_info: PageInfo


@strawberry.enum
class RuleActionType(Enum):
    HOLD = strawberry.enum_value("HOLD", description="Put the order ON_HOLD (params.reason); only on ORDER_PLACED, before anything is released.")
    ADD_TAG = "ADD_TAG"
    SEND_EMAIL = "SEND_EMAIL"
    CALL_WEBHOOK = "CALL_WEBHOOK"
    CANCEL = "CANCEL"
    CREATE_PURCHASE_ORDER = "CREATE_PURCHASE_ORDER"


@strawberry.type
class RuleAction:
    type: RuleActionType
    params: JSON
    delay_seconds: int


@strawberry.input
class RuleActionInput:
    type: RuleActionType
    params: Optional[JSON] = None
    delay_seconds: Optional[int] = 0


@strawberry.type(description="""When `event` happens and `condition` (CEL, over the event's objects: order, shipment,
return, stock) is true, run `actions`. Rules run highest priority first, then oldest first.
ADD_TAG, HOLD, CANCEL and CREATE_PURCHASE_ORDER take effect in the same commit as the event;
SEND_EMAIL and CALL_WEBHOOK are written to the outbox in that commit and sent after it.
HOLD is accepted only on ORDER_PLACED rules. A fresh database holds two enabled rules:
an order confirmation email on ORDER_PLACED and a dispatch email on SHIPMENT_SHIPPED.""")
class AutomationRule(Node):
    name: str
    event: EventType
    condition: Optional[str]
    actions: list[RuleAction]
    enabled: bool
    priority: int

    @classmethod
    def of(cls, r: dict) -> "AutomationRule":
        return cls(id=strawberry.ID(ids.encode("AutomationRule", r["seq"])), name=r["name"], event=EventType(r["event"]),
                   condition=r["condition"], enabled=r["enabled"], priority=r["priority"],
                   actions=[RuleAction(type=RuleActionType(a["type"]), params=a["params"], delay_seconds=a["delaySeconds"])
                            for a in r["actions"]])


@strawberry.input
class AutomationRuleInput:
    id: Optional[strawberry.ID] = strawberry.field(default=None, description="Set to update that rule; omit to create one.")
    name: str
    event: EventType
    condition: Optional[str] = None
    actions: list[RuleActionInput]
    enabled: Optional[bool] = True
    priority: Optional[int] = 0


@strawberry.type
class AutomationRulePayload:
    rule: Optional[AutomationRule]
    user_errors: list[UserError]


@strawberry.enum
class DeliveryStatus(Enum):
    SCHEDULED = "SCHEDULED"
    SENT = "SENT"
    FAILED = "FAILED"


def _dt(value: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(value) if value else None


@strawberry.type(description="Each message carries a Message-ID that stays the same if it is ever sent again.")
class Email(Node):
    to: str
    subject: str
    template: str
    order_id: Optional[strawberry.ID]
    status: DeliveryStatus
    scheduled_for: datetime
    sent_at: Optional[datetime]
    attempts: int
    last_error: Optional[str]

    @classmethod
    def of(cls, r: dict, smtp_configured: bool = True) -> "Email":
        waiting = r["status"] == "SCHEDULED" and not smtp_configured
        return cls(id=strawberry.ID(ids.encode("Email", r["seq"])), to=r["to"], subject=r["subject"], template=r["template"],
                   order_id=None if r["order"] is None else strawberry.ID(ids.encode("Order", r["order"])),
                   status=DeliveryStatus(r["status"]), scheduled_for=datetime.fromisoformat(r["scheduledFor"]),
                   sent_at=_dt(r["sentAt"]), attempts=r["attempts"], last_error=NO_SMTP if waiting else r["lastError"])


@strawberry.type
class EmailEdge:
    cursor: str
    node: Email


@strawberry.type
class EmailConnection:
    edges: list[EmailEdge]
    page_info: PageInfo


@strawberry.type(description="""Outbound hook. Each delivery is a POST of the event as JSON with headers
X-OMS-Event (the type), X-OMS-Delivery (unique id, for de-duplication) and
X-OMS-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>.
Failed deliveries are retried with exponential backoff; none is lost across restarts.
The body is the Event as JSON: {id, cursor, type, occurredAt, orderId, sku, location, data}.""")
class Webhook(Node):
    url: str
    events: list[EventType]
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, r: dict) -> "Webhook":
        return cls(id=strawberry.ID(ids.encode("Webhook", r["seq"])), url=r["url"], events=[EventType(e) for e in r["events"]],
                   active=r["active"], created_at=datetime.fromisoformat(r["createdAt"]))


@strawberry.input
class WebhookInput:
    url: str
    events: list[EventType]
    secret: str


@strawberry.type
class WebhookPayload:
    webhook: Optional[Webhook]
    user_errors: list[UserError]


@strawberry.type
class WebhookDelivery(Node):
    webhook_id: strawberry.ID
    event_id: strawberry.ID
    status: DeliveryStatus
    attempts: int
    response_status: Optional[int]
    last_attempt_at: Optional[datetime]

    @classmethod
    def of(cls, r: dict) -> "WebhookDelivery":
        hook = ids.encode("Webhook", r["webhook"]) if r["webhook"] is not None else ids.encode("AutomationRule", r["rule"])
        return cls(id=strawberry.ID(ids.encode("WebhookDelivery", r["seq"])), webhook_id=strawberry.ID(hook),
                   event_id=strawberry.ID(ids.encode("Event", r["event"])), status=DeliveryStatus(r["status"]),
                   attempts=r["attempts"], response_status=r["responseStatus"], last_attempt_at=_dt(r["lastAttemptAt"]))


@strawberry.type
class WebhookDeliveryEdge:
    cursor: str
    node: WebhookDelivery


@strawberry.type
class WebhookDeliveryConnection:
    edges: list[WebhookDeliveryEdge]
    page_info: PageInfo


@strawberry.type
class WebhookDeliveryPayload:
    delivery: Optional[WebhookDelivery]
    user_errors: list[UserError]
