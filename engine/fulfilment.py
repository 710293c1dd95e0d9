"""What happens to an order's units after routing: allocations recorded, released, re-routed
first come first served, backorders queued, shipments kept in step with allocations."""
from __future__ import annotations

from . import orders as order_rules
from .allocation import Outcome, Request, allocate
from .conditions import holds
from .routing import reason
from .state import EngineState
from .store import ALLOC_KEY, BACKORDER_KEY
from .tx import WriteTx

backorder_chunk_orders = 256


def routing_request(state: EngineState, order: dict, parts: list[tuple[int, int]]) -> Request:
    """A kernel request for `parts` [(line index, part index)] of `order`, by its channel policy."""
    policy = state.router.policy(order["channel"], state.stock.shape[1])
    view = {"order": order_rules.cel_view(order)}
    rules = [rule for rule in policy.rules if holds(rule.program, view)]
    products = state.catalog.products
    lines = [
        (products[order["lines"][li]["parts"][pi]["sku"]].idx,
         order_rules.part_missing(order["lines"][li], order["lines"][li]["parts"][pi]))
        for li, pi in parts
    ]
    used = sorted({state.catalog.location_idx(a["loc"]) for _, _, _, a in order_rules.iter_allocs(order)})
    address = order.get("shippingAddress") or {}
    return Request(rules, lines, used, address.get("latitude"), address.get("longitude"))


def record(state: EngineState, tx: WriteTx, order: dict, parts: list[tuple[int, int]], outcome: Outcome) -> None:
    """Writes the kernel's allocations into the order record and the allocation index."""
    codes = state.catalog.location_codes
    for allocation in outcome.allocations:
        li, pi = parts[allocation.line]
        part = order["lines"][li]["parts"][pi]
        loc = codes[allocation.loc]
        location = state.catalog.locations[loc]
        part["allocs"].append({
            "loc": loc, "qty": allocation.qty, "shipped": 0, "ship": None, "rule": allocation.rule.name,
            "reason": reason(allocation.rule, location, allocation.flags, order.get("shippingAddress")),
        })
        s = state.catalog.products[part["sku"]].idx
        tx.put_raw("allocs", ALLOC_KEY.pack(s, allocation.loc, order["seq"], li, pi), b"")
        state.stock.touch(s, allocation.loc)
        tx.dirty_skus.add(s)


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
    for li, line in enumerate(order["lines"]):
        for pi, part in enumerate(line["parts"]):
            s = state.catalog.products[part["sku"]].idx
            key = BACKORDER_KEY.pack(s, seq, li, pi)
            if order_rules.part_missing(line, part) > 0:
                tx.put_raw("backorders", key, b"")
                state.queue_backorder(s, seq)
            else:
                tx.delete("backorders", key)
    for s in {state.catalog.products[p["sku"]].idx for l in order["lines"] for p in l["parts"]}:
        if not any(
            state.catalog.products[p["sku"]].idx == s and order_rules.part_missing(l, p) > 0
            for l in order["lines"] for p in l["parts"]
        ):
            state.unqueue_backorder(s, seq)
    if order["released"] and not order["held"]:
        _assign_shipments(state, tx, order)
    _refresh_pending_shipments(tx, order)
    tx.save_order(order)


def _assign_shipments(state: EngineState, tx: WriteTx, order: dict) -> None:
    pending = {s["loc"]: s["seq"] for s in order["shipments"] if s["status"] == "PENDING"}
    for _, _, _, alloc in order_rules.iter_allocs(order):
        if alloc["ship"] is not None:
            continue
        seq = pending.get(alloc["loc"])
        if seq is None:
            seq = state.next("shipment")
            pending[alloc["loc"]] = seq
            order["shipments"].append({"seq": seq, "loc": alloc["loc"], "status": "PENDING"})
            tx.save_shipment({
                "seq": seq, "order": order["seq"], "loc": alloc["loc"], "status": "PENDING", "lines": [],
                "carrier": None, "trackingNumber": None, "trackingUrl": None,
                "createdAt": tx.now_iso, "shippedAt": None, "deliveredAt": None,
            })
        alloc["ship"] = seq


def _refresh_pending_shipments(tx: WriteTx, order: dict) -> None:
    """A PENDING shipment's lines are the allocations assigned to it; empty ones are cancelled."""
    for summary in order["shipments"]:
        if summary["status"] != "PENDING":
            continue
        shipment = tx.shipment(summary["seq"])
        picked = {l["sku"]: l["picked"] for l in shipment["lines"]}
        units: dict[str, int] = {}
        for _, _, part, alloc in order_rules.iter_allocs(order):
            if alloc["ship"] == summary["seq"]:
                units[part["sku"]] = units.get(part["sku"], 0) + alloc["qty"] - alloc["shipped"]
        shipment["lines"] = [{"sku": sku, "quantity": q, "picked": min(q, picked.get(sku, 0))} for sku, q in units.items() if q > 0]
        if not shipment["lines"]:
            shipment["status"] = summary["status"] = "CANCELLED"
        tx.save_shipment(shipment)


def release_units(state: EngineState, tx: WriteTx, order: dict, li: int, pi: int, loc: str, units: int) -> int:
    """Gives back up to `units` unshipped units of one part at `loc`, newest allocation first."""
    part = order["lines"][li]["parts"][pi]
    s, l = state.catalog.products[part["sku"]].idx, state.catalog.location_idx(loc)
    released = 0
    for alloc in reversed(part["allocs"]):
        if alloc["loc"] != loc or released == units:
            continue
        take = min(units - released, alloc["qty"] - alloc["shipped"])
        alloc["qty"] -= take
        released += take
    part["allocs"] = [a for a in part["allocs"] if a["qty"] > 0]
    if not any(a["loc"] == loc for a in part["allocs"]):
        tx.delete("allocs", ALLOC_KEY.pack(s, l, order["seq"], li, pi))
    state.stock.committed[s, l] -= released
    state.stock.touch(s, l)
    tx.dirty_skus.add(s)
    return released


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
    return touched


def fill_backorders(state: EngineState, tx: WriteTx, skus: set[int]) -> None:
    """Routes waiting parts of these skus again, oldest order first, while any stock is free."""
    stock = state.stock
    n = stock.n_loc
    def has_stock(s: int) -> bool:
        return bool(((stock.on_hand[s, :n] - stock.committed[s, :n] - stock.safety[s, :n]) > 0).any())
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
            parts = missing_parts(order, live, state)
            if parts:
                batch.append((order, parts))
        requests = [routing_request(state, order, parts) for order, parts in batch]
        for (order, parts), outcome in zip(batch, allocate(stock, state.locations(), requests)):
            if outcome.allocations:
                record(state, tx, order, parts, outcome)
                settle(state, tx, order)
