"""Locations, products, channels and routing policies: validated, then stored."""
from __future__ import annotations

from ..domain import limits, validation as check
from ..domain.commands import Result, SetRoutingPolicy, UpsertChannel, UpsertLocation, UpsertProducts
from ..domain.conditions import SAMPLE_ORDER, compile_condition
from ..domain.errors import Code, err
from ..domain.state import EngineState
from ..kernel.codes import SORT_CODES
from ..storage.tx import WriteTx
from .fulfilment import fill_backorders

LOCATION_KINDS = {"WAREHOUSE", "STORE", "THIRD_PARTY", "DROPSHIP"}
CHANNEL_KINDS = {"STOREFRONT", "MARKETPLACE", "B2B", "EDI", "POS", "PORTAL", "MANUAL"}


def upsert_location(state: EngineState, tx: WriteTx, cmd: UpsertLocation) -> Result:
    errors: list = []
    check.key(errors, cmd.code, ("input", "code"), "code")
    check.text(errors, cmd.name, ("input", "name"), required=True)
    if cmd.kind not in LOCATION_KINDS:
        errors.append(err(Code.INVALID, "unknown location kind", "input", "kind"))
    check.address(errors, cmd.address, ("input", "address"))
    existing = state.catalog.locations.get(cmd.code)
    if existing is None and len(state.catalog.locations) >= limits.locations_max:
        errors.append(err(Code.LIMIT_EXCEEDED, f"at most {limits.locations_max} locations", "input", "code"))
    if errors:
        return Result(None, errors)
    idx = existing["idx"] if existing else len(state.catalog.location_codes)
    record = {"idx": idx, "code": cmd.code, "name": cmd.name, "kind": cmd.kind, "priority": cmd.priority,
              "active": cmd.active, "address": cmd.address}
    state.catalog.add_location(record)
    state.stock.ensure(len(state.catalog.sku_by_idx), len(state.catalog.location_codes))
    tx.put("locations", cmd.code.encode(), record)
    if cmd.active and not (existing and existing["active"]):
        fill_backorders(state, tx, set(state.backorders))
    return Result(record)


def upsert_products(state: EngineState, tx: WriteTx, cmd: UpsertProducts) -> Result:
    errors: list = []
    if not check.count(errors, cmd.products, limits.batch_items_max, ("input",), "products per request"):
        return Result(None, errors)
    seen: dict[str, int] = {}
    barcodes: dict[str, str] = {}
    for i, draft in enumerate(cmd.products):
        path = ("input", i)
        check.key(errors, draft.sku, (*path, "sku"), "sku")
        if draft.sku in seen:
            errors.append(err(Code.DUPLICATE, f"sku {draft.sku} appears twice in this request", *path, "sku"))
        seen[draft.sku] = i
        check.text(errors, draft.name, (*path, "name"), required=True)
        if draft.barcode is not None:
            check.key(errors, draft.barcode, (*path, "barcode"), "barcode")
            owner = barcodes.get(draft.barcode) or state.catalog.barcodes.get(draft.barcode)
            if owner is not None and owner != draft.sku:
                errors.append(err(Code.DUPLICATE, f"barcode already belongs to {owner}", *path, "barcode"))
            barcodes[draft.barcode] = draft.sku
        for name, amount in (("price", draft.price), ("cost", draft.cost)):
            if amount is not None:
                check.money(errors, amount, (*path, name))
        if draft.weight_grams is not None and draft.weight_grams < 0:
            errors.append(err(Code.INVALID, "weight must be >= 0", *path, "weightGrams"))
        _check_components(state, cmd, draft, path, seen, errors)
    if errors:
        return Result(None, errors)
    records = []
    for draft in cmd.products:
        existing = state.catalog.products.get(draft.sku)
        idx = existing.idx if existing else len(state.catalog.sku_by_idx)
        record = {
            "idx": idx, "sku": draft.sku, "name": draft.name, "barcode": draft.barcode,
            "price": None if draft.price is None else str(check.money([], draft.price, ())),
            "cost": None if draft.cost is None else str(check.money([], draft.cost, ())),
            "weightGrams": draft.weight_grams,
            "components": [{"sku": s, "quantity": q} for s, q in draft.components or ()],
        }
        state.catalog.add_product(record)
        state.stock.ensure(len(state.catalog.sku_by_idx), len(state.catalog.location_codes))
        tx.put("products", draft.sku.encode(), record)
        records.append(record)
    return Result(records)


def _check_components(state, cmd, draft, path, seen, errors) -> None:
    if not draft.components:
        existing = state.catalog.products.get(draft.sku)
        if existing and existing.is_bundle and draft.components is not None:
            errors.append(err(Code.INVALID, "a bundle cannot lose its components", *path, "components"))
        return
    if not check.count(errors, draft.components, limits.bundle_components_max, (*path, "components"), "components"):
        return
    existing = state.catalog.products.get(draft.sku)
    if existing and not existing.is_bundle and _holds_stock(state, existing.idx):
        errors.append(err(Code.INVALID, "a product with stock cannot become a bundle", *path, "components"))
    names = set()
    for j, (sku, qty) in enumerate(draft.components):
        cpath = (*path, "components", j)
        earlier = seen.get(sku, len(cmd.products)) < path[1]
        component = state.catalog.products.get(sku)
        if sku == draft.sku:
            errors.append(err(Code.INVALID, "a bundle cannot contain itself", *cpath, "sku"))
        elif component is None and not earlier:
            errors.append(err(Code.NOT_FOUND, f"unknown sku {sku}", *cpath, "sku"))
        elif (component and component.is_bundle) or (earlier and cmd.products[seen[sku]].components):
            errors.append(err(Code.INVALID, "bundles cannot contain bundles", *cpath, "sku"))
        if sku in names:
            errors.append(err(Code.DUPLICATE, f"component {sku} appears twice", *cpath, "sku"))
        names.add(sku)
        check.quantity(errors, qty, (*cpath, "quantity"))


def _holds_stock(state: EngineState, s: int) -> bool:
    n = state.stock.n_loc
    return bool(state.stock.on_hand[s, :n].any() or state.stock.committed[s, :n].any())


def upsert_channel(state: EngineState, tx: WriteTx, cmd: UpsertChannel) -> Result:
    errors: list = []
    check.key(errors, cmd.code, ("input", "code"), "code")
    check.text(errors, cmd.name, ("input", "name"), required=True)
    if cmd.kind not in CHANNEL_KINDS:
        errors.append(err(Code.INVALID, "unknown channel kind", "input", "kind"))
    if errors:
        return Result(None, errors)
    existing = state.catalog.channels.get(cmd.code)
    record = {"code": cmd.code, "name": cmd.name, "kind": cmd.kind, "policy": existing["policy"] if existing else None}
    state.catalog.add_channel(record)
    tx.put("channels", cmd.code.encode(), record)
    return Result(record)


def set_routing_policy(state: EngineState, tx: WriteTx, cmd: SetRoutingPolicy) -> Result:
    errors: list = []
    channel = state.catalog.channels.get(cmd.channel)
    if channel is None:
        errors.append(err(Code.NOT_FOUND, f"unknown channel {cmd.channel}", "input", "channel"))
    if not cmd.rules:
        errors.append(err(Code.INVALID, "a policy needs at least one rule", "input", "rules"))
    check.count(errors, cmd.rules, limits.routing_rules_max, ("input", "rules"), "rules")
    if cmd.on_shortage not in ("BACKORDER", "REJECT"):
        errors.append(err(Code.INVALID, "unknown shortage action", "input", "onShortage"))
    names: set[str] = set()
    for i, rule in enumerate(cmd.rules[: limits.routing_rules_max]):
        _check_rule(state, rule, ("input", "rules", i), names, errors)
    if errors:
        return Result(None, errors)
    policy = {"rules": [_rule_record(r) for r in cmd.rules], "onShortage": cmd.on_shortage}
    record = {**channel, "policy": policy}
    state.catalog.add_channel(record)
    tx.put("channels", cmd.channel.encode(), record)
    fill_backorders(state, tx, set(state.backorders))
    return Result({"channel": cmd.channel, **policy})


def _check_rule(state, rule, path, names, errors) -> None:
    check.key(errors, rule.name, (*path, "name"), "rule name")
    if rule.name in names:
        errors.append(err(Code.DUPLICATE, f"two rules are named {rule.name}", *path, "name"))
    names.add(rule.name)
    if rule.condition is not None:
        if len(rule.condition) > limits.cel_chars_max:
            errors.append(err(Code.LIMIT_EXCEEDED, f"condition longer than {limits.cel_chars_max} characters", *path, "condition"))
        else:
            _, problem = compile_condition(rule.condition, {"order": SAMPLE_ORDER})
            if problem:
                errors.append(err(Code.INVALID, f"condition {problem}", *path, "condition"))
    for j, code in enumerate(rule.locations or ()):
        if code not in state.catalog.locations:
            errors.append(err(Code.NOT_FOUND, f"unknown location {code}", *path, "locations", j))
    for j, kind in enumerate(rule.location_kinds or ()):
        if kind not in LOCATION_KINDS:
            errors.append(err(Code.INVALID, "unknown location kind", *path, "locationKinds", j))
    if rule.max_distance_km is not None and not rule.max_distance_km > 0:
        errors.append(err(Code.INVALID, "maxDistanceKm must be > 0", *path, "maxDistanceKm"))
    if rule.max_shipments is not None and rule.max_shipments < 1:
        errors.append(err(Code.INVALID, "maxShipments must be >= 1", *path, "maxShipments"))
    if not rule.sort or len(set(rule.sort)) != len(rule.sort) or not set(rule.sort) <= set(SORT_CODES):
        errors.append(err(Code.INVALID, "sort needs one or more distinct RoutingSort values", *path, "sort"))


def _rule_record(rule) -> dict:
    return {
        "name": rule.name, "condition": rule.condition, "locations": rule.locations,
        "locationKinds": rule.location_kinds, "maxDistanceKm": rule.max_distance_km,
        "sort": list(rule.sort), "allowSplit": rule.allow_split, "maxShipments": rule.max_shipments,
    }
