"""Analytics from the writer's aggregates: what the reads answer after placements, cancellations,
shipments and returns on two channels, and that the aggregates always equal a count of the
stored orders (the audit after every test, and a plain-Python model under hypothesis)."""
from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from engine import Engine
from engine.domain import limits
from engine.domain.analytics import utc_day
from engine.domain.commands import (
    ApproveReturn, CancelOrder, LineDraft, OrderDraft, PackShipment, PlaceOrders, ProductDraft, ReceiveReturn,
    RequestReturn, ReturnLineDraft, ScanShipment, ShipShipment, UpsertProducts,
)
from engine.storage import aggregates
from engine.storage.audit import audit

from .conftest import World

DAY1 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)  # a Monday
DAY2 = DAY1 + timedelta(days=1)
RELEASE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "release_0_1_0" / "data"


def given_a_shop(world):
    world.location("east")
    world.channel("web")
    world.channel("pos")
    world.ok(UpsertProducts([ProductDraft("MUG", "Mug", barcode="MUG", price="12.00", cost="5.00"),
                             ProductDraft("CAP", "Cap", barcode="CAP", price="7.50")]))
    world.stock(MUG__east=10, CAP__east=3)


def ship_all(world, order):
    for summary in world.engine.read.order(order["seq"])["shipments"]:
        shipment = world.engine.read.shipment(summary["seq"])
        for line in shipment["lines"]:
            world.ok(ScanShipment(summary["seq"], line["sku"], line["quantity"]))
        world.ok(PackShipment(summary["seq"]))
        world.ok(ShipShipment(summary["seq"], "UPS", "1Z"))


def test_lines_record_list_price_discount_and_cost_at_placement(world, engine):
    given_a_shop(world)
    order = world.order(("MUG", 1), ("CAP", 1))
    world.ok(UpsertProducts([ProductDraft("MUG", "Mug", barcode="MUG", price="13.00", cost="6.00")]))
    mug, cap = engine.read.order(order["seq"])["lines"]
    assert (mug["listPrice"], mug["discount"], mug["unitCost"]) == ("12.00", "0", "5.00")
    assert (cap["listPrice"], cap["unitCost"]) == ("7.50", None)


def test_sales_summary_counts_units_revenue_and_margin_per_day_and_channel(world, engine):
    given_a_shop(world)
    world.order(("MUG", 2), ("CAP", 1), placed_at=DAY1)
    world.order(("MUG", 1), channel="pos", placed_at=DAY1)
    world.order(("MUG", 3), placed_at=DAY2)
    read = engine.read
    days = read.sales_summary(DAY1, DAY2).value
    assert [(p["bucketStart"].day, p["orders"], p["units"], p["revenue"], p["margin"]) for p in days] == [
        (2, 2, 4, Decimal("43.50"), None), (3, 1, 3, Decimal("36.00"), Decimal("21.00"))]
    by_channel = read.sales_summary(DAY1, DAY2, "DAY", True).value
    assert [(p["bucketStart"].day, p["channel"], p["units"]) for p in by_channel] == [(2, "pos", 1), (2, "web", 3), (3, "web", 3)]
    mugs = read.sales_summary(DAY1, DAY2, "WEEK", sku="MUG").value
    assert [(p["orders"], p["units"], p["revenue"], p["margin"]) for p in mugs] == [(3, 6, Decimal("72.00"), Decimal("42.00"))]
    assert read.sales_summary(DAY1, DAY2, "MONTH", channel="pos").value[0]["units"] == 1


def test_cancelling_takes_the_units_back_from_the_day_they_were_ordered(world, engine):
    given_a_shop(world)
    order = world.order(("MUG", 2), placed_at=DAY1)
    world.ok(CancelOrder(order["seq"], "changed mind"))
    point = engine.read.sales_summary(DAY1, DAY1).value[0]
    assert (point["orders"], point["units"], point["revenue"]) == (0, 0, Decimal(0))
    assert engine.read.daily_units("MUG", utc_day(DAY1), 2).tolist() == [0, 0]
    assert engine.read.fulfillment_stats(DAY1, DAY1).value["ordersPlaced"] == 1


def test_top_products_rank_by_revenue_over_the_window(world, engine):
    given_a_shop(world)
    world.order(("CAP", 3), placed_at=DAY1)
    world.order(("MUG", 1), channel="pos", placed_at=DAY2)
    world.order(("MUG", 1), placed_at=DAY2 + timedelta(days=1))  # outside the window
    top = engine.read.top_products(DAY1, DAY2).value
    assert [(p["sku"], p["units"], p["revenue"], p["orders"], p["margin"]) for p in top] == [
        ("CAP", 3, Decimal("22.50"), 1, None), ("MUG", 1, Decimal("12.00"), 1, Decimal("7.00"))]
    assert [p["sku"] for p in engine.read.top_products(DAY1, DAY2, 1, "pos").value] == ["MUG"]


def test_fulfillment_stats_fill_backorders_shipping_and_returns(world, engine):
    given_a_shop(world)
    now = datetime.now(timezone.utc)
    shipped = world.order(("MUG", 2), ("CAP", 4))  # CAP: 3 of 4 allocated
    world.order(("MUG", 1), channel="pos")
    world.stock(CAP__east=4)
    ship_all(world, shipped)
    rma = world.ok(RequestReturn(shipped["seq"], [ReturnLineDraft("MUG", 1)]))
    world.ok(ApproveReturn(rma["seq"]))
    world.ok(ReceiveReturn(rma["seq"], [("MUG", 1, "DAMAGED")]))
    stats = engine.read.fulfillment_stats(now, now).value
    assert (stats["ordersPlaced"], stats["ordersShipped"]) == (2, 1)
    assert stats["fillRate"] == pytest.approx(6 / 7) and stats["backorderRate"] == pytest.approx(1 / 7)
    assert stats["returnRate"] == pytest.approx(1 / 6) and stats["medianHoursToShip"] == 0.5
    assert engine.read.fulfillment_stats(now, now, "pos").value["ordersShipped"] == 0


def test_inventory_history_carries_each_day_forward(world, engine):
    given_a_shop(world)
    world.order(("MUG", 4))
    now = datetime.now(timezone.utc)
    points = engine.read.inventory_history("MUG", "east", now - timedelta(days=2), now).value
    assert [(p["onHand"], p["committed"], p["available"]) for p in points] == [(0, 0, 0), (0, 0, 0), (10, 4, 6)]
    assert points[-1]["at"] == datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), timezone.utc)
    assert engine.read.inventory_history("CAP", None, now, now).value[0]["onHand"] == 3


def test_the_first_change_of_a_day_keeps_the_day_before_as_it_ended(world, engine):
    given_a_shop(world)
    world.order(("MUG", 4))
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    state = engine.sequencer.state
    s = state.catalog.products["MUG"].idx
    state.stock.updated_s[s, :] = int(yesterday.timestamp())  # as if the row had last changed yesterday
    state.stock_days.days[s] -= 1
    with engine.store.env.begin(write=True) as txn:
        txn.put(aggregates.U32.pack(s), *_row_of(state, s), db=engine.store.db["stock"])
    world.order(("MUG", 1))
    points = engine.read.inventory_history("MUG", "east", yesterday, datetime.now(timezone.utc)).value
    assert [(p["onHand"], p["committed"]) for p in points] == [(10, 4), (10, 5)]


def _row_of(state, s):
    from engine.storage.stock_rows import encode_rows
    return encode_rows(state.stock, [s])


@pytest.mark.parametrize("call", [
    lambda r: r.sales_summary(DAY2, DAY1),
    lambda r: r.sales_summary(DAY1, DAY2, "HOUR"),
    lambda r: r.sales_summary(DAY1, DAY1 + timedelta(days=limits.analytics_buckets_max)),
    lambda r: r.sales_summary(DAY1, DAY2, sku="NOPE"),
    lambda r: r.sales_summary(DAY1, DAY2, channel="nope"),
    lambda r: r.top_products(DAY1, DAY2, 0),
    lambda r: r.top_products(DAY1, DAY1 + timedelta(days=limits.analytics_window_days_max)),
    lambda r: r.fulfillment_stats(DAY1, DAY2, "nope"),
    lambda r: r.inventory_history("NOPE", None, DAY1, DAY2),
    lambda r: r.inventory_history("MUG", "nowhere", DAY1, DAY2),
    lambda r: r.inventory_history("MUG", None, DAY1, DAY2, "HOUR"),
])
def test_bad_arguments_are_refused_with_a_code(world, engine, call):
    given_a_shop(world)
    result = call(engine.read)
    assert result.value is None and result.errors[0].code.value in ("INVALID", "NOT_FOUND") and result.errors[0].field


def test_a_window_of_exactly_the_limit_is_served(world, engine):
    given_a_shop(world)
    days = engine.read.sales_summary(DAY1, DAY1 + timedelta(days=limits.analytics_buckets_max - 1)).value
    assert len(days) == limits.analytics_buckets_max


def test_a_store_of_release_0_1_0_gets_its_aggregates_on_open(tmp_path):
    shutil.copytree(RELEASE_DATA, tmp_path / "data")
    with Engine.open(tmp_path / "data") as engine:
        orders = [engine.read.order(seq) for seq in range(1, 50) if engine.read.order(seq)]
        assert orders and all("unitCost" not in line for o in orders for line in o["lines"])
        placed = {datetime.fromisoformat(o["placedAt"]) for o in orders}
        start, end = min(placed), max(placed)
        units = sum(l["quantity"] - l["cancelled"] for o in orders for l in o["lines"])
        summary = engine.read.sales_summary(start, end, "MONTH").value
        assert sum(p["units"] for p in summary) == units > 0 and all(p["margin"] is None for p in summary)
        assert engine.read.fulfillment_stats(start, end).value["ordersPlaced"] == len(orders)
        assert audit(engine.store) == []


def test_a_rebuild_gives_what_the_writer_kept(world, engine):
    given_a_shop(world)
    for day in range(3):
        world.order(("MUG", 1 + day), ("CAP", 1), placed_at=DAY1 + timedelta(days=day))
    kept = {db: list(_items(engine, db)) for db in ("an_sales", "an_totals", "an_fulfil")}
    with engine.store.env.begin(write=True) as txn:
        aggregates.rebuild(engine.store, txn)
    assert {db: list(_items(engine, db)) for db in kept} == kept and kept["an_sales"]


def test_the_audit_finds_aggregates_that_disagree_with_the_orders(world, engine):
    given_a_shop(world)
    world.order(("MUG", 1), placed_at=DAY1)
    key, raw = next(_items(engine, "an_totals"))
    with engine.store.env.begin(write=True) as txn:
        txn.put(key, raw[:-8] + (5).to_bytes(8, "little"), db=engine.store.db["an_totals"])
    assert any(p.startswith("an_totals") for p in audit(engine.store))
    with engine.store.env.begin(write=True) as txn:
        aggregates.rebuild(engine.store, txn)


def _items(engine, db):
    with engine.store.read() as r:
        yield from list(r.scan(db))


SKUS = ("A", "B", "C")
PRICES = {"A": "10.00", "B": "2.25", "C": "99.99"}
COSTS = {"A": "4.00", "B": None, "C": "50.00"}


class AnalyticsMachine(RuleBasedStateMachine):
    """Random placements (two channels, three days), cancellations, shipments and returns,
    against a model that counts what each order left: units not cancelled and their revenue."""

    def __init__(self):
        super().__init__()
        import tempfile
        self.dir = tempfile.mkdtemp(prefix="oms-analytics-")
        self.engine = Engine.open(self.dir)
        self.world = World(self.engine)
        self.world.location("east")
        self.world.channel("web")
        self.world.channel("pos")
        self.world.ok(UpsertProducts([ProductDraft(s, s, barcode=s, price=PRICES[s], cost=COSTS[s]) for s in SKUS]))
        self.world.stock(A__east=20, B__east=5, C__east=2)
        self.orders: dict[int, dict] = {}  # seq -> {"day", "channel", "lines": {sku: [quantity, cancelled]}, "shipped"}

    @rule(lines=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1, max_size=3),
          channel=st.sampled_from(("web", "pos")), day=st.integers(0, 2))
    def place(self, lines, channel, day):
        result = self.world.place(*lines.items(), channel=channel, placed_at=DAY1 + timedelta(days=day))
        assert not result.errors
        self.orders[result.value["seq"]] = {"day": day, "channel": channel, "shipped": False,
                                            "lines": {s: [q, 0] for s, q in lines.items()}}

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data):
        seq = data.draw(st.sampled_from(sorted(self.orders)))
        model = self.orders[seq]
        result = self.engine.execute(CancelOrder(seq, "test"))
        if model["shipped"] or all(q == c for q, c in model["lines"].values()):
            assert result.errors
            return
        assert not result.errors
        for line in model["lines"].values():
            line[1] = line[0]

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def ship(self, data):
        seq = data.draw(st.sampled_from(sorted(self.orders)))
        order = self.engine.read.order(seq)
        if order["status"] != "ALLOCATED":
            return
        ship_all(self.world, order)
        self.orders[seq]["shipped"] = True

    @precondition(lambda self: any(o["shipped"] for o in self.orders.values()))
    @rule(data=st.data())
    def return_one(self, data):
        seq = data.draw(st.sampled_from(sorted(s for s, o in self.orders.items() if o["shipped"])))
        order = self.engine.read.order(seq)
        line = next((l for l in order["lines"] if l["returned"] < l["quantity"] and not l.get("claimed")), None)
        if line is None:
            return
        rma = self.world.ok(RequestReturn(seq, [ReturnLineDraft(line["sku"], 1)]))
        self.world.ok(ApproveReturn(rma["seq"]))
        self.world.ok(ReceiveReturn(rma["seq"], [(line["sku"], 1, "DAMAGED")]))

    @invariant()
    def sales_equal_the_model(self):
        units, revenue = defaultdict(int), defaultdict(Decimal)
        placed = defaultdict(int)
        for o in self.orders.values():
            placed[o["channel"]] += 1
            for sku, (q, c) in o["lines"].items():
                units[(o["day"], o["channel"], sku)] += q - c
                revenue[(o["day"], o["channel"])] += Decimal(PRICES[sku]) * (q - c)
        read = self.engine.read
        points = read.sales_summary(DAY1, DAY1 + timedelta(days=2), "DAY", True).value
        for p in points:
            day = (p["bucketStart"].date() - DAY1.date()).days
            assert p["units"] == sum(v for (d, c, _), v in units.items() if (d, c) == (day, p["channel"]))
            assert p["revenue"] == revenue[(day, p["channel"])]
        for sku in SKUS:
            series = read.daily_units(sku, utc_day(DAY1), 3).tolist()
            assert series == [sum(v for (d, _, s), v in units.items() if (d, s) == (day, sku)) for day in range(3)]
        for channel in ("web", "pos"):
            stats = read.fulfillment_stats(DAY1, DAY1 + timedelta(days=2), channel).value
            assert stats["ordersPlaced"] == placed[channel]

    @invariant()
    def aggregates_equal_a_count_of_the_orders(self):
        assert aggregates.differences(self.engine.store) == []

    def teardown(self):
        problems = audit(self.engine.store)
        self.engine.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        assert problems == []


AnalyticsMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestAnalyticsMachine = AnalyticsMachine.TestCase
