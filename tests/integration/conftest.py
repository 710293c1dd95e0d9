"""A real engine on a real LMDB in a temp dir, with a small catalog helper."""
from __future__ import annotations

import pytest

from engine import Engine
from engine.storage.audit import audit
from engine.domain.commands import (
    LineDraft, OrderDraft, PlaceOrders, ProductDraft, RuleDraft, SetInventory, SetRoutingPolicy, StockSetItem,
    UpsertChannel, UpsertLocation, UpsertProducts,
)


SNAKE = {"locationKinds": "location_kinds", "maxDistanceKm": "max_distance_km", "allowSplit": "allow_split",
         "maxShipments": "max_shipments"}


class World:
    """Given-steps for engine tests; every call asserts the command was accepted."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def ok(self, command):
        result = self.engine.execute(command)
        assert not result.errors, result.errors
        return result.value

    def location(self, code, priority=0, lat=None, lon=None, kind="WAREHOUSE", active=True):
        address = None if lat is None else {"country": "US", "latitude": lat, "longitude": lon}
        return self.ok(UpsertLocation(code, code.title(), kind, priority, active, address))

    def products(self, *skus, price="10.00"):
        return self.ok(UpsertProducts([ProductDraft(s, s, price=price) for s in skus]))

    def bundle(self, sku, components, price="25.00"):
        return self.ok(UpsertProducts([ProductDraft(sku, sku, price=price, components=components)]))

    def channel(self, code="web", rules=None, on_shortage="BACKORDER"):
        self.ok(UpsertChannel(code, code, "STOREFRONT"))
        if rules is not None:
            self.ok(SetRoutingPolicy(code, [RuleDraft(**{SNAKE.get(k, k): v for k, v in r.items()}) for r in rules], on_shortage))

    def stock(self, **levels):
        """stock(A__east=5) sets onHand of A at east to 5."""
        items = [StockSetItem(*key.split("__"), on_hand=q) for key, q in levels.items()]
        return self.ok(SetInventory(items))

    def place(self, *lines, channel="web", external_id=None, **extra):
        draft = OrderDraft(channel, [LineDraft(s, q) for s, q in lines], external_id=external_id, **extra)
        return self.engine.execute(PlaceOrders([draft], single=True))

    def order(self, *lines, **kw):
        result = self.place(*lines, **kw)
        assert not result.errors, result.errors
        return result.value

    def level(self, sku, loc):
        return self.engine.read.stock_level(sku, loc)

    def allocations(self, order):
        fresh = self.engine.read.order(order["seq"])
        return sorted((p["sku"], a["loc"], a["qty"]) for l in fresh["lines"] for p in l["parts"] for a in p["allocs"])


@pytest.fixture
def engine(tmp_path):
    with Engine.open(tmp_path / "data") as e:
        yield e
        assert audit(e.store) == []


@pytest.fixture
def world(engine):
    return World(engine)
