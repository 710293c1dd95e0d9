"""Random sequences of commands against a real engine; after every step every invariant
holds on disk, and memory equals disk."""
import shutil
import tempfile

import numpy as np
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from engine import Engine
from engine.storage.audit import audit
from engine.domain.commands import (
    AdjustInventory, ApproveReturn, CancelOrder, CancelPurchaseOrder, CreatePurchaseOrder, DeliverShipment,
    HoldOrder, LineDraft, OrderDraft, PackShipment, PlaceOrders, ReceivePurchaseOrder, ReceiveReturn,
    RejectReturn, ReleaseOrder, ReportShort, RequestReturn, ReturnLineDraft, RuleDraft, ScanShipment,
    SetInventory, SetRoutingPolicy, ShipShipment, StockSetItem,
)
from engine.storage.loading import load_state
from engine.storage.store import loads
from tests.integration.conftest import World

SKUS = ["A", "B", "C"]
LOCS = ["east", "west", "north"]
skus = st.sampled_from(SKUS)
locs = st.sampled_from(LOCS)


class EngineMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.mkdtemp()
        self.engine = Engine.open(self.dir)
        world = World(self.engine)
        for i, code in enumerate(LOCS):
            world.location(code, priority=i, lat=40.0 + i, lon=-74.0 - i)
        world.products(*SKUS)
        world.bundle("KIT", [("A", 1), ("B", 2)])
        world.channel("web")
        world.channel("b2b", rules=[{"name": "east", "locations": ["east"], "allowSplit": False}], on_shortage="REJECT")
        self.orders: list[int] = []
        self.by_key: dict[tuple[str, str], tuple[tuple, int]] = {}  # (channel, externalId) -> (what was placed, seq)

    def teardown(self):
        self.engine.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(orders=st.lists(st.tuples(
              st.lists(st.tuples(st.sampled_from(SKUS + ["KIT"]), st.integers(1, 4)), min_size=1, max_size=3, unique_by=lambda t: t[0]),
              st.sampled_from([None, "ada@x.io", "ADA@x.io", "bob@x.io"])), min_size=1, max_size=3),
          channel=st.sampled_from(["web", "b2b"]), ext=st.one_of(st.none(), st.sampled_from(["x1", "x2"])), shuffle=st.randoms())
    def place(self, orders, channel, ext, shuffle):
        """One ordersPlace, its inputs sharing ext: a retry (same lines in any order, the same email) is the
        order placed first under its key; anything else under that key is a CONFLICT on its externalId."""
        drafts = []
        for lines, email in orders:
            lines = shuffle.sample(lines, len(lines))
            drafts.append(OrderDraft(channel, [LineDraft(s, q) for s, q in lines], external_id=ext,
                                     customer=None if email is None else {"email": email}))
        result = self.engine.execute(PlaceOrders(drafts))
        errors = {int(e.field[1]): e for e in result.errors}
        for i, ((lines, email), order) in enumerate(zip(orders, result.value)):
            said = (tuple(sorted(lines)), email)  # emails compare as given: customers are keyed on them so
            known = self.by_key.get((channel, ext)) if ext else None
            if known is None:
                assert order is not None or errors[i].code.value == "INSUFFICIENT_STOCK", errors.get(i)
                if order is not None and ext:
                    self.by_key[(channel, ext)] = (said, order["seq"])
            elif known[0] == said:
                assert i not in errors and order["seq"] == known[1]
            else:
                assert order is None and errors[i].code.value == "CONFLICT" and errors[i].field == ("input", str(i), "externalId")
            if order is not None and order["seq"] not in self.orders:
                self.orders.append(order["seq"])

    @rule(sku=skus, loc=locs, delta=st.integers(-5, 8))
    def adjust(self, sku, loc, delta):
        self.engine.execute(AdjustInventory([(sku, loc, delta)], "CORRECTION"))

    @rule(sku=skus, loc=locs, on_hand=st.integers(0, 10), safety=st.one_of(st.none(), st.integers(0, 2)))
    def set_level(self, sku, loc, on_hand, safety):
        self.engine.execute(SetInventory([StockSetItem(sku, loc, on_hand, safety_stock=safety)]))

    @rule(sku=skus, loc=locs, below=st.integers(1, 3))
    def squeeze(self, sku, loc, below):
        """onHand set below what is committed there: the newest allocations must give way."""
        level = self.engine.read.stock_level(sku, loc)
        if level["committed"]:
            self.engine.execute(SetInventory([StockSetItem(sku, loc, max(0, level["committed"] - below))]))

    @rule(data=st.data())
    def cancel(self, data):
        if self.orders:
            self.engine.execute(CancelOrder(data.draw(st.sampled_from(self.orders))))

    @rule(data=st.data())
    def hold_or_release(self, data):
        if self.orders:
            seq = data.draw(st.sampled_from(self.orders))
            command = HoldOrder(seq, "check") if data.draw(st.booleans()) else ReleaseOrder(seq)
            self.engine.execute(command)

    @rule(sorts=st.permutations(["FEWEST_SHIPMENTS", "NEAREST", "PRIORITY", "MOST_STOCK"]), split=st.booleans(),
          max_shipments=st.one_of(st.none(), st.integers(1, 2)))
    def repolicy(self, sorts, split, max_shipments):
        rule_ = RuleDraft("r", sort=sorts[:2], allow_split=split, max_shipments=max_shipments)
        self.engine.execute(SetRoutingPolicy("web", [rule_, RuleDraft("rest")]))

    def _shipment(self, data, statuses):
        with self.engine.store.read() as r:
            candidates = [loads(v) for _, v in r.scan("shipments")]
        candidates = [x for x in candidates if x["status"] in statuses]
        return data.draw(st.sampled_from(candidates)) if candidates else None

    @rule(data=st.data(), units=st.integers(1, 3))
    def pick(self, data, units):
        shipment = self._shipment(data, ("PENDING", "PICKING"))
        if shipment and shipment["lines"]:
            line = data.draw(st.sampled_from(shipment["lines"]))
            self.engine.execute(ScanShipment(shipment["seq"], line["sku"], units))

    @rule(data=st.data(), units=st.integers(1, 3))
    def short(self, data, units):
        shipment = self._shipment(data, ("PENDING", "PICKING"))
        if shipment and shipment["lines"]:
            line = data.draw(st.sampled_from(shipment["lines"]))
            self.engine.execute(ReportShort(shipment["seq"], line["sku"], units))

    @rule(data=st.data(), deliver=st.booleans())
    def work_to_the_end(self, data, deliver):
        """Picks every line of an open shipment, packs and ships it."""
        shipment = self._shipment(data, ("PENDING", "PICKING"))
        if not shipment:
            return
        for line in shipment["lines"]:
            if line["quantity"] > line["picked"]:
                assert not self.engine.execute(ScanShipment(shipment["seq"], line["sku"], line["quantity"] - line["picked"])).errors
        assert not self.engine.execute(PackShipment(shipment["seq"])).errors
        assert not self.engine.execute(ShipShipment(shipment["seq"], "UPS", "1Z")).errors
        if deliver:
            assert not self.engine.execute(DeliverShipment(shipment["seq"])).errors

    @rule(data=st.data())
    def pack_ship_deliver(self, data):
        shipment = self._shipment(data, ("PICKING", "PACKED", "SHIPPED"))
        if shipment:
            step = {"PICKING": PackShipment(shipment["seq"]), "PACKED": ShipShipment(shipment["seq"], "UPS", "1Z"),
                    "SHIPPED": DeliverShipment(shipment["seq"])}[shipment["status"]]
            self.engine.execute(step)

    @rule(data=st.data(), units=st.integers(1, 3), resellable=st.booleans(), outcome=st.sampled_from(["receive", "reject"]))
    def return_goods(self, data, units, resellable, outcome):
        if not self.orders:
            return
        order = self.engine.read.order(data.draw(st.sampled_from(self.orders)))
        line = data.draw(st.sampled_from(order["lines"]))
        requested = self.engine.execute(RequestReturn(order["seq"], [ReturnLineDraft(line["sku"], units)]))
        if requested.errors:
            return
        rma = requested.value["seq"]
        if outcome == "reject":
            self.engine.execute(RejectReturn(rma, "no"))
            return
        self.engine.execute(ApproveReturn(rma))
        condition = "RESELLABLE" if resellable else "DAMAGED"
        self.engine.execute(ReceiveReturn(rma, [(line["sku"], units, condition)]))

    @rule(sku=skus, loc=locs, ordered=st.integers(1, 6), received=st.integers(0, 7), cancel=st.booleans())
    def purchase(self, sku, loc, ordered, received, cancel):
        po = self.engine.execute(CreatePurchaseOrder("Acme", loc, [(sku, ordered)])).value
        if received:
            self.engine.execute(ReceivePurchaseOrder(po["seq"], [(sku, received)]))
        if cancel:
            self.engine.execute(CancelPurchaseOrder(po["seq"]))

    @invariant()
    def invariants_hold_on_disk(self):
        assert audit(self.engine.store) == []

    @invariant()
    def memory_equals_disk(self):
        live = self.engine.sequencer.state.stock
        fresh = load_state(self.engine.store).stock
        n, m = live.n_sku, live.n_loc
        for field in ("on_hand", "committed", "safety"):
            assert np.array_equal(getattr(live, field)[:n, :m], getattr(fresh, field)[:n, :m]), field
        assert live.incoming == fresh.incoming


EngineMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestEngineProperties = EngineMachine.TestCase
