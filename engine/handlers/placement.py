"""orderPlace / ordersPlace: validate, de-duplicate on (channel, externalId), route in one
kernel call per run of placements, then store what was accepted."""
from __future__ import annotations

from datetime import datetime

from ..domain import limits, orders as order_rules, validation as check
from ..domain.automation import hold_on_placement
from ..domain.commands import OrderDraft, PlaceOrders, Result
from ..domain.errors import Code, err
from ..domain.events import order_data
from ..domain.moments import as_utc
from ..domain.state import EngineState
from ..kernel.allocation import allocate
from ..storage.store import seq_key, text_key, u64
from ..storage.tx import WriteTx
from .events import emit
from .fulfilment import record, routing_request, settle


def place(state: EngineState, tx: WriteTx, commands: list[PlaceOrders]) -> list[Result]:
    """Places every order of a run of PlaceOrders commands, in arrival order."""
    results = [Result([None] * len(c.orders), []) for c in commands]
    group: list[tuple[int, int, dict, tuple]] = []   # (command, index, tentative record, path)
    keys: set[tuple[str, str]] = set()
    for ci, cmd in enumerate(commands):
        for oi, draft in enumerate(cmd.orders):
            path = ("input",) if cmd.single else ("input", oi)
            key = (draft.channel, draft.external_id) if draft.external_id else None
            if key in keys:  # same externalId earlier in this run: settle that one first
                _route(state, tx, group, results)
                group, keys = [], set()
            tentative, errors = _prepare(state, draft, path, tx.now_iso)
            if errors:
                results[ci].errors.extend(errors)
                continue
            existing = _existing(tx, key)
            if existing is not None:  # a retry, or another order reusing the key: only here is it compared
                priced = {line.sku for line in draft.lines if line.unit_price is not None}
                difference = order_rules.retry_difference(existing, tentative, priced)
                if difference is None:
                    results[ci].value[oi] = existing
                else:
                    results[ci].errors.append(err(
                        Code.CONFLICT, f"externalId {draft.external_id} of channel {draft.channel} is already order {existing['number']}, "
                        f"and this input has {difference}: a new order needs a new externalId", *path, "externalId"))
                continue
            if key:
                keys.add(key)
            group.append((ci, oi, tentative, path))
    _route(state, tx, group, results)
    for cmd, result in zip(commands, results):
        if cmd.single:
            result.value = result.value[0]
    return results


def _existing(tx: WriteTx, key: tuple[str, str] | None) -> dict | None:
    if key is None:
        return None
    raw = tx.raw("order_ext", text_key(*key))
    return None if raw is None else tx.order(int.from_bytes(raw, "big"))


def _route(state: EngineState, tx: WriteTx, group, results) -> None:
    if not group:
        return
    parts = [[(li, pi) for li, line in enumerate(t["lines"]) for pi in range(len(line["parts"]))] for _, _, t, _ in group]
    requests = []
    for (_, _, tentative, _), order_parts in zip(group, parts):
        request = routing_request(state, tentative, order_parts)
        request.reject = state.router.policy(tentative["channel"], state.stock.shape[1]).reject
        requests.append(request)
    for (ci, oi, tentative, path), order_parts, outcome in zip(group, parts, allocate(state.stock, state.locations(), requests)):
        if outcome.rejected:
            results[ci].errors.append(err(Code.INSUFFICIENT_STOCK, "not enough stock for the whole order, and its channel's policy is REJECT", *path, "lines"))
            continue
        order = _store(state, tx, tentative)
        record(state, tx, order, order_parts, outcome)
        hold_on_placement(state, order)
        data = order_data(order)  # ORDER_PLACED and what follows it in this loop share one view
        emit(state, tx, "ORDER_PLACED", order, **data)
        if order["held"]:
            emit(state, tx, "ORDER_HELD", order, reason=order["holdReason"], **data)
        if outcome.allocations:
            emit(state, tx, "ORDER_ALLOCATED", order, **data)
        if any(order_rules.line_backordered(l) for l in order["lines"]):
            emit(state, tx, "ORDER_BACKORDERED", order, **data)
        settle(state, tx, order)  # after the order's events: its SHIPMENT_CREATED events follow them
        results[ci].value[oi] = order


def _store(state: EngineState, tx: WriteTx, order: dict) -> dict:
    seq = state.next("order")
    order.update(seq=seq, number=order_rules.order_number(seq), updatedAt=tx.now_iso)
    if order["externalId"]:
        tx.put_raw("order_ext", text_key(order["channel"], order["externalId"]), u64(seq))
    tx.put_raw("idx_channel", seq_key(order["channel"], seq), b"")
    customer = order.get("customer")
    if customer:
        tx.put_raw("idx_customer", seq_key(customer["email"], seq), b"")
        key = customer["email"].encode()
        known = tx.get("customers", key)
        name = customer.get("name") or (known or {}).get("name")
        if known is None or known["name"] != name:  # a returning customer's record stays as it was
            tx.put("customers", key, {"email": customer["email"], "name": name})
    tx.save_order(order)
    return order


def _prepare(state: EngineState, draft: OrderDraft, path: tuple, now_iso: str) -> tuple[dict | None, list]:
    errors: list = []
    channel = state.catalog.channels.get(draft.channel)
    if channel is None:
        errors.append(err(Code.NOT_FOUND, f"unknown channel {draft.channel[:limits.key_chars_max]}", *path, "channel"))
    if draft.external_id is not None:
        check.key(errors, draft.external_id, (*path, "externalId"), "externalId")
    currency = "USD" if draft.currency is None else draft.currency
    check.currency(errors, currency, (*path, "currency"))
    if draft.customer is not None:
        check.email(errors, draft.customer.get("email") or "", (*path, "customer", "email"))
        check.text(errors, draft.customer.get("name"), (*path, "customer", "name"))
    check.address(errors, draft.shipping_address, (*path, "shippingAddress"))
    tags = draft.tags or []
    if check.count(errors, tags, limits.order_tags_max, (*path, "tags"), "tags"):
        for j, tag in enumerate(tags):
            if not tag or len(tag) > limits.tag_chars_max:
                errors.append(err(Code.INVALID, f"tags are 1 to {limits.tag_chars_max} characters", *path, "tags", j))
    check.text(errors, draft.note, (*path, "note"))
    lines = _lines(state, draft, path, errors)
    if errors:
        return None, errors
    total = order_rules.subtotal(lines)
    if total >= limits.money_max:
        return None, [err(Code.LIMIT_EXCEEDED, f"order total must be below {limits.money_max}", *path, "lines")]
    return {
        "seq": None, "id": None, "number": None, "channel": draft.channel, "externalId": draft.external_id,
        "status": None, "held": False, "holdReason": None, "released": True, "cancelReason": None,
        "customer": draft.customer, "shippingAddress": draft.shipping_address, "currency": currency,
        "tags": list(dict.fromkeys(tags)), "note": draft.note, "placedAt": _placed_at(draft.placed_at, now_iso),
        "updatedAt": None, "subtotal": str(total), "lines": lines, "shipments": [],
    }, []


def _placed_at(given: datetime | None, now_iso: str) -> str:
    if given is None:
        return now_iso
    return as_utc(given).isoformat()


def _lines(state: EngineState, draft: OrderDraft, path: tuple, errors: list) -> list[dict]:
    if not draft.lines:
        errors.append(err(Code.INVALID, "an order needs at least one line", *path, "lines"))
        return []
    if not check.count(errors, draft.lines, limits.order_lines_max, (*path, "lines"), "lines per order"):
        return []
    lines, seen = [], set()
    for j, line in enumerate(draft.lines):
        lpath = (*path, "lines", j)
        product = state.catalog.products.get(line.sku)
        if product is None:
            errors.append(err(Code.NOT_FOUND, f"unknown sku {line.sku[:limits.key_chars_max]}", *lpath, "sku"))
            continue
        if line.sku in seen:
            errors.append(err(Code.DUPLICATE, f"sku {line.sku} appears twice in this order", *lpath, "sku"))
        seen.add(line.sku)
        if not check.quantity(errors, line.quantity, (*lpath, "quantity")):
            continue
        price = line.unit_price if line.unit_price is not None else product.record["price"]
        if price is None:
            errors.append(err(Code.INVALID, "no unitPrice given and the product has no price", *lpath, "unitPrice"))
            continue
        amount = check.money(errors, price, (*lpath, "unitPrice"))
        parts = [{"sku": sku, "per": per, "allocs": []} for sku, per in product.parts]
        if any(line.quantity * p["per"] > limits.quantity_max for p in parts):
            errors.append(err(Code.LIMIT_EXCEEDED, "bundle units exceed the quantity limit", *lpath, "quantity"))
        if amount is not None:
            lines.append({"sku": line.sku, "quantity": line.quantity, "unitPrice": str(amount),
                          "cancelled": 0, "returned": 0, "parts": parts, **order_rules.line_prices(product.record)})
    return lines
