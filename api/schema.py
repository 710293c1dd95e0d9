"""The served schema: every domain's queries and mutations merged (built in api/graphql/)."""
from __future__ import annotations

from typing import Optional

import strawberry

from . import ids
from .analytics.queries import AnalyticsQuery
from .automation.mutations import AutomationMutation
from .automation.queries import AutomationQuery
from .automation.types import AutomationRule, Email, Event, Webhook, WebhookDelivery
from .catalog.mutations import CatalogMutation
from .catalog.queries import CatalogQuery
from .catalog.types import Channel, Location, Product
from .common import Node
from .graphql.compiled import resolved_roots
from .graphql.served_schema import served_schema
from .inventory.mutations import InventoryMutation
from .inventory.queries import InventoryQuery
from .live.subscriptions import Subscription
from .orders import fast_path
from .orders.mutations import OrderMutation
from .orders.queries import OrderQuery
from .orders.types import Customer, Order, Return, Shipment
from .purchasing.mutations import PurchasingMutation
from .purchasing.queries import PurchasingQuery
from .purchasing.types import PurchaseOrder
from .replenishment.mutations import ReplenishmentApplyMutation, ReplenishmentMutation
from .replenishment.queries import ReplenishmentQuery
from .replenishment.types import ForecastAdjustment
from .returns.mutations import ReturnsMutation
from .returns.queries import ReturnsQuery
from .warehouse.mutations import WarehouseMutation
from .warehouse.queries import WarehouseQuery


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
                  "Webhook": (read.webhook, Webhook), "WebhookDelivery": (read.delivery, WebhookDelivery),
                  "ForecastAdjustment": (read.forecast_adjustment, ForecastAdjustment)}
        seq = ids.sequence(key)
        if kind in by_seq and seq is not None:
            fetch, node_type = by_seq[kind]
            record = fetch(seq)
            return (node_type.of if isinstance(node_type, type) else node_type)(record) if record else None
        return None


schema = served_schema(
    queries=(NodeQuery, CatalogQuery, InventoryQuery, OrderQuery, WarehouseQuery, ReturnsQuery, PurchasingQuery, AutomationQuery,
             ReplenishmentQuery, AnalyticsQuery),
    mutations=(CatalogMutation, InventoryMutation, OrderMutation, WarehouseMutation, ReturnsMutation, PurchasingMutation,
               AutomationMutation, ReplenishmentMutation, ReplenishmentApplyMutation),
    subscription=Subscription,
    types=[Location, Product, Channel, Order, Customer, Shipment, Return, PurchaseOrder, Event, AutomationRule, Email, Webhook,
           WebhookDelivery, ForecastAdjustment],
)
fast_path.install(schema)
resolved_roots.install(schema._schema)  # last: it wraps the resolvers installed above
