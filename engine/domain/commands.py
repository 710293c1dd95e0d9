"""Commands: what callers ask the engine to do. Plain data; the engine validates them.

Field paths in the UserErrors they produce follow the GraphQL mutation arguments
(`input`, then list indices and field names), so the API can pass them through unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class UpsertLocation:
    code: str
    name: str
    kind: str = "WAREHOUSE"
    priority: int = 0
    active: bool = True
    address: dict | None = None


@dataclass(slots=True)
class ProductDraft:
    sku: str
    name: str
    barcode: str | None = None
    price: Any = None
    weight_grams: int | None = None
    components: list[tuple[str, int]] | None = None
    cost: Any = None


@dataclass(slots=True)
class UpsertProducts:
    products: list[ProductDraft]


@dataclass(slots=True)
class UpsertChannel:
    code: str
    name: str
    kind: str


@dataclass(slots=True)
class RuleDraft:
    name: str
    condition: str | None = None
    locations: list[str] | None = None
    location_kinds: list[str] | None = None
    max_distance_km: float | None = None
    sort: list[str] = field(default_factory=lambda: ["FEWEST_SHIPMENTS", "PRIORITY"])
    allow_split: bool = True
    max_shipments: int | None = None


@dataclass(slots=True)
class SetRoutingPolicy:
    channel: str
    rules: list[RuleDraft]
    on_shortage: str = "BACKORDER"


@dataclass(slots=True)
class AdjustInventory:
    items: list[tuple[str, str, int]]  # sku, location, delta
    reason: str
    reference: str | None = None


@dataclass(slots=True)
class StockSetItem:
    sku: str
    location: str
    on_hand: int
    compare_on_hand: int | None = None
    safety_stock: int | None = None


@dataclass(slots=True)
class SetInventory:
    items: list[StockSetItem]
    reason: str = "CYCLE_COUNT"
    reference: str | None = None


@dataclass(slots=True)
class LineDraft:
    sku: str
    quantity: int
    unit_price: Any = None


@dataclass(slots=True)
class OrderDraft:
    channel: str
    lines: list[LineDraft]
    external_id: str | None = None
    customer: dict | None = None
    shipping_address: dict | None = None
    currency: str | None = "USD"
    tags: list[str] | None = None
    placed_at: datetime | None = None
    note: str | None = None


@dataclass(slots=True)
class PlaceOrders:
    """orderPlace (single=True: paths start at `input`) and ordersPlace (paths `input`, index)."""
    orders: list[OrderDraft]
    single: bool = False


@dataclass(slots=True)
class CancelOrder:
    order: int
    reason: str | None = None


@dataclass(slots=True)
class HoldOrder:
    order: int
    reason: str


@dataclass(slots=True)
class ReleaseOrder:
    order: int


@dataclass(slots=True)
class Result:
    """What a command produced: a value for the payload and the user errors (then nothing changed)."""
    value: Any = None
    errors: list = field(default_factory=list)


@dataclass(slots=True)
class ScanShipment:
    shipment: int
    barcode: str
    quantity: int = 1


@dataclass(slots=True)
class ReportShort:
    shipment: int
    sku: str
    quantity: int


@dataclass(slots=True)
class PackShipment:
    shipment: int


@dataclass(slots=True)
class ShipShipment:
    shipment: int
    carrier: str
    tracking_number: str
    tracking_url: str | None = None


@dataclass(slots=True)
class DeliverShipment:
    shipment: int


@dataclass(slots=True)
class ReturnLineDraft:
    sku: str
    quantity: int
    reason: str | None = None
    exchange_sku: str | None = None


@dataclass(slots=True)
class RequestReturn:
    order: int
    lines: list[ReturnLineDraft]
    resolution: str = "REFUND"
    restock_location: str | None = None


@dataclass(slots=True)
class ApproveReturn:
    rma: int


@dataclass(slots=True)
class RejectReturn:
    rma: int
    reason: str


@dataclass(slots=True)
class ReceiveReturn:
    rma: int
    lines: list[tuple[str, int, str]]  # sku, quantity, condition


@dataclass(slots=True)
class RefundReturn:
    rma: int


@dataclass(slots=True)
class CreatePurchaseOrder:
    supplier: str
    location: str
    lines: list[tuple[str, int]]
    expected_at: datetime | None = None


@dataclass(slots=True)
class ReceivePurchaseOrder:
    po: int
    lines: list[tuple[str, int]]


@dataclass(slots=True)
class CancelPurchaseOrder:
    po: int


@dataclass(slots=True)
class ActionDraft:
    type: str
    params: Any = None
    delay_seconds: int = 0


@dataclass(slots=True)
class SaveRule:
    name: str
    event: str
    actions: list[ActionDraft]
    condition: str | None = None
    enabled: bool = True
    priority: int = 0
    rule: int | None = None  # set: update that rule


@dataclass(slots=True)
class DeleteRule:
    rule: int


@dataclass(slots=True)
class InstallDefaults:
    """Once per database: the default automation rules."""


@dataclass(slots=True)
class CreateWebhook:
    url: str
    events: list[str]
    secret: str


@dataclass(slots=True)
class DeleteWebhook:
    webhook: int


@dataclass(slots=True)
class RetryDelivery:
    delivery: int


@dataclass(slots=True)
class EmailAttempt:
    """A dispatcher's report of one send: sent (error None) or failed (error)."""
    email: int
    error: str | None = None


@dataclass(slots=True)
class DeliveryAttempt:
    delivery: int
    response_status: int | None = None
    error: str | None = None


@dataclass(slots=True)
class KeepAdminToken:
    """Stores the admin token's digest unless one is stored already; the result's value is the
    digest in force."""
    digest: str


@dataclass(slots=True)
class SaveForecastAdjustment:
    """forecastAdjustmentSave: multiplies the forecast of one sku (None: every sku) in [start, end)."""
    sku: str | None
    start: datetime
    end: datetime
    factor: float
    note: str | None = None


@dataclass(slots=True)
class DeleteForecastAdjustment:
    adjustment: int


@dataclass(slots=True)
class ReorderRuleDraft:
    sku: str
    location: str
    min_quantity: int | None = None
    max_quantity: int | None = None
    multiple: int = 1
    minimum_order_quantity: int = 1
    lead_time_days: int | None = None
    supplier: str | None = None


@dataclass(slots=True)
class SetReorderRules:
    """reorderRulesSet: each (sku, location) rule replaces the one before it."""
    rules: list[ReorderRuleDraft]
