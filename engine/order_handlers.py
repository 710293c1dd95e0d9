"""orderCancel, orderHold, orderRelease."""
from __future__ import annotations

from . import orders as order_rules, validation as check
from .commands import CancelOrder, HoldOrder, ReleaseOrder, Result
from .errors import Code, err
from .fulfilment import fill_backorders, release_units, settle
from .state import EngineState
from .tx import WriteTx

SHIPPED = {"SHIPPED", "DELIVERED"}


def _load(tx: WriteTx, seq: int) -> tuple[dict | None, list]:
    order = tx.order(seq)
    if order is None:
        return None, [err(Code.NOT_FOUND, "no order with this id", "id")]
    return order, []


def cancel(state: EngineState, tx: WriteTx, cmd: CancelOrder) -> Result:
    order, errors = _load(tx, cmd.order)
    check.text(errors, cmd.reason, ("reason",))
    if order and not any(l["quantity"] - l["cancelled"] - order_rules.line_shipped(l) for l in order["lines"]):
        errors.append(err(Code.INVALID_STATE, f"order is {order['status']}: nothing left to cancel", "id"))
    if errors:
        return Result(None, errors)
    freed: set[int] = set()
    for li, line in enumerate(order["lines"]):
        line["cancelled"] = line["quantity"] - order_rules.line_shipped(line)
        for pi, part in enumerate(line["parts"]):
            for loc in {a["loc"] for a in part["allocs"]}:
                if release_units(state, tx, order, li, pi, loc, 1 << 62):
                    freed.add(state.catalog.products[part["sku"]].idx)
    for summary in order["shipments"]:
        if summary["status"] not in SHIPPED:
            shipment = tx.shipment(summary["seq"])
            shipment["status"] = summary["status"] = "CANCELLED"
            tx.save_shipment(shipment)
    order["held"], order["cancelReason"] = False, cmd.reason
    settle(state, tx, order)
    fill_backorders(state, tx, freed)
    return Result(order)


def hold(state: EngineState, tx: WriteTx, cmd: HoldOrder) -> Result:
    order, errors = _load(tx, cmd.order)
    check.text(errors, cmd.reason, ("reason",), required=True)
    if order:
        if order["status"] == "CANCELLED" or order["held"]:
            errors.append(err(Code.INVALID_STATE, f"order is {order['status']}", "id"))
        elif order["shipments"]:
            errors.append(err(Code.INVALID_STATE, "order's shipments are already released", "id"))
    if errors:
        return Result(None, errors)
    order.update(held=True, holdReason=cmd.reason, released=False)
    settle(state, tx, order)
    return Result(order)


def release(state: EngineState, tx: WriteTx, cmd: ReleaseOrder) -> Result:
    order, errors = _load(tx, cmd.order)
    if order and not order["held"]:
        errors.append(err(Code.INVALID_STATE, f"order is {order['status']}, not ON_HOLD", "id"))
    if errors:
        return Result(None, errors)
    order.update(held=False, holdReason=None, released=True)
    settle(state, tx, order)
    return Result(order)
