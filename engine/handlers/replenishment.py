"""Forecast adjustments and reorder rules: what buyers set for the forecast and the suggestions."""
from __future__ import annotations

import math

from ..domain import limits, validation as check
from ..domain.commands import DeleteForecastAdjustment, ReorderRuleDraft, Result, SaveForecastAdjustment, SetReorderRules
from ..domain.errors import Code, err
from ..domain.moments import as_utc
from ..domain.state import EngineState
from ..storage.store import REORDER_RULE_KEY, u64
from ..storage.tx import WriteTx


def save_adjustment(state: EngineState, tx: WriteTx, cmd: SaveForecastAdjustment) -> Result:
    errors: list = []
    if cmd.sku is not None and cmd.sku not in state.catalog.products:
        errors.append(err(Code.NOT_FOUND, f"unknown sku {cmd.sku[:limits.key_chars_max]}", "input", "sku"))
    start, end = as_utc(cmd.start), as_utc(cmd.end)
    if end <= start:
        errors.append(err(Code.INVALID, "to must be after from", "input", "to"))
    if not (math.isfinite(cmd.factor) and 0 <= cmd.factor <= limits.forecast_factor_max):
        errors.append(err(Code.INVALID, f"factor must be between 0 and {limits.forecast_factor_max}", "input", "factor"))
    check.text(errors, cmd.note, ("input", "note"))
    if tx.txn.stat(tx.store.db["forecast_adjustments"])["entries"] >= limits.forecast_adjustments_max:
        errors.append(err(Code.LIMIT_EXCEEDED, f"at most {limits.forecast_adjustments_max} forecast adjustments are kept: "
                          "delete old ones first", "input"))
    if errors:
        return Result(None, errors)
    record = {"seq": state.next("adjustment"), "sku": cmd.sku, "from": start.isoformat(), "to": end.isoformat(),
              "factor": float(cmd.factor), "note": cmd.note}
    tx.put("forecast_adjustments", u64(record["seq"]), record)
    return Result(record)


def delete_adjustment(state: EngineState, tx: WriteTx, cmd: DeleteForecastAdjustment) -> Result:
    if tx.raw("forecast_adjustments", u64(cmd.adjustment)) is None:
        return Result(None, [err(Code.NOT_FOUND, "no forecast adjustment with this id", "id")])
    tx.delete("forecast_adjustments", u64(cmd.adjustment))
    return Result(cmd.adjustment)


def set_reorder_rules(state: EngineState, tx: WriteTx, cmd: SetReorderRules) -> Result:
    errors: list = []
    if not check.count(errors, cmd.rules, limits.batch_items_max, ("input",), "reorder rules"):
        return Result(None, errors)
    keys, seen = [], set()
    for j, draft in enumerate(cmd.rules):
        key = _rule_key(state, draft, ("input", j), errors)
        if (draft.sku, draft.location) in seen:
            errors.append(err(Code.DUPLICATE, f"{draft.sku} at {draft.location} appears twice", "input", j))
        seen.add((draft.sku, draft.location))
        _check_rule(errors, draft, ("input", j))
        keys.append(key)
    if errors:
        return Result(None, errors)
    records = [_rule_record(draft) for draft in cmd.rules]
    for key, record in zip(keys, records):
        tx.put("reorder_rules", key, record)
    return Result(records)


def _rule_key(state: EngineState, draft: ReorderRuleDraft, path: tuple, errors: list) -> bytes | None:
    product = state.catalog.products.get(draft.sku)
    if product is None:
        errors.append(err(Code.NOT_FOUND, f"unknown sku {draft.sku[:limits.key_chars_max]}", *path, "sku"))
    elif product.is_bundle:
        errors.append(err(Code.INVALID, "a bundle holds no stock: set rules on its components", *path, "sku"))
    location = state.catalog.locations.get(draft.location)
    if location is None:
        errors.append(err(Code.NOT_FOUND, f"unknown location {draft.location[:limits.key_chars_max]}", *path, "location"))
    if product is None or location is None:
        return None
    return REORDER_RULE_KEY.pack(product.idx, location["idx"])


def _check_rule(errors: list, draft: ReorderRuleDraft, path: tuple) -> None:
    if draft.min_quantity is not None:
        check.quantity(errors, draft.min_quantity, (*path, "minQuantity"), allow_zero=True)
    if draft.max_quantity is not None and check.quantity(errors, draft.max_quantity, (*path, "maxQuantity")):
        if draft.min_quantity is not None and draft.max_quantity < draft.min_quantity:
            errors.append(err(Code.INVALID, "maxQuantity must not be below minQuantity", *path, "maxQuantity"))
    check.quantity(errors, draft.multiple, (*path, "multiple"))
    check.quantity(errors, draft.minimum_order_quantity, (*path, "minimumOrderQuantity"))
    if draft.lead_time_days is not None and not 0 <= draft.lead_time_days <= limits.lead_time_days_max:
        errors.append(err(Code.INVALID, f"leadTimeDays must be between 0 and {limits.lead_time_days_max}", *path, "leadTimeDays"))
    check.text(errors, draft.supplier, (*path, "supplier"))


def _rule_record(draft: ReorderRuleDraft) -> dict:
    return {"sku": draft.sku, "location": draft.location, "minQuantity": draft.min_quantity,
            "maxQuantity": draft.max_quantity, "multiple": draft.multiple,
            "minimumOrderQuantity": draft.minimum_order_quantity, "leadTimeDays": draft.lead_time_days,
            "supplier": draft.supplier}

