"""Queries of the analytics aggregates. Bad arguments (an unknown sku, location or channel,
`from` after `to`, too many buckets, HOUR) are GraphQL errors with extensions.code (INVALID,
NOT_FOUND) and extensions.field naming the argument."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Optional

import strawberry

from ..common import value_or_raise
from .types import FulfillmentStats, InventoryPoint, ProductSales, SalesPoint, TimeBucket

From = Annotated[datetime, strawberry.argument(name="from")]


@strawberry.type
class AnalyticsQuery:
    @strawberry.field
    def sales_summary(self, info: strawberry.Info, from_: From, to: datetime, bucket: Optional[TimeBucket] = TimeBucket.DAY,
                      by_channel: Optional[bool] = False, channel: Optional[str] = None, sku: Optional[str] = None) -> list[SalesPoint]:
        read = info.context["engine"].read
        points = value_or_raise(read.sales_summary(from_, to, _bucket(bucket), bool(by_channel), channel, sku))
        return [SalesPoint.of(p) for p in points]

    @strawberry.field
    def inventory_history(self, info: strawberry.Info, sku: str, location: Optional[str] = None, *, from_: From, to: datetime,
                          bucket: Optional[TimeBucket] = TimeBucket.DAY) -> list[InventoryPoint]:
        points = value_or_raise(info.context["engine"].read.inventory_history(sku, location, from_, to, _bucket(bucket)))
        return [InventoryPoint(at=p["at"], on_hand=p["onHand"], committed=p["committed"], available=p["available"]) for p in points]

    @strawberry.field
    def top_products(self, info: strawberry.Info, from_: From, to: datetime, limit: Optional[int] = 10,
                     channel: Optional[str] = None) -> list[ProductSales]:
        rows = value_or_raise(info.context["engine"].read.top_products(from_, to, 10 if limit is None else limit, channel))
        return [ProductSales(sku=p["sku"], units=p["units"], revenue=p["revenue"], orders=p["orders"], margin=p["margin"]) for p in rows]

    @strawberry.field
    def fulfillment_stats(self, info: strawberry.Info, from_: From, to: datetime, channel: Optional[str] = None) -> FulfillmentStats:
        s = value_or_raise(info.context["engine"].read.fulfillment_stats(from_, to, channel))
        return FulfillmentStats(orders_placed=s["ordersPlaced"], orders_shipped=s["ordersShipped"], fill_rate=s["fillRate"],
                                backorder_rate=s["backorderRate"], median_hours_to_ship=s["medianHoursToShip"],
                                return_rate=s["returnRate"])


def _bucket(bucket: Optional[TimeBucket]) -> str:
    return "DAY" if bucket is None else bucket.value
