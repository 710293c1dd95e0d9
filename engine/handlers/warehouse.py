"""Warehouse work on a shipment: scan (pick), report short, pack, ship, deliver."""
from __future__ import annotations

from ..domain import limits, validation as check
from ..domain.commands import DeliverShipment, PackShipment, ReportShort, Result, ScanShipment, ShipShipment
from ..domain.errors import Code, err
from ..domain.events import order_data
from ..domain.ids import global_id
from ..domain.orders import iter_allocs
from ..domain.state import EngineState
from ..storage.tx import WriteTx
from .events import emit
from .fulfilment import OPEN_SHIPMENT, drop_index_if_done, missing_parts, release_units, reroute, set_shipment_status, settle
from .ledger import change_on_hand


def shipment_uri(seq: int) -> str:
    return f"oms://shipments/{seq}"


def _load(tx: WriteTx, seq: int, allowed: tuple[str, ...], action: str) -> tuple[dict | None, list]:
    shipment, errors = tx.shipment(seq), []
    check.status_allows(errors, shipment, "shipment", allowed, action)
    return shipment, errors


def _line(shipment: dict, sku: str) -> dict | None:
    return next((l for l in shipment["lines"] if l["sku"] == sku), None)


def scan(state: EngineState, tx: WriteTx, cmd: ScanShipment) -> Result:
    shipment, errors = _load(tx, cmd.shipment, OPEN_SHIPMENT, "pick")
    if errors:
        return Result(None, errors)
    sku = state.catalog.barcodes.get(cmd.barcode, cmd.barcode)
    line = _line(shipment, sku)
    if line is None:
        return Result(None, [err(Code.INVALID, f"{cmd.barcode[:limits.key_chars_max]} is not on this shipment", "barcode")])
    if cmd.quantity < 1 or line["picked"] + cmd.quantity > line["quantity"]:
        left = line["quantity"] - line["picked"]
        return Result(None, [err(Code.INVALID, f"{left} units of {sku} are left to pick", "quantity")])
    line["picked"] += cmd.quantity
    return _advance(state, tx, tx.order(shipment["order"]), shipment, "PICKING")


def report_short(state: EngineState, tx: WriteTx, cmd: ReportShort) -> Result:
    shipment, errors = _load(tx, cmd.shipment, OPEN_SHIPMENT, "report a short pick on")
    if errors:
        return Result(None, errors)
    line = _line(shipment, cmd.sku)
    if line is None:
        return Result(None, [err(Code.INVALID, f"{cmd.sku[:limits.key_chars_max]} is not on this shipment", "sku")])
    if not 1 <= cmd.quantity <= line["quantity"] - line["picked"]:
        return Result(None, [err(Code.INVALID, f"between 1 and {line['quantity'] - line['picked']} unpicked units", "quantity")])
    order = tx.order(shipment["order"])
    s, l = state.catalog.products[cmd.sku].idx, state.catalog.location_idx(shipment["loc"])
    left = cmd.quantity
    for li, line_ in enumerate(order["lines"]):
        for pi, part in enumerate(line_["parts"]):
            if part["sku"] == cmd.sku and left:
                left -= release_units(state, tx, order, li, pi, shipment["loc"], left, shipment=shipment["seq"])
    assert left == 0, "a shipment line always has allocations behind it"
    change_on_hand(state, tx, s, l, -cmd.quantity, "SHRINKAGE", shipment_uri(shipment["seq"]))
    settle(state, tx, order)
    reroute(state, tx, order, missing_parts(order, {s}, state), avoid=l)
    return Result(tx.shipment(shipment["seq"]))


def pack(state: EngineState, tx: WriteTx, cmd: PackShipment) -> Result:
    shipment, errors = _load(tx, cmd.shipment, OPEN_SHIPMENT, "pack")
    if not errors and any(l["picked"] < l["quantity"] for l in shipment["lines"]):
        errors = [err(Code.INVALID_STATE, "every line must be fully picked before packing", "id")]
    if errors:
        return Result(None, errors)
    return _advance(state, tx, tx.order(shipment["order"]), shipment, "PACKED", "SHIPMENT_PACKED")


def ship(state: EngineState, tx: WriteTx, cmd: ShipShipment) -> Result:
    shipment, errors = _load(tx, cmd.shipment, ("PACKED",), "ship")
    check.text(errors, cmd.carrier, ("carrier",), required=True)
    check.key(errors, cmd.tracking_number, ("trackingNumber",), "trackingNumber")
    check.text(errors, cmd.tracking_url, ("trackingUrl",))
    if errors:
        return Result(None, errors)
    order = tx.order(shipment["order"])
    l = state.catalog.location_idx(shipment["loc"])
    for li, pi, part, alloc in list(iter_allocs(order)):
        if alloc["ship"] == shipment["seq"] and alloc["qty"] > alloc["shipped"]:
            units = alloc["qty"] - alloc["shipped"]
            s = state.catalog.products[part["sku"]].idx
            alloc["shipped"] = alloc["qty"]
            state.stock.committed[s, l] -= units
            change_on_hand(state, tx, s, l, -units, "SHIPPED", shipment_uri(shipment["seq"]))
            drop_index_if_done(state, tx, order, li, pi, shipment["loc"])
    shipment.update(carrier=cmd.carrier, trackingNumber=cmd.tracking_number, trackingUrl=cmd.tracking_url, shippedAt=tx.now_iso)
    return _advance(state, tx, order, shipment, "SHIPPED", "SHIPMENT_SHIPPED")


def deliver(state: EngineState, tx: WriteTx, cmd: DeliverShipment) -> Result:
    shipment, errors = _load(tx, cmd.shipment, ("SHIPPED",), "deliver")
    if errors:
        return Result(None, errors)
    shipment["deliveredAt"] = tx.now_iso
    return _advance(state, tx, tx.order(shipment["order"]), shipment, "DELIVERED", "SHIPMENT_DELIVERED")


def _advance(state: EngineState, tx: WriteTx, order: dict, shipment: dict, status: str, event: str | None = None) -> Result:
    """The shipment's new status, saved with its order (whose status follows it), then announced."""
    set_shipment_status(order, shipment, status)
    tx.save_shipment(shipment)
    tx.save_order(order)
    if event is not None:
        _event(state, tx, event, order, shipment)
    return Result(shipment)


def _event(state: EngineState, tx: WriteTx, type_: str, order: dict, shipment: dict) -> None:
    emit(state, tx, type_, order, location=shipment["loc"], shipmentSeq=shipment["seq"],
         shipmentId=global_id("Shipment", shipment["seq"]), carrier=shipment["carrier"],
         trackingNumber=shipment["trackingNumber"], trackingUrl=shipment["trackingUrl"], **order_data(order))
