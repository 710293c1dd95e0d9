"""The writer's one-pass order status against the plain definition, on random orders."""
from hypothesis import given, strategies as st

from engine.domain.orders import status

SHIPMENT_STATUSES = ("PENDING", "PICKING", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED")


def reference_status(order: dict) -> str:
    """The status rules of the contract, written plainly (one sum per quantity)."""
    def kits(line, field):
        return min(sum(a[field] for a in p["allocs"]) // p["per"] for p in line["parts"])
    lines = order["lines"]
    if all(l["cancelled"] == l["quantity"] for l in lines):
        return "CANCELLED"
    if any(a["shipped"] for l in lines for p in l["parts"] for a in p["allocs"]):
        if sum(l["quantity"] - l["cancelled"] - kits(l, "shipped") for l in lines):
            return "PARTIALLY_SHIPPED"
        live = [s for s in order["shipments"] if s["status"] != "CANCELLED"]
        return "DELIVERED" if live and all(s["status"] == "DELIVERED" for s in live) else "SHIPPED"
    if order["held"]:
        return "ON_HOLD"
    allocated = sum(kits(l, "qty") for l in lines)
    if allocated == 0:
        return "BACKORDERED"
    return "PARTIALLY_ALLOCATED" if allocated < sum(l["quantity"] - l["cancelled"] for l in lines) else "ALLOCATED"


@st.composite
def part(draw, quantity, shipping):
    per = draw(st.integers(1, 3))
    units = draw(st.sampled_from([0, quantity * per, quantity * per - 1, per]) | st.integers(0, quantity * per + 2))
    split = [units // 2, units - units // 2] if draw(st.booleans()) else [units]
    allocs = [{"qty": q, "shipped": draw(st.integers(0, q)) if shipping else 0} for q in split if q > 0]
    return {"per": per, "allocs": allocs}


@st.composite
def line(draw, shipping):
    quantity = draw(st.integers(1, 5))
    cancelled = draw(st.sampled_from([0, quantity]) | st.integers(0, quantity))
    parts = [draw(part(quantity, shipping)) for _ in range(draw(st.integers(1, 3)))]
    return {"quantity": quantity, "cancelled": cancelled, "parts": parts}


@st.composite
def order(draw):
    shipping = draw(st.booleans())  # half the orders have nothing shipped: the allocation statuses
    shipments = [{"status": s} for s in draw(st.lists(st.sampled_from(SHIPMENT_STATUSES), max_size=3))]
    return {"lines": draw(st.lists(line(shipping), min_size=1, max_size=4)), "held": draw(st.booleans()),
            "shipments": shipments}


@given(order())
def test_status_matches_the_plain_definition(o):
    assert status(o) == reference_status(o)
