"""What happens to an order's units after routing: allocations recorded, released, re-routed
first come first served, backorders queued, shipments kept in step with allocations."""
from __future__ import annotations

from dataclasses import replace

from ..domain import orders as order_rules
from ..domain.conditions import holds
from ..domain.events import order_data
from ..domain.ids import global_id
from ..domain.routing import reason
from ..domain.state import EngineState
from ..domain.stock import available_array
from ..kernel.allocation import Outcome, Request, allocate
from ..storage.store import ALLOC_KEY, BACKORDER_KEY, seq_key
from ..storage.tx import WriteTx
from .events import emit

backorder_chunk_orders = 256


def routing_request(state: EngineState, order: dict, parts: list[tuple[int, int]]) -> Request:
    """A kernel request for `parts` [(line index, part index)] of `order`, by its channel policy."""
    policy = state.router.policy(order["channel"], state.stock.shape[1])
    rules = policy.rules
    if any(rule.program is not None for rule in rules):  # the CEL view costs more than routing itself
        view = {"order": order_rules.cel_view(order)}
        rules = [rule for rule in rules if holds(rule.program, view)]
    products = state.catalog.products
    lines = [
        (products[order["lines"][li]["parts"][pi]["sku"]].idx,
         order_rules.part_missing(order["lines"][li], order["lines"][li]["parts"][pi]))
        for li, pi in parts
    ]
    used = sorted({state.catalog.location_idx(a["loc"]) for a in order_rules.allocations(order)})
    address = order.get("shippingAddress") or {}
    return Request(rules, lines, used, address.get("latitude"), address.get("longitude"))


def record(state: EngineState, tx: WriteTx, order: dict, parts: list[tuple[int, int]], outcome: Outcome) -> None:
    """Writes the kernel's allocations into the order record and the allocation index."""
    catalog, stock, seq, lines = state.catalog, state.stock, order["seq"], order["lines"]
    ship_to = order.get("shippingAddress")
    for allocation in outcome.allocations:
        li, pi = parts[allocation.line]
        part = lines[li]["parts"][pi]
        loc = catalog.location_codes[allocation.loc]
        part["allocs"].append({
            "loc": loc, "qty": allocation.qty, "shipped": 0, "ship": None, "rule": allocation.rule.name,
            "reason": _reason(tx, allocation, catalog.locations[loc], ship_to),
        })
        s = catalog.products[part["sku"]].idx
        tx.put_raw("allocs", ALLOC_KEY.pack(s, allocation.loc, seq, li, pi), b"")
        stock.touch(s, allocation.loc)
        tx.dirty_skus.add(s)


def _reason(tx: WriteTx, allocation, location: dict, ship_to: dict | None) -> str:
    """Reasons repeat across a batch unless they name a distance: build each once per batch."""
    rule = allocation.rule
    if "NEAREST" in rule.record["sort"]:
        return reason(rule, location, allocation.flags, ship_to)
    key = (id(rule), allocation.loc, allocation.flags, location["priority"])
    known = tx.reasons.get(key)
    if known is None or known[0] is not rule:  # the rule is kept in the entry, so its id is not reused
        known = tx.reasons[key] = (rule, reason(rule, location, allocation.flags, ship_to))
    return known[1]


def missing_parts(order: dict, skus: set[int] | None, state: EngineState) -> list[tuple[int, int]]:
    found = []
    for li, line in enumerate(order["lines"]):
        for pi, part in enumerate(line["parts"]):
            if order_rules.part_missing(line, part) > 0 and (skus is None or state.catalog.products[part["sku"]].idx in skus):
                found.append((li, pi))
    return found


def settle(state: EngineState, tx: WriteTx, order: dict) -> None:
    """Brings the backorder queue and the shipments in line with the order's allocations."""
    seq = order["seq"]
    products = state.catalog.products
    waiting: dict[int, bool] = {}  # sku index -> does any part of it still wait
    for li, line in enumerate(order["lines"]):
        for pi, part in enumerate(line["parts"]):
            s = products[part["sku"]].idx
            missing = order_rules.part_missing(line, part) > 0
            if missing:
                tx.put_raw("backorders", BACKORDER_KEY.pack(s, seq, li, pi), b"")
                state.queue_backorder(s, seq)
            elif state.is_queued(s, seq):  # the queue mirrors the stored keys: no key to delete otherwise
                tx.delete("backorders", BACKORDER_KEY.pack(s, seq, li, pi))
            waiting[s] = waiting.get(s, False) or missing
    for s, still in waiting.items():
        if not still:
            state.unqueue_backorder(s, seq)
    if order["released"] and not order["held"]:
        _assign_shipments(state, tx, order)
    _refresh_open_shipments(tx, order)
    tx.save_order(order)


def _assign_shipments(state: EngineState, tx: WriteTx, order: dict) -> None:
    pending = {s["loc"]: s["seq"] for s in order["shipments"] if s["status"] == "PENDING"}
    cancelled = {s["seq"] for s in order["shipments"] if s["status"] == "CANCELLED"}
    data = None  # the order's view, the same for each shipment created here: status ignores shipments
    for alloc in order_rules.allocations(order):
        if alloc["qty"] == alloc["shipped"] or (alloc["ship"] is not None and alloc["ship"] not in cancelled):
            continue
        seq = pending.get(alloc["loc"])
        if seq is None:
            seq = state.next("shipment")
            pending[alloc["loc"]] = seq
            order["shipments"].append({"seq": seq, "loc": alloc["loc"], "status": "PENDING"})
            data = data or order_data(order)
            emit(state, tx, "SHIPMENT_CREATED", order, location=alloc["loc"], shipmentSeq=seq,
                 shipmentId=global_id("Shipment", seq), **data)
            tx.put_raw("idx_ship_loc", seq_key(alloc["loc"], seq), b"")
            tx.save_shipment({
                "seq": seq, "order": order["seq"], "loc": alloc["loc"], "status": "PENDING", "lines": [],
                "carrier": None, "trackingNumber": None, "trackingUrl": None,
                "createdAt": tx.now_iso, "shippedAt": None, "deliveredAt": None,
            })
        alloc["ship"] = seq


OPEN_SHIPMENT = ("PENDING", "PICKING")


def _refresh_open_shipments(tx: WriteTx, order: dict) -> None:
    """An open shipment's lines are the allocations assigned to it; empty ones are cancelled."""
    open_ = [summary for summary in order["shipments"] if summary["status"] in OPEN_SHIPMENT]
    if not open_:
        return
    by_shipment: dict[int, dict[str, int]] = {summary["seq"]: {} for summary in open_}
    for line in order["lines"]:
        for part in line["parts"]:
            for alloc in part["allocs"]:
                units = by_shipment.get(alloc["ship"])
                if units is not None:
                    units[part["sku"]] = units.get(part["sku"], 0) + alloc["qty"] - alloc["shipped"]
    for summary in open_:
        shipment = tx.shipment(summary["seq"])
        picked = {l["sku"]: l["picked"] for l in shipment["lines"]}
        units = by_shipment[summary["seq"]]
        shipment["lines"] = [{"sku": sku, "quantity": q, "picked": min(q, picked.get(sku, 0))} for sku, q in units.items() if q > 0]
        if not shipment["lines"]:
            set_shipment_status(order, shipment, "CANCELLED")
        tx.save_shipment(shipment)


def set_shipment_status(order: dict, shipment: dict, status: str) -> None:
    shipment["status"] = status
    for summary in order["shipments"]:
        if summary["seq"] == shipment["seq"]:
            summary["status"] = status


LOCKED_SHIPMENT = ("PACKED", "SHIPPED", "DELIVERED")


def releasable(tx: WriteTx, alloc: dict) -> int:
    """Unshipped units of an allocation that may still be taken back: not once packed."""
    if alloc["ship"] is not None and tx.shipment(alloc["ship"])["status"] in LOCKED_SHIPMENT:
        return 0
    return alloc["qty"] - alloc["shipped"]


def release_units(state: EngineState, tx: WriteTx, order: dict, li: int, pi: int, loc: str, units: int,
                  shipment: int | None = None) -> int:
    """Gives back up to `units` releasable units of one part at `loc` (of one shipment, if
    given), newest allocation first."""
    part = order["lines"][li]["parts"][pi]
    s, l = state.catalog.products[part["sku"]].idx, state.catalog.location_idx(loc)
    released = 0
    for alloc in reversed(part["allocs"]):
        if alloc["loc"] != loc or released == units or (shipment is not None and alloc["ship"] != shipment):
            continue
        take = min(units - released, releasable(tx, alloc))
        alloc["qty"] -= take
        released += take
    part["allocs"] = [a for a in part["allocs"] if a["qty"] > 0]
    drop_index_if_done(state, tx, order, li, pi, loc)
    state.stock.committed[s, l] -= released
    state.stock.touch(s, l)
    tx.dirty_skus.add(s)
    return released


def drop_index_if_done(state: EngineState, tx: WriteTx, order: dict, li: int, pi: int, loc: str) -> None:
    """The allocation index only names parts with unshipped units at a location."""
    part = order["lines"][li]["parts"][pi]
    if not any(a["loc"] == loc and a["qty"] > a["shipped"] for a in part["allocs"]):
        s, l = state.catalog.products[part["sku"]].idx, state.catalog.location_idx(loc)
        tx.delete("allocs", ALLOC_KEY.pack(s, l, order["seq"], li, pi))


def releasable_at(state: EngineState, tx: WriteTx, s: int, l: int) -> int:
    """Committed units at (s, l) that release_newest could take back."""
    prefix = ALLOC_KEY.pack(s, l, 0, 0, 0)[:8]
    total = 0
    loc = state.catalog.location_codes[l]
    for key, _ in tx.scan("allocs", prefix):
        _, _, seq, li, pi = ALLOC_KEY.unpack(key)
        part = tx.order(seq)["lines"][li]["parts"][pi]
        total += sum(releasable(tx, a) for a in part["allocs"] if a["loc"] == loc)
    return total


def reroute(state: EngineState, tx: WriteTx, order: dict, parts: list[tuple[int, int]], avoid: int | None = None) -> None:
    """Routes missing parts of one order again now, optionally never to location `avoid`."""
    request = routing_request(state, order, parts)
    if avoid is not None:
        request.rules = [_without(rule, avoid) for rule in request.rules]
    outcome = allocate(state.stock, state.locations(), [request])[0]
    record(state, tx, order, parts, outcome)
    settle(state, tx, order)


def _without(rule, l: int):
    mask = rule.loc_ok.copy()
    mask[l] = 0
    return replace(rule, loc_ok=mask)


def release_newest(state: EngineState, tx: WriteTx, s: int, l: int) -> set[int]:
    """While committed exceeds onHand at (s, l), takes back the newest allocations there."""
    prefix = ALLOC_KEY.pack(s, l, 0, 0, 0)[:8]
    touched: set[int] = set()
    for key, _ in list(tx.scan("allocs", prefix, reverse=True)):
        excess = int(state.stock.committed[s, l]) - int(state.stock.on_hand[s, l])
        if excess <= 0:
            break
        _, _, seq, li, pi = ALLOC_KEY.unpack(key)
        order = tx.order(seq)
        if release_units(state, tx, order, li, pi, state.catalog.location_codes[l], excess):
            touched.add(seq)
            settle(state, tx, order)
            emit(state, tx, "ORDER_BACKORDERED", order, **order_data(order))
    return touched


def fill_backorders(state: EngineState, tx: WriteTx, skus: set[int]) -> None:
    """Routes waiting parts of these skus again, oldest order first, while any stock is free."""
    stock = state.stock
    n = stock.n_loc
    def has_stock(s: int) -> bool:
        return bool(available_array(stock.on_hand[s, :n], stock.committed[s, :n], stock.safety[s, :n]).any())
    live = {s for s in skus if s in state.backorders and has_stock(s)}
    if not live:
        return
    waiting = sorted({seq for s in live for seq in state.backorders[s]})
    for start in range(0, len(waiting), backorder_chunk_orders):
        live = {s for s in live if has_stock(s)}
        if not live:
            return
        batch = []
        for seq in waiting[start : start + backorder_chunk_orders]:
            order = tx.order(seq)
            if missing_parts(order, live, state):
                # every missing part, not only the arrived skus: a no-split rule needs them all
                batch.append((order, missing_parts(order, None, state)))
        requests = [routing_request(state, order, parts) for order, parts in batch]
        for (order, parts), outcome in zip(batch, allocate(stock, state.locations(), requests)):
            if outcome.allocations:
                record(state, tx, order, parts, outcome)
                emit(state, tx, "ORDER_ALLOCATED", order, **order_data(order))
                settle(state, tx, order)
