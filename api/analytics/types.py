"""Analytics answers: sales per bucket, stock per bucket end, top products, fulfilment rates."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Optional

import strawberry


@strawberry.enum
class TimeBucket(Enum):
    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


@strawberry.type
class SalesPoint:
    bucket_start: datetime
    channel: Optional[str] = strawberry.field(description="Set when the query groups by channel.")
    orders: int
    units: int
    revenue: Decimal
    discounts: Decimal
    margin: Optional[Decimal] = strawberry.field(description="revenue - cost of the units; null while a sku sold has no cost.")

    @classmethod
    def of(cls, p: dict) -> "SalesPoint":
        return cls(bucket_start=p["bucketStart"], channel=p["channel"], orders=p["orders"], units=p["units"],
                   revenue=p["revenue"], discounts=p["discounts"], margin=p["margin"])


@strawberry.type
class InventoryPoint:
    at: datetime
    on_hand: int
    committed: int
    available: int


@strawberry.type
class ProductSales:
    sku: str
    units: int
    revenue: Decimal
    orders: int
    margin: Optional[Decimal]


@strawberry.type
class FulfillmentStats:
    orders_placed: int
    orders_shipped: int
    fill_rate: float = strawberry.field(description="Units allocated at placement over units ordered.")
    backorder_rate: float
    median_hours_to_ship: Optional[float] = strawberry.field(description="Median hours from placement to the last shipment.")
    return_rate: float
