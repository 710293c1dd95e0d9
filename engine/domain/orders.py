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


def line_prices(product: dict) -> dict:
    """What a new line records of its product: the list price (the product's price, until price
    lists exist), the discount (none, until promotions exist) and the cost, as at placement."""
    return {"listPrice": product["price"], "discount": "0", "unitCost": product.get("cost")}


def margin(order: dict) -> Decimal | None:
    """subtotal - discounts - the lines' unitCost x quantity; None while a line has no cost
    (lines stored before costs were recorded have none)."""
    cost = Decimal(0)
    for line in order["lines"]:
        if line.get("unitCost") is None:
            return None
        cost += Decimal(line["unitCost"]) * line["quantity"]
    return Decimal(order["subtotal"]) - discount_total(order) - cost


def discount_total(order: dict) -> Decimal:
    return sum((Decimal(line.get("discount") or 0) for line in order["lines"]), Decimal(0))


def subtotal(lines: list[dict]) -> Decimal:
    return sum((Decimal(l["unitPrice"]) * l["quantity"] for l in lines), Decimal(0))


ADDRESS_FIELDS = ("name", "line1", "line2", "city", "region", "postalCode", "country", "latitude", "longitude")


def retry_difference(stored: dict, retry: dict, priced: set[str]) -> str | None:
    """What a placement reusing a stored order's (channel, externalId) says otherwise than that
    order, or None when it is a retry of it (then the stored order is its answer). `retry` is the
    record its input would make, `priced` the skus it gave a unitPrice for. Run only when the key
    is already taken, so new orders pay nothing.
    Compared, as the contract lists them:
    - the lines as a set keyed by sku (a sku is on an order once, so line order does not matter):
      the same skus, each with the same quantity; a unitPrice the retry gives must equal the stored
      one by value (5 = 5.00), and one it leaves out matches whatever was stored, since it meant
      the catalog price at placement, which the stored line already holds (the catalog may have
      changed since: comparing today's price would refuse a faithful retry);
    - the customer email exactly, as it is stored and indexed (customers are keyed on it as given);
    - the shipping address field by field as stored, an omitted field or address being null."""
    if _lines_differ(stored["lines"], retry["lines"], priced):
        return "other lines"
    if _email(stored) != _email(retry):
        return "another customer email"
    if _address(stored.get("shippingAddress")) != _address(retry.get("shippingAddress")):
        return "another shipping address"
    return None


def _lines_differ(stored: list[dict], retry: list[dict], priced: set[str]) -> bool:
    if len(stored) != len(retry):
        return True
    by_sku = {line["sku"]: line for line in stored}
    for line in retry:
        old = by_sku.get(line["sku"])
        if old is None or old["quantity"] != line["quantity"]:
            return True
        if line["sku"] in priced and Decimal(old["unitPrice"]) != Decimal(line["unitPrice"]):
            return True
    return False


def _email(order: dict) -> str | None:
    return (order.get("customer") or {}).get("email")


def _address(address: dict | None) -> tuple | None:
    return None if address is None else tuple(address.get(k) for k in ADDRESS_FIELDS)


def allocations(order: dict) -> list[dict]:
    """Every allocation of the order, in line, part, allocation order (a list: the writer's hot
    loops, which need no indices, pay for iter_allocs' generator frames)."""
    return [alloc for line in order["lines"] for part in line["parts"] for alloc in part["allocs"]]


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
