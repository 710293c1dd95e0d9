"""inventoryAdjust and inventorySet: every change of onHand goes through the ledger.

When onHand drops below committed, the newest allocations there are released and routed
again; when stock is freed, waiting backorders are filled first come, first served.
"""
from __future__ import annotations

from ..domain import limits, validation as check
from ..domain.commands import AdjustInventory, Result, SetInventory
from ..domain.errors import Code, err
from ..domain.state import EngineState
from ..storage.tx import WriteTx
from .fulfilment import fill_backorders, release_newest, releasable_at
from .ledger import change_on_hand

MANUAL_REASONS = {"RECEIVED", "CORRECTION", "CYCLE_COUNT", "DAMAGED", "SHRINKAGE", "RETURN_RESTOCK", "TRANSFER"}


def adjust(state: EngineState, tx: WriteTx, cmd: AdjustInventory) -> Result:
    errors = _check_common(state, cmd.reason, cmd.reference, [(s, l) for s, l, _ in cmd.items])
    changes = []
    for i, (sku, loc, delta) in enumerate(cmd.items):
        if not _known(state, sku, loc):
            continue
        s, l = state.catalog.products[sku].idx, state.catalog.location_idx(loc)
        after = int(state.stock.on_hand[s, l]) + delta
        if after < 0:
            errors.append(err(Code.INVALID, f"onHand would be {after}", "input", i, "delta"))
        elif after > limits.quantity_max:
            errors.append(err(Code.LIMIT_EXCEEDED, f"onHand would exceed {limits.quantity_max}", "input", i, "delta"))
        else:
            _check_packed(state, tx, s, l, after, ("input", i, "delta"), errors)
        changes.append((s, l, after, None))
    _check_sku_totals(state, changes, "delta", errors)
    if errors:
        return Result(None, errors)
    return Result(_apply(state, tx, changes, cmd.reason, cmd.reference))


def set_levels(state: EngineState, tx: WriteTx, cmd: SetInventory) -> Result:
    errors = _check_common(state, cmd.reason, cmd.reference, [(i.sku, i.location) for i in cmd.items])
    changes = []
    for i, item in enumerate(cmd.items):
        if not _known(state, item.sku, item.location):
            continue
        s, l = state.catalog.products[item.sku].idx, state.catalog.location_idx(item.location)
        if check.quantity(errors, item.on_hand, ("input", i, "onHand"), allow_zero=True):
            _check_packed(state, tx, s, l, item.on_hand, ("input", i, "onHand"), errors)
        if item.safety_stock is not None:
            check.quantity(errors, item.safety_stock, ("input", i, "safetyStock"), allow_zero=True)
        now = int(state.stock.on_hand[s, l])
        if item.compare_on_hand is not None and item.compare_on_hand != now:
            errors.append(err(Code.CONFLICT, f"onHand is {now}, not {item.compare_on_hand}", "input", i, "compareOnHand"))
        changes.append((s, l, item.on_hand, item.safety_stock))
    _check_sku_totals(state, changes, "onHand", errors)
    if errors:
        return Result(None, errors)
    return Result(_apply(state, tx, changes, cmd.reason, cmd.reference))


def _check_sku_totals(state: EngineState, changes: list, field: str, errors: list) -> None:
    """A sku's onHand summed over locations is served as an Int too (Product.available)."""
    after: dict[int, dict[int, int]] = {}
    for s, l, on_hand, _ in changes:
        after.setdefault(s, {})[l] = on_hand
    for s, levels in after.items():
        n = state.stock.n_loc
        total = int(state.stock.on_hand[s, :n].sum()) + sum(v - int(state.stock.on_hand[s, l]) for l, v in levels.items())
        if total > limits.quantity_max:
            i = next(i for i, c in enumerate(changes) if c[0] == s)
            errors.append(err(Code.LIMIT_EXCEEDED, f"onHand over all locations would exceed {limits.quantity_max}", "input", i, field))


def _check_packed(state: EngineState, tx: WriteTx, s: int, l: int, on_hand: int, path: tuple, errors: list) -> None:
    """onHand may not drop below the units already packed there: those are in a box."""
    committed = int(state.stock.committed[s, l])
    if on_hand < committed:
        locked = committed - releasable_at(state, tx, s, l)
        if on_hand < locked:
            errors.append(err(Code.INVALID_STATE, f"{locked} units here are packed for shipment; onHand cannot go below that", *path))


def _known(state: EngineState, sku: str, loc: str) -> bool:
    product = state.catalog.products.get(sku)
    return product is not None and not product.is_bundle and loc in state.catalog.locations


def _check_common(state: EngineState, reason: str, reference: str | None, keys: list[tuple[str, str]]) -> list:
    errors: list = []
    if reason not in MANUAL_REASONS:
        errors.append(err(Code.INVALID, f"{reason} is written by the system, not by hand", "reason"))
    check.text(errors, reference, ("referenceDocumentUri",))
    if not check.count(errors, keys, limits.batch_items_max, ("input",), "items per request"):
        return errors
    if not keys:
        errors.append(err(Code.INVALID, "nothing to change", "input"))
    seen = set()
    for i, (sku, loc) in enumerate(keys):
        product = state.catalog.products.get(sku)
        if product is None:
            errors.append(err(Code.NOT_FOUND, f"unknown sku {sku[:limits.key_chars_max]}", "input", i, "sku"))
        elif product.is_bundle:
            errors.append(err(Code.INVALID, "a bundle holds no stock of its own: stock its components", "input", i, "sku"))
        if loc not in state.catalog.locations:
            errors.append(err(Code.NOT_FOUND, f"unknown location {loc[:limits.key_chars_max]}", "input", i, "location"))
        if (sku, loc) in seen:
            errors.append(err(Code.DUPLICATE, "this sku and location appear twice in the request", "input", i))
        seen.add((sku, loc))
    return errors


def _apply(state: EngineState, tx: WriteTx, changes, reason: str, reference: str | None) -> list[tuple[str, str]]:
    stock = state.stock
    for s, l, on_hand, safety in changes:
        if safety is not None:
            stock.safety[s, l] = safety
        change_on_hand(state, tx, s, l, on_hand - int(stock.on_hand[s, l]), reason, reference)
    for s, l, _, _ in changes:
        if stock.committed[s, l] > stock.on_hand[s, l]:
            release_newest(state, tx, s, l)
    fill_backorders(state, tx, {s for s, _, _, _ in changes})
    return [(state.catalog.sku_by_idx[s], state.catalog.location_codes[l]) for s, l, _, _ in changes]
