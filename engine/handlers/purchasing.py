"""Purchase orders: incoming stock; receipts put it on hand and fill backorders in the same commit."""
from __future__ import annotations

from ..domain import limits, validation as check
from ..domain.commands import CancelPurchaseOrder, CreatePurchaseOrder, ReceivePurchaseOrder, Result
from ..domain.errors import Code, err
from ..domain.ids import global_id
from ..domain.moments import as_utc
from ..domain.state import EngineState
from ..storage.store import u32, u64
from ..storage.tx import WriteTx
from .events import emit
from .fulfilment import fill_backorders
from .ledger import change_on_hand

OPEN = ("OPEN", "PARTIALLY_RECEIVED")


def po_number(seq: int) -> str:
    return f"PO-{seq:06d}"


def create(state: EngineState, tx: WriteTx, cmd: CreatePurchaseOrder) -> Result:
    errors: list = []
    check.text(errors, cmd.supplier, ("input", "supplier"), required=True)
    location = state.catalog.locations.get(cmd.location)
    if location is None:
        errors.append(err(Code.NOT_FOUND, "unknown location", "input", "location"))
    if not cmd.lines:
        errors.append(err(Code.INVALID, "a purchase order needs at least one line", "input", "lines"))
    check.count(errors, cmd.lines, limits.order_lines_max, ("input", "lines"), "lines")
    seen = set()
    for j, (sku, quantity) in enumerate(cmd.lines[: limits.order_lines_max]):
        path = ("input", "lines", j)
        product = state.catalog.products.get(sku)
        if product is None:
            errors.append(err(Code.NOT_FOUND, f"unknown sku {sku[:limits.key_chars_max]}", *path, "sku"))
        elif product.is_bundle:
            errors.append(err(Code.INVALID, "buy a bundle's components, not the bundle", *path, "sku"))
        if sku in seen:
            errors.append(err(Code.DUPLICATE, f"{sku} appears twice", *path, "sku"))
        seen.add(sku)
        if check.quantity(errors, quantity, (*path, "quantity")) and product and location and not product.is_bundle:
            if state.stock.incoming_at(product.idx, location["idx"]) + quantity > limits.quantity_max:
                errors.append(err(Code.LIMIT_EXCEEDED, f"incoming would exceed {limits.quantity_max}", *path, "quantity"))
    if errors:
        return Result(None, errors)
    seq = state.next("po")
    expected = None if cmd.expected_at is None else as_utc(cmd.expected_at)
    record = {
        "seq": seq, "number": po_number(seq), "supplier": cmd.supplier, "location": cmd.location, "status": "OPEN",
        "expectedAt": expected.isoformat() if expected else None, "createdAt": tx.now_iso,
        "lines": [{"sku": sku, "quantity": q, "received": 0} for sku, q in cmd.lines],
    }
    for sku, quantity in cmd.lines:
        s = state.catalog.products[sku].idx
        _incoming(state, tx, s, location["idx"], quantity)
        tx.put_raw("idx_po_sku", u32(s) + u64(seq), b"")
    tx.put("purchase_orders", u64(seq), record)
    _event(state, tx, "PURCHASE_ORDER_CREATED", record)
    return Result(record)


def _incoming(state: EngineState, tx: WriteTx, s: int, l: int, delta: int) -> None:
    stock = state.stock
    stock.add_incoming(s, l, delta)
    if stock.updated_s[s, l] or stock.on_hand[s, l] or stock.safety[s, l]:
        stock.touch(s, l)
    else:  # a level nothing stocked yet exists only while units are due (reads.level_exists)
        stock.touched.add((s, l))
    tx.dirty_skus.add(s)


def _load(tx: WriteTx, seq: int, action: str) -> tuple[dict | None, list]:
    record, errors = tx.get("purchase_orders", u64(seq)), []
    check.status_allows(errors, record, "purchase order", OPEN, action)
    return record, errors


def receive(state: EngineState, tx: WriteTx, cmd: ReceivePurchaseOrder) -> Result:
    record, errors = _load(tx, cmd.po, "receive")
    if errors:
        return Result(None, errors)
    by_sku = {l["sku"]: l for l in record["lines"]}
    for j, line in check.receipt_lines(errors, record["lines"], [sku for sku, _ in cmd.lines], "purchase order"):
        sku, quantity = cmd.lines[j]
        if quantity < 1:
            errors.append(err(Code.INVALID, "quantity must be > 0", "lines", j, "quantity"))
        elif line["received"] + quantity > line["quantity"]:
            errors.append(err(Code.INVALID_STATE, f"only {line['quantity'] - line['received']} units of {sku} are still due", "lines", j, "quantity"))
        elif int(state.stock.on_hand[state.catalog.products[sku].idx].sum()) + quantity > limits.quantity_max:
            errors.append(err(Code.LIMIT_EXCEEDED, f"onHand over all locations would exceed {limits.quantity_max}", "lines", j, "quantity"))
    if errors:
        return Result(None, errors)
    l = state.catalog.location_idx(record["location"])
    arrived = set()
    for sku, quantity in cmd.lines:
        s = state.catalog.products[sku].idx
        by_sku[sku]["received"] += quantity
        _incoming(state, tx, s, l, -quantity)
        change_on_hand(state, tx, s, l, quantity, "RECEIVED", f"oms://purchase-orders/{record['seq']}")
        arrived.add(s)
    done = all(line["received"] == line["quantity"] for line in record["lines"])
    record["status"] = "RECEIVED" if done else "PARTIALLY_RECEIVED"
    _save(state, tx, record)
    _event(state, tx, "PURCHASE_ORDER_RECEIVED", record, received=[{"sku": s, "quantity": q} for s, q in cmd.lines])
    fill_backorders(state, tx, arrived)
    return Result(record)


def cancel(state: EngineState, tx: WriteTx, cmd: CancelPurchaseOrder) -> Result:
    record, errors = _load(tx, cmd.po, "cancel")
    if errors:
        return Result(None, errors)
    l = state.catalog.location_idx(record["location"])
    for line in record["lines"]:
        _incoming(state, tx, state.catalog.products[line["sku"]].idx, l, line["received"] - line["quantity"])
    record["status"] = "CANCELLED"
    _save(state, tx, record)
    return Result(record)


def _event(state: EngineState, tx: WriteTx, type_: str, record: dict, **extra: object) -> None:
    skus = {l["sku"] for l in record["lines"]}
    emit(state, tx, type_, sku=next(iter(skus)) if len(skus) == 1 else None, location=record["location"],
         purchaseOrderId=global_id("PurchaseOrder", record["seq"]), number=record["number"], supplier=record["supplier"],
         status=record["status"], **extra)


def _save(state: EngineState, tx: WriteTx, record: dict) -> None:
    tx.put("purchase_orders", u64(record["seq"]), record)
    if record["status"] not in OPEN:
        for line in record["lines"]:
            tx.delete("idx_po_sku", u32(state.catalog.products[line["sku"]].idx) + u64(record["seq"]))
