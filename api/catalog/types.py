"""Locations, products (bundles included), channels and routing policies."""
from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Optional

import strawberry

from .. import ids
from ..common import Node, PageInfo, UserError, page_size
from ..inventory.types import StockLevel, StockLevelConnection


@strawberry.enum
class LocationKind(Enum):
    WAREHOUSE = "WAREHOUSE"
    STORE = "STORE"
    THIRD_PARTY = "THIRD_PARTY"
    DROPSHIP = "DROPSHIP"


@strawberry.type
class Address:
    name: Optional[str] = None
    line1: Optional[str] = None
    line2: Optional[str] = None
    city: Optional[str] = None
    region: Optional[str] = None
    postal_code: Optional[str] = None
    country: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None

    @classmethod
    def of(cls, record: Optional[dict]) -> Optional["Address"]:
        return None if record is None else cls(**{k: record.get(v) for k, v in ADDRESS_FIELDS.items()})


ADDRESS_FIELDS = {"name": "name", "line1": "line1", "line2": "line2", "city": "city", "region": "region",
                  "postal_code": "postalCode", "country": "country", "latitude": "latitude", "longitude": "longitude"}


@strawberry.input
class AddressInput:
    name: Optional[str] = None
    line1: Optional[str] = None
    line2: Optional[str] = None
    city: Optional[str] = None
    region: Optional[str] = None
    postal_code: Optional[str] = None
    country: str
    latitude: Optional[float] = None
    longitude: Optional[float] = None

    def record(self) -> dict:
        return {v: getattr(self, k) for k, v in ADDRESS_FIELDS.items()}


def address_record(value: Optional[AddressInput]) -> Optional[dict]:
    return None if value is None else value.record()


@strawberry.type
class Location(Node):
    code: str
    name: str
    kind: LocationKind
    priority: int = strawberry.field(description="Lower is preferred by the PRIORITY routing sort.")
    active: bool
    address: Optional[Address]

    @classmethod
    def of(cls, r: dict) -> "Location":
        return cls(id=strawberry.ID(ids.encode("Location", r["code"])), code=r["code"], name=r["name"],
                   kind=LocationKind(r["kind"]), priority=r["priority"], active=r["active"], address=Address.of(r["address"]))

    @strawberry.field
    def stock_levels(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None) -> StockLevelConnection:
        from ..inventory.queries import stock_connection
        rows, more = info.context["engine"].read.stock_levels(after, page_size(first), location=self.code)
        return stock_connection(rows, more, after)


@strawberry.input
class LocationInput:
    code: str
    name: str
    kind: Optional[LocationKind] = LocationKind.WAREHOUSE
    priority: Optional[int] = 0
    active: Optional[bool] = True
    address: Optional[AddressInput] = None


@strawberry.type
class LocationPayload:
    location: Optional[Location]
    user_errors: list[UserError]


@strawberry.type
class BundleComponent:
    sku: str
    quantity: int


@strawberry.input
class BundleComponentInput:
    sku: str
    quantity: int


@strawberry.type
class Product(Node):
    sku: str
    name: str
    barcode: Optional[str]
    price: Optional[Decimal]
    cost: Optional[Decimal] = strawberry.field(description="What one unit costs the business (for margins); never shown to channels.")
    weight_grams: Optional[int]
    components: list[BundleComponent] = strawberry.field(description="""A bundle (kit) holds no stock of its own: an order line for it is allocated as its
components (each routed like a line of its own), and its allocations name the component skus.""")

    @classmethod
    def of(cls, r: dict) -> "Product":
        return cls(id=strawberry.ID(ids.encode("Product", r["sku"])), sku=r["sku"], name=r["name"], barcode=r["barcode"],
                   price=None if r["price"] is None else Decimal(r["price"]),
                   cost=None if r.get("cost") is None else Decimal(r["cost"]), weight_grams=r["weightGrams"],
                   components=[BundleComponent(sku=c["sku"], quantity=c["quantity"]) for c in r["components"]])

    @strawberry.field
    def stock_levels(self, info: strawberry.Info) -> list[StockLevel]:
        return [StockLevel.of(row) for row in info.context["engine"].read.stock_levels_of(self.sku)]

    @strawberry.field(description="""Units that can still be promised, summed over active locations (with `channel`: only the
locations its routing policy may use). For a bundle: complete kits, the least over its
components of floor(available component units / component quantity).""")
    def available(self, info: strawberry.Info, channel: Optional[str] = None) -> int:
        return info.context["engine"].read.available(self.sku, channel)


@strawberry.input
class ProductInput:
    sku: str
    name: str
    barcode: Optional[str] = None
    price: Optional[Decimal] = None
    cost: Optional[Decimal] = None
    weight_grams: Optional[int] = None
    components: Optional[list[BundleComponentInput]] = None


@strawberry.type
class ProductsPayload:
    products: list[Product]
    user_errors: list[UserError]


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo
    total_count: Optional[int]


@strawberry.enum
class ChannelKind(Enum):
    STOREFRONT = "STOREFRONT"
    MARKETPLACE = "MARKETPLACE"
    B2B = "B2B"
    EDI = "EDI"
    POS = "POS"
    PORTAL = "PORTAL"
    MANUAL = "MANUAL"


@strawberry.enum
class RoutingSort(Enum):
    FEWEST_SHIPMENTS = strawberry.enum_value("FEWEST_SHIPMENTS", description="Prefer locations that can fill every remaining line alone, then locations this order already uses.")
    NEAREST = strawberry.enum_value("NEAREST", description="Great-circle distance from the shipping address to the location; unknown distances sort last.")
    PRIORITY = strawberry.enum_value("PRIORITY", description="Location.priority, lower first.")
    MOST_STOCK = strawberry.enum_value("MOST_STOCK", description="Most available units of the line first.")


@strawberry.enum
class ShortageAction(Enum):
    BACKORDER = strawberry.enum_value("BACKORDER", description="Allocate what can be allocated; the rest waits, first come first served, for stock.")
    REJECT = strawberry.enum_value("REJECT", description="Refuse the whole order with INSUFFICIENT_STOCK; nothing is stored or reserved.")


@strawberry.type
class RoutingRule:
    name: str
    condition: Optional[str] = strawberry.field(description="CEL expression over `order`; the rule is skipped when false. Null: always.")
    locations: Optional[list[str]] = strawberry.field(description="Only these locations (null: every active location).")
    location_kinds: Optional[list[LocationKind]]
    max_distance_km: Optional[float] = strawberry.field(description="Excludes locations farther than this, and those whose distance is unknown.")
    sort: list[RoutingSort]
    allow_split: bool = strawberry.field(description="False: the rule allocates only if one location can fill every remaining line; else it allocates nothing.")
    max_shipments: Optional[int] = strawberry.field(description="Most locations the whole order may ship from, counting allocations made by earlier rules.")


@strawberry.input
class RoutingRuleInput:
    name: str
    condition: Optional[str] = None
    locations: Optional[list[str]] = None
    location_kinds: Optional[list[LocationKind]] = None
    max_distance_km: Optional[float] = None
    sort: list[RoutingSort] = strawberry.field(default_factory=lambda: [RoutingSort.FEWEST_SHIPMENTS, RoutingSort.PRIORITY])
    allow_split: bool = True
    max_shipments: Optional[int] = None


@strawberry.type(description="""How a channel's orders find stock. Rules are tried in order: what one rule cannot
allocate falls through to the next; what the last cannot allocate meets onShortage.
A channel with no policy uses one rule: every active location, [FEWEST_SHIPMENTS, PRIORITY],
splits allowed, BACKORDER.""")
class RoutingPolicy:
    channel: str
    rules: list[RoutingRule]
    on_shortage: ShortageAction

    @classmethod
    def of(cls, channel: str, policy: dict) -> "RoutingPolicy":
        rules = [RoutingRule(
            name=r["name"], condition=r["condition"], locations=r["locations"],
            location_kinds=None if r["locationKinds"] is None else [LocationKind(k) for k in r["locationKinds"]],
            max_distance_km=r["maxDistanceKm"], sort=[RoutingSort(s) for s in r["sort"]],
            allow_split=r["allowSplit"], max_shipments=r["maxShipments"],
        ) for r in policy["rules"]]
        return cls(channel=channel, rules=rules, on_shortage=ShortageAction(policy["onShortage"]))


@strawberry.input
class RoutingPolicyInput:
    channel: str
    rules: list[RoutingRuleInput]
    on_shortage: ShortageAction = ShortageAction.BACKORDER


@strawberry.type
class RoutingPolicyPayload:
    policy: Optional[RoutingPolicy]
    user_errors: list[UserError]


@strawberry.type
class Channel(Node):
    code: str
    name: str
    kind: ChannelKind
    routing: RoutingPolicy

    @classmethod
    def of(cls, r: dict) -> "Channel":
        from engine.domain.routing import policy_record
        return cls(id=strawberry.ID(ids.encode("Channel", r["code"])), code=r["code"], name=r["name"],
                   kind=ChannelKind(r["kind"]), routing=RoutingPolicy.of(r["code"], policy_record(r)))


@strawberry.input
class ChannelInput:
    code: str
    name: str
    kind: ChannelKind


@strawberry.type
class ChannelPayload:
    channel: Optional[Channel]
    user_errors: list[UserError]
