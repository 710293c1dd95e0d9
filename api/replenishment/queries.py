"""Queries of forecasts, replenishment suggestions, forecast adjustments and reorder rules. Bad
arguments are GraphQL errors with extensions.code and extensions.field, as in analytics."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry

from ..analytics.types import TimeBucket
from ..common import value_or_raise
from .types import Forecast, ForecastAdjustment, ForecastMethod, ReorderRule, ReplenishmentSuggestion


@strawberry.type
class ReplenishmentQuery:
    @strawberry.field
    def forecast(self, info: strawberry.Info, sku: str, location: Optional[str] = None, horizon_days: Optional[int] = 28,
                 method: Optional[ForecastMethod] = ForecastMethod.AUTO, bucket: Optional[TimeBucket] = TimeBucket.DAY,
                 as_of: Optional[datetime] = None) -> Forecast:
        result = info.context["engine"].read.forecast(sku, location, 28 if horizon_days is None else horizon_days,
                                                      (method or ForecastMethod.AUTO).value, (bucket or TimeBucket.DAY).value, as_of)
        return Forecast.of(value_or_raise(result))

    @strawberry.field
    def replenishment_suggestions(self, info: strawberry.Info, location: Optional[str] = None, lead_time_days: Optional[int] = 7,
                                  service_level: Optional[float] = 0.95, horizon_days: Optional[int] = 28) -> list[ReplenishmentSuggestion]:
        rows = value_or_raise(suggestions(info, location, None, lead_time_days, service_level, horizon_days))
        return [ReplenishmentSuggestion.of(r) for r in rows]

    @strawberry.field
    def forecast_adjustments(self, info: strawberry.Info) -> list[ForecastAdjustment]:
        return [ForecastAdjustment.of(r) for r in info.context["engine"].read.forecast_adjustments()]

    @strawberry.field
    def reorder_rules(self, info: strawberry.Info, sku: Optional[str] = None, location: Optional[str] = None) -> list[ReorderRule]:
        return [ReorderRule.of(r) for r in info.context["engine"].read.reorder_rules(sku, location)]


def suggestions(info: strawberry.Info, location, skus, lead_time_days, service_level, horizon_days):
    return info.context["engine"].read.replenishment(location, skus, 7 if lead_time_days is None else lead_time_days,
                                                     0.95 if service_level is None else service_level,
                                                     28 if horizon_days is None else horizon_days)
