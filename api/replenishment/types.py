"""Forecast adjustments and reorder rules."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Optional

import strawberry

from .. import ids
from ..analytics.types import TimeBucket
from ..common import Node, UserError
from ..purchasing.types import PurchaseOrder


@strawberry.type
class ForecastAdjustment(Node):
    sku: Optional[str]
    from_: datetime = strawberry.field(name="from")
    to: datetime
    factor: float
    note: Optional[str]

    @classmethod
    def of(cls, r: dict) -> "ForecastAdjustment":
        return cls(id=strawberry.ID(ids.encode("ForecastAdjustment", r["seq"])), sku=r["sku"],
                   from_=datetime.fromisoformat(r["from"]), to=datetime.fromisoformat(r["to"]), factor=r["factor"],
                   note=r["note"])


@strawberry.input
class ForecastAdjustmentInput:
    sku: Optional[str] = strawberry.field(default=None, description="Null: every sku.")
    from_: datetime = strawberry.field(name="from")
    to: datetime
    factor: float = strawberry.field(description="Multiplies the forecast inside the window (a promotion: 1.5; a closure: 0).")
    note: Optional[str] = None


@strawberry.type
class ForecastAdjustmentPayload:
    adjustment: Optional[ForecastAdjustment]
    user_errors: list[UserError]


@strawberry.type(description="Per (sku, location) replenishment settings, as ERPs keep them (Odoo's reordering rules).")
class ReorderRule:
    sku: str
    location: str
    min_quantity: Optional[int] = strawberry.field(description="Never suggest less stock than this (null: no minimum).")
    max_quantity: Optional[int] = strawberry.field(description="Never suggest more stock than this (null: no maximum).")
    multiple: int = strawberry.field(description="Suggested quantities are rounded up to a multiple of this (a case of 12).")
    minimum_order_quantity: int
    lead_time_days: Optional[int] = strawberry.field(description="Overrides the query's leadTimeDays for this sku.")
    supplier: Optional[str]

    @classmethod
    def of(cls, r: dict) -> "ReorderRule":
        return cls(sku=r["sku"], location=r["location"], min_quantity=r["minQuantity"], max_quantity=r["maxQuantity"],
                   multiple=r["multiple"], minimum_order_quantity=r["minimumOrderQuantity"],
                   lead_time_days=r["leadTimeDays"], supplier=r["supplier"])


@strawberry.input
class ReorderRuleInput:
    sku: str
    location: str
    min_quantity: Optional[int] = None
    max_quantity: Optional[int] = None
    multiple: Optional[int] = 1
    minimum_order_quantity: Optional[int] = 1
    lead_time_days: Optional[int] = None
    supplier: Optional[str] = None


@strawberry.type
class ReorderRulesPayload:
    rules: list[ReorderRule]
    user_errors: list[UserError]


@strawberry.enum(description="Demand is units ordered (placed and not cancelled, whatever was allocated), per bucket, "
                             "from the order history. AUTO chooses per sku by a rule stated in the README "
                             "(intermittent demand: TSB); Forecast.method says which method it chose.")
class ForecastMethod(Enum):
    AUTO = "AUTO"
    SES = "SES"
    HOLT = "HOLT"
    HOLT_WINTERS = "HOLT_WINTERS"
    CROSTON = "CROSTON"
    TSB = "TSB"


@strawberry.type
class ForecastPoint:
    date: datetime = strawberry.field(description="The start of the bucket.")
    quantity: float
    lower: float = strawberry.field(description="The 10% quantile of demand in the bucket.")
    upper: float = strawberry.field(description="The 90% quantile of demand in the bucket.")


@strawberry.type
class Forecast:
    sku: str
    location: Optional[str]
    method: ForecastMethod
    bucket: TimeBucket
    points: list[ForecastPoint]
    backtest_mase: Optional[float]
    backtest_rmsse: Optional[float]
    backtest_bias: Optional[float]

    @classmethod
    def of(cls, r: dict) -> "Forecast":
        f = r["forecast"]
        return cls(sku=r["sku"], location=r["location"], method=ForecastMethod(f.method), bucket=TimeBucket(r["bucket"]),
                   points=[ForecastPoint(date=_midnight(p.start), quantity=p.quantity, lower=p.lower, upper=p.upper)
                           for p in f.points],
                   backtest_mase=f.backtest_mase, backtest_rmsse=f.backtest_rmsse, backtest_bias=f.backtest_bias)


@strawberry.type
class ReplenishmentSuggestion:
    sku: str
    location: str
    on_hand: int
    committed: int
    incoming: int
    forecast_demand: float = strawberry.field(description="Forecast demand over leadTimeDays + horizonDays.")
    safety_stock: int
    reorder_point: int
    suggested_quantity: int
    stockout_date: Optional[datetime] = strawberry.field(
        description="When available stock plus incoming runs out at the forecast rate; null beyond the horizon.")
    supplier: Optional[str]
    reason: str = strawberry.field(description="Why this quantity, in a sentence (which rule or bound decided it).")

    @classmethod
    def of(cls, r: dict) -> "ReplenishmentSuggestion":
        s = r["suggestion"]
        return cls(sku=r["sku"], location=r["location"], on_hand=r["onHand"], committed=r["committed"], incoming=r["incoming"],
                   forecast_demand=s.forecast_demand, safety_stock=s.safety_stock, reorder_point=s.reorder_point,
                   suggested_quantity=s.suggested_quantity,
                   stockout_date=None if s.stockout_date is None else _midnight(s.stockout_date), supplier=s.supplier,
                   reason=s.reason)


@strawberry.type
class PurchaseOrdersPayload:
    purchase_orders: list[PurchaseOrder]
    user_errors: list[UserError]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)
