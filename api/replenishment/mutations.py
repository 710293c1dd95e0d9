"""Mutations of forecast adjustments and reorder rules."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine import limits
from engine.domain.commands import CreatePurchaseOrder, DeleteForecastAdjustment, ReorderRuleDraft, SaveForecastAdjustment, SetReorderRules
from engine.domain.errors import Code, UserError as EngineUserError

from ..common import DeletePayload, delete, run, user_errors
from ..purchasing.types import PurchaseOrder
from .queries import suggestions
from .types import PurchaseOrdersPayload, ForecastAdjustment, ForecastAdjustmentInput, ForecastAdjustmentPayload, ReorderRule, ReorderRuleInput, ReorderRulesPayload


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


@strawberry.type
class ReplenishmentApplyMutation:
    @strawberry.mutation(description="Turns the suggestions (of one location and these skus, or all) into purchase orders: "
                                     "one per location and supplier, suggestions without a supplier under 'unassigned'.")
    async def replenishment_apply(self, info: strawberry.Info, location: Optional[str] = None, skus: Optional[list[str]] = None,
                                  lead_time_days: Optional[int] = 7, service_level: Optional[float] = 0.95,
                                  horizon_days: Optional[int] = 28) -> PurchaseOrdersPayload:
        found = suggestions(info, location, skus, lead_time_days, service_level, horizon_days)
        if found.errors:
            return PurchaseOrdersPayload(purchase_orders=[], user_errors=user_errors(found.errors))
        orders, errors = [], []
        for command in purchase_orders(found.value):
            result = await run(info, command)
            errors.extend(result.errors)
            if result.value:
                orders.append(PurchaseOrder.of(result.value))
        return PurchaseOrdersPayload(purchase_orders=orders, user_errors=user_errors(errors))


def purchase_orders(rows: list[dict]) -> list[CreatePurchaseOrder]:
    """One purchase order per (location, supplier), split at the lines limit."""
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for r in rows:
        supplier = r["suggestion"].supplier or "unassigned"
        groups.setdefault((r["location"], supplier), []).append((r["sku"], r["suggestion"].suggested_quantity))
    step = limits.order_lines_max
    return [CreatePurchaseOrder(supplier, location, lines[i:i + step])
            for (location, supplier), lines in sorted(groups.items()) for i in range(0, len(lines), step)]
