"""Returns (RMA): request, approve (EXCHANGE places the replacement order), reject,
receive (resellable units go back on hand), refund."""
from __future__ import annotations

from decimal import Decimal

from ..domain import limits, orders as order_rules, validation as check
from ..domain.commands import (
    ApproveReturn, LineDraft, OrderDraft, PlaceOrders, ReceiveReturn, RefundReturn, RejectReturn, RequestReturn, Result,
)
from ..domain.errors import Code, err
from ..domain.ids import global_id
from ..domain.state import EngineState
from ..storage.store import u64
from ..storage.tx import WriteTx
from .events import emit
from .fulfilment import fill_backorders
from .ledger import change_on_hand
from .placement import place

RESOLUTIONS = {"REFUND", "EXCHANGE", "STORE_CREDIT"}
CONDITIONS = {"RESELLABLE", "DAMAGED"}


def rma_number(seq: int) -> str:
    return f"RMA-{seq:06d}"


def returnable(line: dict) -> int:
    """Shipped units not returned yet and not held by an open return."""
    return order_rules.line_shipped(line) - line["returned"] - line.get("claimed", 0)


def request(state: EngineState, tx: WriteTx, cmd: RequestReturn) -> Result:
    order = tx.order(cmd.order)
    if order is None:
        return Result(None, [err(Code.NOT_FOUND, "no order with this id", "input", "orderId")])
    errors: list = []
    if cmd.resolution not in RESOLUTIONS:
        errors.append(err(Code.INVALID, "unknown resolution", "input", "resolution"))
    if cmd.restock_location is not None and cmd.restock_location not in state.catalog.locations:
        errors.append(err(Code.NOT_FOUND, "unknown location", "input", "restockLocation"))
    lines = _request_lines(state, order, cmd, errors)
    if errors:
        return Result(None, errors)
    seq = state.next("return")
    record = {
        "seq": seq, "number": rma_number(seq), "order": order["seq"], "status": "REQUESTED",
        "resolution": cmd.resolution, "lines": lines, "refundAmount": None, "exchangeOrder": None,
        "createdAt": tx.now_iso, "rejectReason": None,
    }
    for line in lines:
        order["lines"][line["orderLine"]]["claimed"] = order["lines"][line["orderLine"]].get("claimed", 0) + line["quantity"]
    order.setdefault("returns", []).append(seq)
    tx.save_order(order)
    tx.put("returns", u64(seq), record)
    _event(state, tx, "RETURN_REQUESTED", order, record)
    return Result(record)


def _request_lines(state: EngineState, order: dict, cmd: RequestReturn, errors: list) -> list[dict]:
    if not cmd.lines:
        errors.append(err(Code.INVALID, "a return needs at least one line", "input", "lines"))
    check.count(errors, cmd.lines, limits.order_lines_max, ("input", "lines"), "lines")
    by_sku = {l["sku"]: i for i, l in enumerate(order["lines"])}
    lines, seen = [], set()
    for j, draft in enumerate(cmd.lines[: limits.order_lines_max]):
        path = ("input", "lines", j)
        index = by_sku.get(draft.sku)
        if index is None:
            errors.append(err(Code.INVALID, f"{draft.sku[:limits.key_chars_max]} is not on this order", *path, "sku"))
            continue
        if draft.sku in seen:
            errors.append(err(Code.DUPLICATE, f"{draft.sku} appears twice", *path, "sku"))
        seen.add(draft.sku)
        line = order["lines"][index]
        if not 1 <= draft.quantity <= returnable(line):
            errors.append(err(Code.INVALID, f"{returnable(line)} shipped units of {draft.sku} can still be returned", *path, "quantity"))
        check.text(errors, draft.reason, (*path, "reason"))
        exchange = draft.exchange_sku
        if exchange is not None and cmd.resolution != "EXCHANGE":
            errors.append(err(Code.INVALID, "exchangeSku goes with resolution EXCHANGE", *path, "exchangeSku"))
        elif cmd.resolution == "EXCHANGE":
            exchange = exchange or draft.sku
            if exchange not in state.catalog.products:
                errors.append(err(Code.NOT_FOUND, f"unknown sku {exchange[:limits.key_chars_max]}", *path, "exchangeSku"))
        lines.append({
            "sku": draft.sku, "quantity": draft.quantity, "reason": draft.reason, "exchangeSku": exchange,
            "received": 0, "condition": None, "orderLine": index,
            "restockTo": cmd.restock_location,  # None: each unit where it shipped from (restock_split)
        })
    return lines


def _load(tx: WriteTx, seq: int, allowed: tuple[str, ...], action: str) -> tuple[dict | None, list]:
    record, errors = tx.get("returns", u64(seq)), []
    check.status_allows(errors, record, "return", allowed, action)
    return record, errors


def _release_claims(tx: WriteTx, record: dict) -> dict:
    order = tx.order(record["order"])
    for line in record["lines"]:
        order["lines"][line["orderLine"]]["claimed"] -= line["quantity"]
    tx.save_order(order)
    return order


def approve(state: EngineState, tx: WriteTx, cmd: ApproveReturn) -> Result:
    record, errors = _load(tx, cmd.rma, ("REQUESTED",), "approve")
    if errors:
        return Result(None, errors)
    if record["resolution"] == "EXCHANGE":
        order = tx.order(record["order"])
        wanted: dict[str, int] = {}
        for line in record["lines"]:  # two returned lines may ask for the same replacement
            wanted[line["exchangeSku"]] = wanted.get(line["exchangeSku"], 0) + line["quantity"]
        draft = OrderDraft(
            order["channel"], [LineDraft(sku, quantity, Decimal(0)) for sku, quantity in wanted.items()],
            customer=order.get("customer"), shipping_address=order.get("shippingAddress"), currency=order["currency"],
            tags=["exchange"], note=f"exchange for {record['number']}",
        )
        placed = place(state, tx, [PlaceOrders([draft], single=True)])[0]
        if placed.errors:
            return Result(None, [err(e.code, f"the replacement order cannot be placed: {e.message}", "id") for e in placed.errors])
        record["exchangeOrder"] = placed.value["seq"]
    record["status"] = "APPROVED"
    tx.put("returns", u64(record["seq"]), record)
    return Result(record)


def reject(state: EngineState, tx: WriteTx, cmd: RejectReturn) -> Result:
    record, errors = _load(tx, cmd.rma, ("REQUESTED",), "reject")
    check.text(errors, cmd.reason, ("reason",), required=True)
    if errors:
        return Result(None, errors)
    _release_claims(tx, record)
    record.update(status="REJECTED", rejectReason=cmd.reason)
    tx.put("returns", u64(record["seq"]), record)
    return Result(record)


def receive(state: EngineState, tx: WriteTx, cmd: ReceiveReturn) -> Result:
    record, errors = _load(tx, cmd.rma, ("APPROVED",), "receive")
    if errors:
        return Result(None, errors)
    by_sku = {l["sku"]: l for l in record["lines"]}
    for j, line in check.receipt_lines(errors, record["lines"], [sku for sku, _, _ in cmd.lines], "return"):
        _, quantity, condition = cmd.lines[j]
        if not 0 <= quantity <= line["quantity"]:
            errors.append(err(Code.INVALID, f"between 0 and {line['quantity']} units were requested", "lines", j, "quantity"))
        if condition not in CONDITIONS:
            errors.append(err(Code.INVALID, "unknown condition", "lines", j, "condition"))
        elif condition == "RESELLABLE" and quantity and "restockTo" not in line and line["restockLocation"] is None:
            errors.append(err(Code.INVALID, "no restock location is known for this line", "lines", j, "condition"))
    if errors:
        return Result(None, errors)
    order = _release_claims(tx, record)
    restocked: set[int] = set()
    for sku, quantity, condition in cmd.lines:
        line = by_sku[sku]
        line.update(received=quantity, condition=condition)
        order_line = order["lines"][line["orderLine"]]
        earlier = order_line["returned"]
        order_line["returned"] += quantity
        if condition == "RESELLABLE" and quantity:
            for part in order_line["parts"]:
                s = state.catalog.products[part["sku"]].idx
                for loc, units in _restock_places(line, part, earlier, quantity):
                    l = state.catalog.location_idx(loc)
                    change_on_hand(state, tx, s, l, units, "RETURN_RESTOCK", f"oms://returns/{record['seq']}")
                restocked.add(s)
    amount = sum((Decimal(order["lines"][l["orderLine"]]["unitPrice"]) * l["received"] for l in record["lines"]), Decimal(0))
    record.update(status="RECEIVED", refundAmount=str(amount))
    tx.put("returns", u64(record["seq"]), record)
    _event(state, tx, "RETURN_RECEIVED", order, record)
    fill_backorders(state, tx, restocked)
    return Result(record)


def _restock_places(line: dict, part: dict, earlier: int, kits: int) -> list[tuple[str, int]]:
    """Where `kits` returned kits put this part's units back: the location named by the return,
    else where they shipped from. A return record of release 0.1.0 holds one `restockLocation`
    per line (what it promised when requested), and keeps it."""
    units = kits * part["per"]
    if "restockTo" not in line:
        return [(line["restockLocation"], units)]
    if line["restockTo"] is not None:
        return [(line["restockTo"], units)]
    return restock_split(part, earlier * part["per"], units)


def restock_split(part: dict, skip: int, units: int) -> list[tuple[str, int]]:
    """The shipping locations of a part's units `skip` to `skip + units`, counting shipped units
    in allocation order (allocations are appended, and shipped ones are never removed): units
    returned earlier on the line took the first ones, so a part shipped from several locations
    goes back to each as many units as it shipped, first allocation first. Locations in that order."""
    places: dict[str, int] = {}
    for alloc in part["allocs"]:
        take = min(alloc["shipped"] - min(skip, alloc["shipped"]), units)
        skip = max(skip - alloc["shipped"], 0)
        if take > 0:
            places[alloc["loc"]] = places.get(alloc["loc"], 0) + take
            units -= take
    assert units == 0, "a return never takes back more units than shipped"
    return list(places.items())


def refund(state: EngineState, tx: WriteTx, cmd: RefundReturn) -> Result:
    record, errors = _load(tx, cmd.rma, ("RECEIVED",), "refund")
    if not errors and record["resolution"] == "EXCHANGE":
        errors = [err(Code.INVALID_STATE, "an exchange is settled by its replacement order, not refunded", "id")]
    if errors:
        return Result(None, errors)
    record["status"] = "REFUNDED"
    tx.put("returns", u64(record["seq"]), record)
    _event(state, tx, "RETURN_REFUNDED", tx.order(record["order"]), record)
    return Result(record)


def _event(state: EngineState, tx: WriteTx, type_: str, order: dict, record: dict) -> None:
    emit(state, tx, type_, order, id=global_id("Return", record["seq"]), number=record["number"],
         status=record["status"], resolution=record["resolution"], refundAmount=record["refundAmount"],
         orderNumber=order["number"], lines=[{"sku": l["sku"], "quantity": l["quantity"], "received": l["received"]}
                                             for l in record["lines"]])
