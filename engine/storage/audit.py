"""Checks every stock invariant against what is on disk. Slow (reads everything): for
tests, and for an operator who wants proof after an incident."""
from __future__ import annotations

from collections import Counter

from ..domain.orders import line_shipped
from .aggregates import differences as aggregate_differences
from .event_log import EventReader
from .stock_rows import decode_row
from .store import ALLOC_KEY, LEDGER_KEY, U32, Store, loads


def audit(store: Store) -> list[str]:
    """Every broken invariant, as a sentence; empty when all hold."""
    problems: list[str] = []
    with store.read() as r:
        locations = {loads(v)["idx"]: loads(v)["code"] for _, v in r.scan("locations")}
        skus = {loads(v)["idx"]: loads(v)["sku"] for _, v in r.scan("products")}
        unshipped: Counter = Counter()
        numbers: Counter = Counter()
        for _, raw in r.scan("orders"):
            order = loads(raw)
            numbers[order["number"]] += 1
            for line in order["lines"]:
                for part in line["parts"]:
                    for alloc in part["allocs"]:
                        unshipped[(part["sku"], alloc["loc"])] += alloc["qty"] - alloc["shipped"]
        incoming: Counter = Counter()
        for _, raw in r.scan("purchase_orders"):
            po = loads(raw)
            if po["status"] in ("OPEN", "PARTIALLY_RECEIVED"):
                for line in po["lines"]:
                    incoming[(line["sku"], po["location"])] += line["quantity"] - line["received"]
        ledger: Counter = Counter()
        for key, raw in r.scan("ledger"):
            entry = loads(raw)
            ledger[(skus[LEDGER_KEY.unpack(key)[0]], entry["loc"])] += entry["delta"]
        for key, raw in r.scan("stock"):
            sku = skus[U32.unpack(key)[0]]
            row = decode_row(raw)
            for l, code in locations.items():
                on_hand = int(row["on_hand"][l]) if l < len(row["on_hand"]) else 0
                committed = int(row["committed"][l]) if l < len(row["committed"]) else 0
                where = f"{sku}@{code}"
                if not 0 <= committed <= on_hand:
                    problems.append(f"{where}: committed {committed} outside 0..onHand {on_hand}")
                if committed != unshipped.pop((sku, code), 0):
                    problems.append(f"{where}: committed {committed} != unshipped allocations")
                if on_hand != ledger.pop((sku, code), 0):
                    problems.append(f"{where}: onHand {on_hand} != sum of ledger deltas")
                due = int(row["incoming"][l]) if l < len(row["incoming"]) else 0
                if due != incoming.pop((sku, code), 0):
                    problems.append(f"{where}: incoming {due} != units still due on open purchase orders")
        problems += [f"{k[0]}@{k[1]}: {v} unshipped allocated units without a stock row" for k, v in unshipped.items() if v]
        problems += [f"{k[0]}@{k[1]}: ledger sums to {v} without a stock row" for k, v in ledger.items() if v]
        problems += [f"order number {n} used {c} times" for n, c in numbers.items() if c > 1]
        problems += [f"{k[0]}@{k[1]}: {v} units due without a stock row" for k, v in incoming.items() if v]
        problems += _return_problems(r)
        problems += _hold_problems(r)
        problems += _event_problems(r)
        for key, _ in r.scan("allocs"):
            _, _, seq, li, pi = ALLOC_KEY.unpack(key)
            if r.get("orders", key[8:16]) is None:
                problems.append(f"allocation index names missing order {seq}")
    problems += aggregate_differences(store)
    return problems


def _return_problems(r) -> list[str]:
    """Per order line: returned equals what returns received, and returned plus what open
    returns hold never exceeds what was shipped."""
    received: Counter = Counter()
    held: Counter = Counter()
    for _, raw in r.scan("returns"):
        rma = loads(raw)
        for line in rma["lines"]:
            key = (rma["order"], line["orderLine"])
            if rma["status"] in ("RECEIVED", "REFUNDED"):
                received[key] += line["received"]
            elif rma["status"] in ("REQUESTED", "APPROVED"):
                held[key] += line["quantity"]
    problems = []
    for _, raw in r.scan("orders"):
        order = loads(raw)
        for i, line in enumerate(order["lines"]):
            key = (order["seq"], i)
            if line["returned"] != received[key] or line.get("claimed", 0) != held[key]:
                problems.append(f"{order['number']} line {i}: returned/claimed disagree with its returns")
            if line["returned"] + held[key] > line_shipped(line):
                problems.append(f"{order['number']} line {i}: more returned or claimed than shipped")
    return problems


def _hold_problems(r) -> list[str]:
    """An order on hold has no open shipment: nothing of it is in a warehouse's queue."""
    problems = []
    for _, raw in r.scan("orders"):
        order = loads(raw)
        if order["held"] and any(s["status"] in ("PENDING", "PICKING") for s in order["shipments"]):
            problems.append(f"{order['number']} is on hold with an open shipment")
    return problems


def _event_problems(r) -> list[str]:
    """The event log is gap-free: sequence numbers 1..n, n being the last one handed out."""
    last = (r.get("meta", b"counters") or {}).get("event", 0)
    expected = 1
    for first, count in EventReader(r).block_ranges():
        if first != expected:
            return [f"event log jumps from {expected - 1} to {first}"]
        expected += count
    return [] if expected - 1 == last else [f"event log ends at {expected - 1}, counter says {last}"]
