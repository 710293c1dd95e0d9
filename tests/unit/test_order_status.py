"""Order status and line quantities derived from a record (no disk)."""
from engine.domain import orders


def order(*lines, held=False, shipments=()):
    return {"held": held, "shipments": list(shipments), "lines": list(lines)}


def line(quantity, allocs=(), cancelled=0, per=1):
    return {"quantity": quantity, "cancelled": cancelled, "returned": 0,
            "parts": [{"sku": "A", "per": per, "allocs": [{"loc": "x", "qty": q, "shipped": s} for q, s in allocs]}]}


def test_statuses():
    assert orders.status(order(line(2))) == "BACKORDERED"
    assert orders.status(order(line(2, [(1, 0)]))) == "PARTIALLY_ALLOCATED"
    assert orders.status(order(line(2, [(2, 0)]))) == "ALLOCATED"
    assert orders.status(order(line(2, [(2, 0)]), held=True)) == "ON_HOLD"
    assert orders.status(order(line(2, [(2, 1)]))) == "PARTIALLY_SHIPPED"
    assert orders.status(order(line(2, [(2, 2)]), shipments=[{"status": "SHIPPED"}])) == "SHIPPED"
    assert orders.status(order(line(2, [(2, 2)]), shipments=[{"status": "DELIVERED"}, {"status": "CANCELLED"}])) == "DELIVERED"
    assert orders.status(order(line(2, cancelled=2))) == "CANCELLED"
    assert orders.status(order(line(2, [(1, 1)], cancelled=1), shipments=[{"status": "SHIPPED"}])) == "SHIPPED"


def test_kits_count_complete_sets():
    kit = line(2, per=2)
    kit["parts"].append({"sku": "B", "per": 1, "allocs": [{"loc": "x", "qty": 2, "shipped": 0}]})
    kit["parts"][0]["allocs"] = [{"loc": "x", "qty": 3, "shipped": 0}]
    assert orders.line_allocated(kit) == 1
    assert orders.line_backordered(kit) == 1
    assert orders.part_missing(kit, kit["parts"][0]) == 1


def test_a_kit_with_one_component_shipped_is_partially_shipped():
    kit = line(1)
    kit["parts"][0]["allocs"] = [{"loc": "x", "qty": 1, "shipped": 1}]
    kit["parts"].append({"sku": "B", "per": 1, "allocs": [{"loc": "y", "qty": 1, "shipped": 0}]})
    assert orders.status(order(kit, shipments=[{"status": "SHIPPED"}, {"status": "PENDING"}])) == "PARTIALLY_SHIPPED"
