"""orderCancel, orderHold, orderRelease."""
from __future__ import annotations

from ..domain import orders as order_rules, validation as check
from ..domain.commands import CancelOrder, HoldOrder, ReleaseOrder, Result
from ..domain.errors import Code, err
from ..domain.events import order_data
from ..domain.ids import global_id
from ..domain.state import EngineState
from ..storage.tx import WriteTx
from .events import emit
from .fulfilment import OPEN_SHIPMENT, fill_backorders, release_units, set_shipment_status, settle


def _load(tx: WriteTx, seq: int) -> tuple[dict | None, list]:
    order = tx.order(seq)
    if order is None:
        return None, [err(Code.NOT_FOUND, "no order with this id", "id")]
    return order, []


def cancel(state: EngineState, tx: WriteTx, cmd: CancelOrder) -> Result:
    order, errors = _load(tx, cmd.order)
    check.text(errors, cmd.reason, ("reason",))
    if order and not any(l["quantity"] - l["cancelled"] - _kits_started(l) for l in order["lines"]):
        errors.append(err(Code.INVALID_STATE, f"order is {order['status']}: nothing left to cancel", "id"))
    if errors:
        return Result(None, errors)
    _cancel_shipments(tx, order, (*OPEN_SHIPMENT, "PACKED"))  # all not shipped yet
    freed: set[int] = set()
    for li, line in enumerate(order["lines"]):
        line["cancelled"] = line["quantity"] - _kits_started(line)
        for pi, part in enumerate(line["parts"]):
            excess = -order_rules.part_missing(line, part)
            for loc in sorted({a["loc"] for a in part["allocs"]}):
                if excess > 0:
                    released = release_units(state, tx, order, li, pi, loc, excess)
                    excess -= released
                    if released:
                        freed.add(state.catalog.products[part["sku"]].idx)
    order["held"], order["cancelReason"] = False, cmd.reason
    settle(state, tx, order)
    emit(state, tx, "ORDER_CANCELLED", order, reason=cmd.reason, **order_data(order))
    fill_backorders(state, tx, freed)
    return Result(order)


def _cancel_shipments(tx: WriteTx, order: dict, statuses: tuple[str, ...]) -> list[int]:
    """Cancels the order's shipments in `statuses`; their sequence numbers."""
    cancelled = [summary["seq"] for summary in order["shipments"] if summary["status"] in statuses]
    for seq in cancelled:
        shipment = tx.shipment(seq)
        set_shipment_status(order, shipment, "CANCELLED")
        tx.save_shipment(shipment)
    return cancelled


def _kits_started(line: dict) -> int:
    """Units of the line with anything shipped: these can no longer be cancelled."""
    return max(-(-order_rules.part_shipped(p) // p["per"]) for p in line["parts"])


def hold(state: EngineState, tx: WriteTx, cmd: HoldOrder) -> Result:
    """Until picking starts: the PENDING shipments are withdrawn, the reservations stay."""
    order, errors = _load(tx, cmd.order)
    check.text(errors, cmd.reason, ("reason",), required=True)
    if order:
        started = [s for s in order["shipments"] if s["status"] not in ("PENDING", "CANCELLED")]
        if order["status"] == "CANCELLED" or order["held"]:
            errors.append(err(Code.INVALID_STATE, f"order is {order['status']}", "id"))
        elif started:
            errors.append(err(Code.INVALID_STATE, f"shipment {global_id('Shipment', started[0]['seq'])} is "
                              f"{started[0]['status']}: an order can be held only before picking starts", "id"))
    if errors:
        return Result(None, errors)
    withdrawn = _cancel_shipments(tx, order, ("PENDING",))
    order.update(held=True, holdReason=cmd.reason, released=False)
    settle(state, tx, order)
    emit(state, tx, "ORDER_HELD", order, reason=cmd.reason,
         withdrawnShipmentIds=[global_id("Shipment", seq) for seq in withdrawn], **order_data(order))
    return Result(order)


def release(state: EngineState, tx: WriteTx, cmd: ReleaseOrder) -> Result:
    order, errors = _load(tx, cmd.order)
    if order and not order["held"]:
        errors.append(err(Code.INVALID_STATE, f"order is {order['status']}, not ON_HOLD", "id"))
    if errors:
        return Result(None, errors)
    order.update(held=False, holdReason=None, released=True)
    emit(state, tx, "ORDER_RELEASED", order, **order_data(order))
    settle(state, tx, order)
    return Result(order)
