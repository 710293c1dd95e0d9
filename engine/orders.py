"""Order records and what is derived from them (quantities per line, status). No I/O.

A line reserves `parts`: its bundle's components, or its own sku once (per = 1). Each part
holds its allocations {loc, qty, shipped, rule, reason}; line quantities are in kits.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Iterator


def order_number(seq: int) -> str:
    return f"SO-{seq:06d}"


def part_allocated(part: dict) -> int:
    return _units(part, "qty")


def part_shipped(part: dict) -> int:
    return _units(part, "shipped")


def _units(part: dict, field: str) -> int:
    units = 0
    for alloc in part["allocs"]:  # plain loops: these run several times per order on the writer
        units += alloc[field]
    return units


def part_missing(line: dict, part: dict) -> int:
    """Units of this part still to be given a location."""
    return (line["quantity"] - line["cancelled"]) * part["per"] - part_allocated(part)


def line_allocated(line: dict) -> int:
    return _kits(line, "qty")


def line_shipped(line: dict) -> int:
    return _kits(line, "shipped")


def _kits(line: dict, field: str) -> int:
    """Complete kits of a line: its scarcest part, in kits."""
    parts = line["parts"]
    kits = _units(parts[0], field) // parts[0]["per"]
    for part in parts[1:]:
        kits = min(kits, _units(part, field) // part["per"])
    return kits


def line_backordered(line: dict) -> int:
    return line["quantity"] - line["cancelled"] - line_allocated(line)


def subtotal(lines: list[dict]) -> Decimal:
    return sum((Decimal(l["unitPrice"]) * l["quantity"] for l in lines), Decimal(0))


def iter_allocs(order: dict) -> Iterator[tuple[int, int, dict, dict]]:
    """(line index, part index, part, allocation) for every allocation of the order."""
    for li, line in enumerate(order["lines"]):
        for pi, part in enumerate(line["parts"]):
            for alloc in part["allocs"]:
                yield li, pi, part, alloc


def status(order: dict) -> str:
    """One pass over the allocations (it runs for every event and every write of an order)."""
    wanted = allocated = unshipped = 0
    shipped_any = False
    for line in order["lines"]:
        live = line["quantity"] - line["cancelled"]
        kits_allocated = kits_shipped = None
        for part in line["parts"]:
            units = shipped = 0
            for alloc in part["allocs"]:
                units += alloc["qty"]
                shipped += alloc["shipped"]
            shipped_any = shipped_any or shipped > 0  # a kit's first component counts
            per = part["per"]
            if kits_allocated is None or units // per < kits_allocated:
                kits_allocated = units // per
            if kits_shipped is None or shipped // per < kits_shipped:
                kits_shipped = shipped // per
        wanted += live
        allocated += kits_allocated
        unshipped += live - kits_shipped
    return _status(order, wanted, allocated, unshipped, shipped_any)


def _status(order: dict, wanted: int, allocated: int, unshipped: int, shipped_any: bool) -> str:
    if wanted == 0:  # every line cancelled (0 <= cancelled <= quantity)
        return "CANCELLED"
    if shipped_any:
        if unshipped:
            return "PARTIALLY_SHIPPED"
        live = [s for s in order["shipments"] if s["status"] != "CANCELLED"]
        return "DELIVERED" if live and all(s["status"] == "DELIVERED" for s in live) else "SHIPPED"
    if order["held"]:
        return "ON_HOLD"
    if allocated == 0:
        return "BACKORDERED"
    return "PARTIALLY_ALLOCATED" if allocated < wanted else "ALLOCATED"


def cel_view(order: dict) -> dict:
    """The `order` object CEL conditions see (contract field names; Decimal as double)."""
    from datetime import datetime

    from .ids import global_id

    total = float(Decimal(order["subtotal"]))
    return {
        "id": global_id("Order", order["seq"]) if order.get("seq") else None, "number": order.get("number"),
        "channel": order["channel"], "externalId": order.get("externalId"), "status": status(order),
        "currency": order["currency"], "subtotal": total, "total": total, "tags": list(order["tags"]),
        "placedAt": datetime.fromisoformat(order["placedAt"]),
        "customer": order.get("customer"), "shippingAddress": order.get("shippingAddress"),
        "lines": [{"sku": l["sku"], "quantity": l["quantity"], "unitPrice": float(Decimal(l["unitPrice"]))} for l in order["lines"]],
    }
