"""A retry must not hide a different order. Given an order placed with a (channel, externalId),
when that key comes again: the same input returns the first order and changes nothing; other
lines (sku, quantity, unitPrice), another customer email or another shipping address are
refused with CONFLICT on externalId, naming the stored order, and change nothing either:
not alone, not later in one ordersPlace, not in one group commit, not for orders stored by
release 0.1.0."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from engine import Engine
from engine.storage.audit import audit
from engine.domain.commands import LineDraft, OrderDraft, PlaceOrders, ProductDraft, UpsertProducts
from engine.storage.store import DB_NAMES

RELEASE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "release_0_1_0" / "data"
EXT = "113-0001"
ADA = {"email": "ada@example.com", "name": "Ada"}
HOME = {"name": "Ada Lovelace", "line1": "1 Main St", "line2": None, "city": "Boston", "region": "MA",
        "postalCode": "02108", "country": "US", "latitude": 42.36, "longitude": -71.06}


def draft(lines=(("A", 2, "9.50"), ("B", 1, None)), ext=EXT, customer=ADA, address=HOME, **extra) -> OrderDraft:
    """The first order: A at a price the channel gave, B at the catalog's price (10.00)."""
    return OrderDraft("web", [LineDraft(s, q, p) for s, q, p in lines], external_id=ext, customer=customer,
                      shipping_address=address, **extra)


def everything(engine: Engine) -> dict:
    """Every record of every database: what a retry or a refused placement must leave as it was."""
    with engine.store.read() as r:
        return {db: [(bytes(k), bytes(v)) for k, v in r.scan(db)] for db in DB_NAMES}


@pytest.fixture
def placed(world, engine):
    """Given stock of A, B and C at one location and the first order with EXT, as SO-000001."""
    world.location("east")
    world.products("A", "B", "C")
    world.channel()
    world.stock(A__east=10, B__east=10, C__east=10)
    result = engine.execute(PlaceOrders([draft()], single=True))
    assert not result.errors, result.errors
    assert result.value["number"] == "SO-000001"
    return result.value


SAME = {
    "the same input": draft(),
    "lines in another order": draft(lines=(("B", 1, None), ("A", 2, "9.50"))),
    "a price written otherwise": draft(lines=(("A", 2, "9.5"), ("B", 1, None))),
    "the catalog's price given": draft(lines=(("A", 2, "9.50"), ("B", 1, "10.00"))),
    "a given unitPrice left out (it meant the price then)": draft(lines=(("A", 2, None), ("B", 1, None))),
    "another customer name": draft(customer={"email": "ada@example.com", "name": None}),
    "address fields left out": draft(address={k: v for k, v in HOME.items() if v is not None}),
    "other tags, note, currency field": draft(tags=["again"], note="resent", currency=None),
}


@pytest.mark.parametrize("retry", SAME.values(), ids=SAME.keys())
def test_a_retry_with_the_same_order_returns_the_first_order_and_changes_nothing(engine, placed, retry):
    before = everything(engine)
    # when the channel sends it again, alone and twice in one ordersPlace
    again = engine.execute(PlaceOrders([retry], single=True))
    batch = engine.execute(PlaceOrders([retry, retry]))
    # then every answer is the first order, and nothing is written: no event, no reservation, no number
    assert again.errors == [] and batch.errors == []
    assert again.value["seq"] == placed["seq"]
    assert [o["seq"] for o in batch.value] == [placed["seq"]] * 2
    assert everything(engine) == before


def test_a_retry_without_unit_prices_is_the_same_order_after_the_catalog_price_changed(world, engine, placed):
    # given the catalog price of B (left out at placement) changed since
    world.ok(UpsertProducts([ProductDraft("B", "B", price="12.00")]))
    before = everything(engine)
    # when the same input comes again, then it is the first order, as it was
    again = engine.execute(PlaceOrders([draft()], single=True))
    assert again.errors == [] and again.value["seq"] == placed["seq"]
    assert [l["unitPrice"] for l in again.value["lines"]] == ["9.50", "10.00"]
    assert everything(engine) == before


OTHER = {
    "another customer email": draft(customer={"email": "grace@example.com", "name": "Ada"}),
    "no customer": draft(customer=None),
    "the email in other case (stored and indexed as given)": draft(customer={"email": "Ada@Example.COM", "name": "Ada"}),
    "another quantity": draft(lines=(("A", 3, "9.50"), ("B", 1, None))),
    "another sku": draft(lines=(("A", 2, "9.50"), ("C", 1, None))),
    "one more line": draft(lines=(("A", 2, "9.50"), ("B", 1, None), ("C", 1, None))),
    "one line fewer": draft(lines=(("A", 2, "9.50"),)),
    "another unitPrice": draft(lines=(("A", 2, "9.00"), ("B", 1, None))),
    "a unitPrice unlike the catalog's taken": draft(lines=(("A", 2, "9.50"), ("B", 1, "11.00"))),
    "another shipping address": draft(address={**HOME, "line1": "2 Main St"}),
    "another country": draft(address={**HOME, "country": "CA"}),
    "no shipping address": draft(address=None),
    "an address field written otherwise": draft(address={**HOME, "city": "BOSTON"}),
    "an empty address field for an absent one": draft(address={**HOME, "line2": ""}),
}


@pytest.mark.parametrize("other", OTHER.values(), ids=OTHER.keys())
def test_another_order_with_a_placed_external_id_is_a_conflict_and_changes_nothing(engine, placed, other):
    before = everything(engine)
    # when another order comes with the same (channel, externalId)
    result = engine.execute(PlaceOrders([other], single=True))
    # then it is refused on externalId, naming the stored order, and nothing is written
    assert result.value is None
    assert [(e.field, e.code.value) for e in result.errors] == [(("input", "externalId"), "CONFLICT")]
    assert "SO-000001" in result.errors[0].message and EXT in result.errors[0].message
    assert everything(engine) == before
    # and no order number was used
    fresh = engine.execute(PlaceOrders([draft(ext="113-0002")], single=True))
    assert fresh.value["number"] == "SO-000002"


def test_orders_place_refuses_the_conflict_at_its_index_and_places_the_others(world, engine, placed):
    committed = world.level("A", "east")["committed"]
    result = engine.execute(PlaceOrders([draft(ext="113-0002"), draft(lines=(("A", 5, "9.50"),)), draft()]))
    new, refused, retry = result.value
    assert [(e.field, e.code.value) for e in result.errors] == [(("input", "1", "externalId"), "CONFLICT")]
    assert "SO-000001" in result.errors[0].message
    assert refused is None and retry["seq"] == placed["seq"] and new["number"] == "SO-000002"
    assert world.level("A", "east")["committed"] == committed + 2


def test_the_same_external_id_twice_in_one_orders_place_is_one_order_or_a_conflict(world, engine, placed):
    first, other = draft(ext="113-0003"), draft(ext="113-0003", customer={"email": "grace@example.com"})
    result = engine.execute(PlaceOrders([first, other, first]))
    new, refused, retry = result.value
    assert new["number"] == "SO-000002" and retry["seq"] == new["seq"] and refused is None
    assert [(e.field, e.code.value) for e in result.errors] == [(("input", "1", "externalId"), "CONFLICT")]
    assert "SO-000002" in result.errors[0].message
    assert world.level("A", "east")["committed"] == 4 and len(everything(engine)["orders"]) == 2


def test_the_same_external_id_in_one_group_commit_is_one_order_or_a_conflict(world, engine, placed):
    # given the writer is held after its next commit, so that what comes meanwhile shares one batch
    release, held = threading.Event(), threading.Event()

    def hold(events, changed):
        if not held.is_set():
            held.set()
            release.wait(10)

    engine.listen(hold)
    engine.submit(PlaceOrders([draft()], single=True)).result(10)
    assert held.wait(10)
    # when three requests with one new externalId arrive together: the same order, another, the same
    first, other = draft(ext="113-0004"), draft(ext="113-0004", lines=(("A", 1, "9.50"),))
    answers = [engine.submit(PlaceOrders([d], single=True)) for d in (first, other, first)]
    release.set()
    new, refused, retry = (a.result(10) for a in answers)
    # then they were one commit: one order, then a conflict naming it, then that order again
    assert engine.sequencer.stats["last_batch"] == 3
    assert new.errors == [] and new.value["number"] == "SO-000002"
    assert refused.value is None and [(e.field, e.code.value) for e in refused.errors] == [(("input", "externalId"), "CONFLICT")]
    assert "SO-000002" in refused.errors[0].message
    assert retry.errors == [] and retry.value["seq"] == new.value["seq"]
    assert world.level("A", "east")["committed"] == 4 and len(everything(engine)["orders"]) == 2


@pytest.fixture
def release_engine(tmp_path):
    """Given a copy of the data directory release 0.1.0 wrote."""
    shutil.copytree(RELEASE_DATA, tmp_path / "data")
    with Engine.open(tmp_path / "data") as e:
        yield e
        assert audit(e.store) == []


BOSTON = {"country": "US", "city": "Boston", "latitude": 42.36, "longitude": -71.06}


def release_retry(ext, sku, quantity, price=None, email=None):
    """An order as the fixture's generator placed it (tests/fixtures/release_data.py)."""
    customer = {"email": email, "name": email.split("@")[0]}
    return OrderDraft("web", [LineDraft(sku, quantity, price)], external_id=ext, customer=customer, shipping_address=BOSTON)


def test_retries_of_orders_stored_by_release_0_1_0_are_compared(release_engine):
    before = everything(release_engine)
    same = [release_retry("W-1", "CAP", 3, email="grace@example.com"),           # price left out
            release_retry("W-2", "TEE", 2, "18.00", email="alan@example.com"),   # price given, the stored one
            release_retry("W-2", "TEE", 2, email="alan@example.com")]            # left out: the stored price stands
    result = release_engine.execute(PlaceOrders(same))
    assert result.errors == [] and [o["number"] for o in result.value] == ["SO-000003", "SO-000004", "SO-000004"]
    other = [release_retry("W-1", "CAP", 4, email="grace@example.com"),
             release_retry("W-2", "TEE", 2, "17.00", email="alan@example.com"),
             release_retry("W-2", "TEE", 2, "18.00", email="edsger@example.com")]
    result = release_engine.execute(PlaceOrders(other))
    assert result.value == [None, None, None]
    assert [(e.field, e.code.value) for e in result.errors] == [(("input", str(i), "externalId"), "CONFLICT") for i in range(3)]
    assert ["SO-000003" in result.errors[0].message, "SO-000004" in result.errors[1].message] == [True, True]
    assert everything(release_engine) == before
