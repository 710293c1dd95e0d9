"""Orders, their lines and allocations, customers, shipments and returns (Shipment and Return
are here, not in their own domains' packages, because each refers to Order and Order to it)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry

from engine.domain import orders as order_rules

from .. import ids
from ..catalog.types import Address, AddressInput
from ..common import Node, PageInfo, UserError, page_info, page_size, seq_cursor

if TYPE_CHECKING:
    from ..automation.types import EventConnection


@strawberry.enum(description="""ON_HOLD: units stay reserved, but no shipment is created until orderRelease.
PARTIALLY_SHIPPED / SHIPPED / DELIVERED follow the shipments; a cancelled order with
shipped units keeps the status its shipments give it.""")
class OrderStatus(Enum):
    ON_HOLD = "ON_HOLD"
    BACKORDERED = "BACKORDERED"
    PARTIALLY_ALLOCATED = "PARTIALLY_ALLOCATED"
    ALLOCATED = "ALLOCATED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


@strawberry.type(description="Over the customer's orders that are not cancelled.")
class CustomerStats:
    orders: int
    units: int
    revenue: Decimal
    average_order_value: Decimal
    returned_units: int
    first_order_at: Optional[datetime]
    last_order_at: Optional[datetime]


@strawberry.type
class Customer(Node):
    email: str
    name: Optional[str]

    @classmethod
    def of(cls, record: dict) -> "Customer":
        return cls(id=strawberry.ID(ids.encode("Customer", record["email"])), email=record["email"], name=record.get("name"))

    @strawberry.field
    def orders(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None) -> "OrderConnection":
        return order_connection(info, first, after, {"customerEmail": self.email})

    @strawberry.field
    def stats(self, info: strawberry.Info) -> CustomerStats:
        found = info.context["engine"].read.customer(self.email)
        s = found["stats"] if found else {"orders": 0, "units": 0, "revenue": Decimal(0), "averageOrderValue": Decimal(0),
                                          "returnedUnits": 0, "firstOrderAt": None, "lastOrderAt": None}
        return CustomerStats(
            orders=s["orders"], units=s["units"], revenue=s["revenue"], average_order_value=s["averageOrderValue"],
            returned_units=s["returnedUnits"], first_order_at=_dt(s["firstOrderAt"]), last_order_at=_dt(s["lastOrderAt"]),
        )


@strawberry.input
class CustomerInput:
    email: str
    name: Optional[str] = None


@strawberry.type
class Allocation:
    sku: str
    location: str
    quantity: int
    rule: str = strawberry.field(description="The routing rule that chose this location, and why.")
    reason: str


@strawberry.type(description="""quantity = allocated + backordered + cancelled. `allocated` counts units given a location
and not cancelled, shipped ones included (so shipped <= allocated); a location's committed
is the sum of allocated - shipped over its allocations. Cancelled units keep no allocation.""")
class OrderLine:
    id: strawberry.ID
    sku: str
    quantity: int
    unit_price: Decimal
    allocated: int
    backordered: int
    shipped: int
    returned: int
    cancelled: int
    allocations: list[Allocation]
    list_price: Optional[Decimal] = strawberry.field(description="The price before promotions (price list or product), as at placement.")
    discount: Decimal = strawberry.field(description="Promotions' discount on this line, in total.")
    unit_cost: Optional[Decimal] = strawberry.field(description="The product's cost at placement.")
    order_record: strawberry.Private[dict]
    index: strawberry.Private[int]

    @strawberry.field(description="""For a backordered line: the expectedAt of the earliest-expected open purchase order, at a
location its channel may use, whose quantity not yet promised to earlier backorders covers it.""")
    def expected_at(self, info: strawberry.Info) -> Optional[datetime]:
        if self.backordered <= 0:
            return None
        return _dt(info.context["engine"].read.expected_at(self.order_record, self.index))

    @classmethod
    def of(cls, order: dict, index: int, line: dict) -> "OrderLine":
        return cls(
            id=strawberry.ID(ids.encode("OrderLine", f"{order['seq']}:{index}")), sku=line["sku"], quantity=line["quantity"],
            unit_price=Decimal(line["unitPrice"]), allocated=order_rules.line_allocated(line),
            backordered=order_rules.line_backordered(line), shipped=order_rules.line_shipped(line),
            returned=line["returned"], cancelled=line["cancelled"],
            allocations=[Allocation(sku=p["sku"], location=a["loc"], quantity=a["qty"], rule=a["rule"], reason=a["reason"])
                         for p in line["parts"] for a in p["allocs"]],
            list_price=_decimal(line.get("listPrice")), discount=Decimal(line.get("discount") or 0),
            unit_cost=_decimal(line.get("unitCost")), order_record=order, index=index,
        )


@strawberry.enum
class ShipmentStatus(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Released to the location, waiting for picking.")
    PICKING = "PICKING"
    PACKED = "PACKED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


@strawberry.type
class ShipmentLine:
    sku: str
    quantity: int
    picked: int


@strawberry.type(description="""The unit of work of one location for one order (a fulfillment order). Created when an
order's allocations are released: one per location holding allocations.
Shipping it takes the units out of onHand and committed.""")
class Shipment(Node):
    location: str
    status: ShipmentStatus
    lines: list[ShipmentLine]
    carrier: Optional[str]
    tracking_number: Optional[str]
    tracking_url: Optional[str]
    created_at: datetime
    shipped_at: Optional[datetime]
    delivered_at: Optional[datetime]
    order_seq: strawberry.Private[int]

    @classmethod
    def of(cls, r: dict) -> "Shipment":
        return cls(
            id=strawberry.ID(ids.encode("Shipment", r["seq"])), location=r["loc"], status=ShipmentStatus(r["status"]),
            lines=[ShipmentLine(sku=l["sku"], quantity=l["quantity"], picked=l["picked"]) for l in r["lines"]],
            carrier=r["carrier"], tracking_number=r["trackingNumber"], tracking_url=r["trackingUrl"],
            created_at=datetime.fromisoformat(r["createdAt"]), shipped_at=_dt(r["shippedAt"]),
            delivered_at=_dt(r["deliveredAt"]), order_seq=r["order"],
        )

    @strawberry.field
    def order(self, info: strawberry.Info) -> "Order":
        return Order.of(info.context["engine"].read.order(self.order_seq))


@strawberry.type
class Order(Node):
    number: str = strawberry.field(description="Human-facing, unique, increasing: SO-000001, SO-000002, ...")
    channel: str
    external_id: Optional[str] = strawberry.field(description="""The order's id in its channel. (channel, externalId) is unique: placing it again (in a
later request or later in the same batch) returns the first order, unchanged, reserving
nothing more. A retry whose lines (sku, quantity, unitPrice), customer email or shipping
address differ from the stored order is refused with CONFLICT on ["input", "externalId"]
(the message names the stored order's number) and changes nothing. A refused placement
uses no order number.""")
    status: OrderStatus
    hold_reason: Optional[str]
    record: strawberry.Private[dict]

    # The nested parts are built only when selected: a placement answered with `id` alone
    # spent 28 us per order building lines, allocations and the customer for nothing.
    # (Resolvers from here on: strawberry lists plain fields before resolvers, and the schema's
    # field order stays as it was.)
    @strawberry.field
    def customer(self) -> Optional[Customer]:
        return Customer.of(self.record["customer"]) if self.record.get("customer") else None

    @strawberry.field
    def shipping_address(self) -> Optional[Address]:
        return Address.of(self.record["shippingAddress"])

    @strawberry.field
    def currency(self) -> str:
        return self.record["currency"]

    @strawberry.field
    def lines(self) -> list[OrderLine]:
        return [OrderLine.of(self.record, i, l) for i, l in enumerate(self.record["lines"])]

    @strawberry.field
    def subtotal(self) -> Decimal:
        return Decimal(self.record["subtotal"])

    @strawberry.field(description="Equals subtotal until discounts, tax and shipping charges exist.")
    def total(self) -> Decimal:
        return Decimal(self.record["subtotal"])

    @strawberry.field(description="total - the lines' unitCost x quantity; null while a line has no cost.")
    def margin(self) -> Optional[Decimal]:
        return order_rules.margin(self.record)

    @strawberry.field
    def tags(self) -> list[str]:
        return self.record["tags"]

    @strawberry.field
    def placed_at(self) -> datetime:
        return datetime.fromisoformat(self.record["placedAt"])

    @strawberry.field
    def updated_at(self) -> datetime:
        return datetime.fromisoformat(self.record["updatedAt"])

    @classmethod
    def of(cls, r: dict) -> "Order":
        return cls(
            id=strawberry.ID(ids.encode("Order", r["seq"])), number=r["number"], channel=r["channel"],
            external_id=r["externalId"], status=OrderStatus(r["status"]), hold_reason=r["holdReason"], record=r,
        )

    @strawberry.field
    def shipments(self, info: strawberry.Info) -> list[Shipment]:
        return [Shipment.of(s) for s in info.context["engine"].read.shipments_of(self.record)]

    @strawberry.field
    def events(self, info: strawberry.Info, first: Optional[int] = None,
               after: Optional[str] = None) -> Annotated["EventConnection", strawberry.lazy("api.automation.types")]:
        from ..automation.queries import event_connection
        return event_connection(info, first, after, None, self.record["seq"])

    @strawberry.field
    def returns(self, info: strawberry.Info) -> list[Return]:
        return [Return.of(r) for r in info.context["engine"].read.returns_of(self.record)]


@strawberry.enum
class ReturnStatus(Enum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"


@strawberry.enum
class ReturnResolution(Enum):
    REFUND = "REFUND"
    EXCHANGE = "EXCHANGE"
    STORE_CREDIT = "STORE_CREDIT"


@strawberry.enum
class ItemCondition(Enum):
    RESELLABLE = "RESELLABLE"
    DAMAGED = "DAMAGED"


@strawberry.type(description="Requested quantities are held by the return while it is open: no other return can claim the same units.")
class ReturnLine:
    sku: str
    quantity: int
    reason: Optional[str]
    exchange_sku: Optional[str]
    received: int
    condition: Optional[ItemCondition]


@strawberry.type
class Return(Node):
    number: str
    status: ReturnStatus
    resolution: ReturnResolution
    lines: list[ReturnLine]
    refund_amount: Optional[Decimal] = strawberry.field(description="Unit price times received quantity, summed; set when received.")
    created_at: datetime
    order_seq: strawberry.Private[int]
    exchange_seq: strawberry.Private[Optional[int]]

    @classmethod
    def of(cls, r: dict) -> "Return":
        return cls(
            id=strawberry.ID(ids.encode("Return", r["seq"])), number=r["number"], status=ReturnStatus(r["status"]),
            resolution=ReturnResolution(r["resolution"]),
            lines=[ReturnLine(sku=l["sku"], quantity=l["quantity"], reason=l["reason"], exchange_sku=l["exchangeSku"],
                              received=l["received"], condition=ItemCondition(l["condition"]) if l["condition"] else None)
                   for l in r["lines"]],
            refund_amount=Decimal(r["refundAmount"]) if r["refundAmount"] is not None else None,
            created_at=datetime.fromisoformat(r["createdAt"]), order_seq=r["order"], exchange_seq=r["exchangeOrder"],
        )

    @strawberry.field
    def order(self, info: strawberry.Info) -> Order:
        return Order.of(info.context["engine"].read.order(self.order_seq))

    @strawberry.field(description="For EXCHANGE: the replacement order, placed at zero price when the return is approved.")
    def exchange_order(self, info: strawberry.Info) -> Optional[Order]:
        return None if self.exchange_seq is None else Order.of(info.context["engine"].read.order(self.exchange_seq))


@strawberry.input
class OrderLineInput:
    sku: str
    quantity: int
    unit_price: Optional[Decimal] = strawberry.field(default=None, description="Defaults to the product's price.")


@strawberry.input
class OrderInput:
    channel: str
    external_id: Optional[str] = None
    customer: Optional[CustomerInput] = None
    shipping_address: Optional[AddressInput] = None
    currency: Optional[str] = "USD"
    lines: list[OrderLineInput]
    tags: Optional[list[str]] = None
    placed_at: Optional[datetime] = strawberry.field(default=None, description="When the customer placed it in the channel; defaults to now.")
    note: Optional[str] = None


@strawberry.type
class OrderPayload:
    order: Optional[Order]
    user_errors: list[UserError]


@strawberry.type
class OrdersPayload:
    orders: list[Optional[Order]] = strawberry.field(description="One entry per input, in input order; null where that input was refused.")
    user_errors: list[UserError] = strawberry.field(description='field paths start with the input\'s index: ["input", "7", "lines", "0", "sku"].')


@strawberry.input
class OrderFilter:
    status: Optional[list[OrderStatus]] = None
    channel: Optional[str] = None
    customer_email: Optional[str] = None
    sku: Optional[str] = None
    tag: Optional[str] = None
    placed_after: Optional[datetime] = None
    placed_before: Optional[datetime] = None

    def record(self) -> dict:
        return {
            "status": [s.value for s in self.status] if self.status else None, "channel": self.channel,
            "customerEmail": self.customer_email, "sku": self.sku, "tag": self.tag,
            "placedAfter": _utc(self.placed_after), "placedBefore": _utc(self.placed_before),
        }


@strawberry.type
class OrderEdge:
    cursor: str
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]
    page_info: PageInfo
    filters: strawberry.Private[dict]

    @strawberry.field
    def total_count(self, info: strawberry.Info) -> Optional[int]:
        return info.context["engine"].read.count_orders({k: v for k, v in self.filters.items() if v is not None})


def order_connection(info: strawberry.Info, first: Optional[int], after: Optional[str], filters: dict) -> OrderConnection:
    size = page_size(first)
    active = {k: v for k, v in filters.items() if v is not None}
    rows, more, resume = info.context["engine"].read.orders(seq_cursor(after), size, active)
    info_ = page_info([r["cursor"] for r in rows], more, after)
    if resume is not None:
        info_.end_cursor = resume  # the scan bound was reached: continue from there
    return OrderConnection(edges=[OrderEdge(cursor=r["cursor"], node=Order.of(r)) for r in rows], page_info=info_, filters=active)


def _dt(value: Optional[str]) -> Optional[datetime]:
    return datetime.fromisoformat(value) if value else None


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    from datetime import timezone
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def _decimal(text: str | None) -> Optional[Decimal]:
    return None if text is None else Decimal(text)
