"""Mutations of forecast adjustments and reorder rules."""
from __future__ import annotations

import strawberry

from engine.domain.commands import DeleteForecastAdjustment, ReorderRuleDraft, SaveForecastAdjustment, SetReorderRules
from engine.domain.errors import Code, UserError as EngineUserError

from ..common import DeletePayload, delete, run, user_errors
from .types import ForecastAdjustment, ForecastAdjustmentInput, ForecastAdjustmentPayload, ReorderRule, ReorderRuleInput, ReorderRulesPayload


@strawberry.type
class ReplenishmentMutation:
    @strawberry.mutation
    async def forecast_adjustment_save(self, info: strawberry.Info, input: ForecastAdjustmentInput) -> ForecastAdjustmentPayload:
        result = await run(info, SaveForecastAdjustment(input.sku, input.from_, input.to, input.factor, input.note))
        return ForecastAdjustmentPayload(adjustment=ForecastAdjustment.of(result.value) if result.value else None,
                                         user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def forecast_adjustment_delete(self, info: strawberry.Info, id: strawberry.ID) -> DeletePayload:
        return await delete(info, id, "ForecastAdjustment", DeleteForecastAdjustment)

    @strawberry.mutation
    async def reorder_rules_set(self, info: strawberry.Info, input: list[ReorderRuleInput]) -> ReorderRulesPayload:
        nulls = [EngineUserError(("input", j, name), "must not be null", Code.INVALID)
                 for j, rule in enumerate(input) for name, value in (("multiple", rule.multiple),
                                                                      ("minimumOrderQuantity", rule.minimum_order_quantity))
                 if value is None]
        if nulls:
            return ReorderRulesPayload(rules=[], user_errors=user_errors(nulls))
        result = await run(info, SetReorderRules([
            ReorderRuleDraft(r.sku, r.location, r.min_quantity, r.max_quantity, r.multiple, r.minimum_order_quantity,
                             r.lead_time_days, r.supplier) for r in input]))
        return ReorderRulesPayload(rules=[ReorderRule.of(r) for r in result.value or []], user_errors=user_errors(result.errors))
