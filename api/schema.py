"""The served schema: every domain's queries and mutations merged, with the caches and
limits that make strawberry affordable on the hot path."""
from __future__ import annotations

from typing import Optional

import strawberry
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.extensions.query_depth_limiter import create_validator
from strawberry.tools import merge_types

from engine import limits

from . import ids
from .automation.resolvers import AutomationMutation, AutomationQuery
from .automation.types import AutomationRule, Email, Event, Webhook, WebhookDelivery
from .catalog.resolvers import CatalogMutation, CatalogQuery
from .catalog.types import Channel, Location, Product
from .common import Node
from .error_log import OmsSchema
from .execution import OmsExecutionContext
from .inventory.resolvers import InventoryMutation, InventoryQuery
from .live.subscriptions import Subscription
from .metrics import METRICS, operation_extension
from .orders import fast_path
from .orders.resolvers import OrderMutation, OrderQuery
from .orders.types import Customer, Order, Shipment
from .prepared import PREPARED, remember_valid
from .purchasing.resolvers import PurchasingMutation, PurchasingQuery
from .purchasing.types import PurchaseOrder
from .returns.resolvers import ReturnsMutation, ReturnsQuery
from .returns.types import Return
from .warehouse.resolvers import WarehouseMutation, WarehouseQuery


@strawberry.type
class NodeQuery:
    @strawberry.field
    def node(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Node]:
        decoded = ids.decode(id)
        if decoded is None:
            return None
        kind, key = decoded
        read = info.context["engine"].read
        if kind == "Location":
            record = read.location(key)
            return Location.of(record) if record else None
        if kind == "Product":
            record = read.product(key)
            return Product.of(record) if record else None
        if kind == "Channel":
            record = read.channel(key)
            return Channel.of(record) if record else None
        if kind == "Customer":
            record = read.customer(key)
            return Customer.of(record) if record else None
        by_seq = {"Order": (read.order, Order), "Shipment": (read.shipment, Shipment), "Return": (read.return_, Return),
                  "PurchaseOrder": (read.purchase_order, PurchaseOrder), "Event": (read.event, Event),
                  "AutomationRule": (read.rule, AutomationRule),
                  "Email": (read.email, lambda r: Email.of(r, info.context["smtp_configured"])),
                  "Webhook": (read.webhook, Webhook), "WebhookDelivery": (read.delivery, WebhookDelivery)}
        seq = ids.sequence(key)
        if kind in by_seq and seq is not None:
            fetch, node_type = by_seq[kind]
            record = fetch(seq)
            return (node_type.of if isinstance(node_type, type) else node_type)(record) if record else None
        return None


Query = merge_types("Query", (NodeQuery, CatalogQuery, InventoryQuery, OrderQuery, WarehouseQuery, ReturnsQuery, PurchasingQuery,
                              AutomationQuery))
Mutation = merge_types("Mutation", (CatalogMutation, InventoryMutation, OrderMutation, WarehouseMutation, ReturnsMutation,
                                    PurchasingMutation, AutomationMutation))

DEPTH_RULE = create_validator(limits.query_depth_max, None, None)

schema = OmsSchema(  # client errors log one INFO line, the server's faults ERROR with traceback
    execution_context_class=OmsExecutionContext,
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Location, Product, Channel, Order, Customer, Shipment, Return, PurchaseOrder, Event, AutomationRule, Email, Webhook,
           WebhookDelivery],
    extensions=[
        # Factories: an extension instance holds one request's context, so each request gets
        # its own. The caches live at module level; the depth rule is built once so that
        # validation results stay cached.
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        lambda: AddValidationRules([DEPTH_RULE]),
        lambda: MaxTokensLimiter(max_token_count=limits.query_tokens_max),
        operation_extension(METRICS),
        remember_valid(PREPARED),  # last: it remembers what every other extension accepted
    ],
)
fast_path.install(schema._schema)
