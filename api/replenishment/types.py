"""Forecast adjustments and reorder rules."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from .. import ids
from ..common import Node, UserError


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
