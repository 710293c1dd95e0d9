"""Queries of forecast adjustments and reorder rules."""
from __future__ import annotations

from typing import Optional

import strawberry

from .types import ForecastAdjustment, ReorderRule


@strawberry.type
class ReplenishmentQuery:
    @strawberry.field
    def forecast_adjustments(self, info: strawberry.Info) -> list[ForecastAdjustment]:
        return [ForecastAdjustment.of(r) for r in info.context["engine"].read.forecast_adjustments()]

    @strawberry.field
    def reorder_rules(self, info: strawberry.Info, sku: Optional[str] = None, location: Optional[str] = None) -> list[ReorderRule]:
        return [ReorderRule.of(r) for r in info.context["engine"].read.reorder_rules(sku, location)]
