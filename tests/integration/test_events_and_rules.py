"""The event log and automation rules, in the commit of the change that caused them."""
from datetime import datetime, timedelta, timezone

from engine import limits
from engine.domain.commands import (
    ActionDraft, AdjustInventory, CreateWebhook, DeleteRule, DeliveryAttempt, EmailAttempt, PackShipment, RetryDelivery,
    SaveRule, ScanShipment, ShipShipment, LineDraft, OrderDraft, PlaceOrders,
)
from engine.storage.event_log import EventReader
from engine.storage.store import loads


def events(engine, types=None):
    with engine.store.read() as r:
        found = list(EventReader(r).since(1))
    return [e for e in found if types is None or e["type"] in types]


def records(engine, db):
    with engine.store.read() as r:
        return [loads(v) for _, v in r.scan(db)]


def given_shop(world, units=5):
    world.location("east")
    world.products("A")
    world.channel("web")
    world.channel("b2b")
    world.stock(A__east=units)


def test_events_are_gap_free_and_name_order_sku_and_location(world, engine):
    given_shop(world, units=2)
    order = world.order(("A", 2), customer={"email": "ada@example.com"})
    log = events(engine)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    placed = events(engine, {"ORDER_PLACED"})
    assert placed[0]["order"] == order["seq"] and placed[0]["data"]["number"] == "SO-000001"
    low = events(engine, {"STOCK_LOW"})
    assert [(e["sku"], e["location"], e["data"]["available"]) for e in low] == [("A", "east", 0)]
    types = [e["type"] for e in log if e["order"] == order["seq"]]
    assert types[:3] == ["ORDER_PLACED", "ORDER_ALLOCATED", "SHIPMENT_CREATED"]  # cause before effect


def test_a_fresh_database_holds_the_default_email_rules_and_the_confirmation_is_queued(world, engine):
    assert sorted(r.record["event"] for r in engine.sequencer.state.rules.values()) == ["ORDER_PLACED", "SHIPMENT_SHIPPED"]
    given_shop(world)
    order = world.order(("A", 1), customer={"email": "ada@example.com", "name": "Ada"})
    ship = order["shipments"][0]["seq"]
    world.ok(ScanShipment(ship, "A"))
    world.ok(PackShipment(ship))
    world.ok(ShipShipment(ship, "UPS", "1Z999", "https://ups.example/1Z999"))
    emails = records(engine, "emails")
    assert [(e["template"], e["to"], e["status"]) for e in emails] == [
        ("order_confirmation", "ada@example.com", "SCHEDULED"), ("dispatch", "ada@example.com", "SCHEDULED")]
    assert emails[1]["context"]["trackingNumber"] == "1Z999"
    assert emails[0]["subject"] == "Order SO-000001 confirmed"


def test_hold_rule_holds_big_b2b_orders_before_release(world, engine):
    given_shop(world)
    world.ok(SaveRule("hold big b2b", "ORDER_PLACED", [ActionDraft("HOLD", {"reason": "credit check"})],
                      condition='order.channel == "b2b" && order.total > 20.0'))
    big = world.order(("A", 3), channel="b2b")
    small = world.order(("A", 1), channel="b2b")
    assert (big["status"], big["holdReason"], big["shipments"]) == ("ON_HOLD", "credit check", [])
    assert small["status"] == "ALLOCATED" and small["shipments"]
    assert "ORDER_HELD" in [e["type"] for e in events(engine) if e["order"] == big["seq"]]


def test_tag_by_country_and_a_delayed_email(world, engine):
    given_shop(world)
    world.ok(SaveRule("tag DE", "ORDER_PLACED", [ActionDraft("ADD_TAG", {"tag": "de"})],
                      condition='order.shippingAddress.country == "DE"'))
    world.ok(SaveRule("follow up", "ORDER_PLACED", [ActionDraft("SEND_EMAIL", {"template": "order_confirmation", "to": "ops@example.com"}, 3600)]))
    german = world.order(("A", 1), shipping_address={"country": "DE"})
    nowhere = world.order(("A", 1))
    assert engine.read.order(german["seq"])["tags"] == ["de"]
    assert engine.read.order(nowhere["seq"])["tags"] == []
    delayed = [e for e in records(engine, "emails") if e["to"] == "ops@example.com"]
    assert len(delayed) == 2
    wait = datetime.fromisoformat(delayed[0]["scheduledFor"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=59) < wait <= timedelta(hours=1)


def test_stock_low_creates_a_purchase_order(world, engine):
    given_shop(world, units=1)
    world.ok(SaveRule("reorder", "STOCK_LOW", [ActionDraft("CREATE_PURCHASE_ORDER", {"supplier": "Acme", "quantity": 50})]))
    world.order(("A", 1))
    pos = records(engine, "purchase_orders")
    assert [(p["supplier"], p["location"], p["lines"]) for p in pos] == [("Acme", "east", [{"sku": "A", "quantity": 50, "received": 0}])]
    assert world.level("A", "east")["incoming"] == 50


def test_bad_rules_are_refused_with_paths(world, engine):
    bad = [
        (SaveRule("x", "ORDER_PLACED", [ActionDraft("ADD_TAG", {"tag": "t"})], condition="order.total >"), ("input", "condition")),
        (SaveRule("x", "SHIPMENT_SHIPPED", [ActionDraft("HOLD", {})]), ("input", "actions", "0", "type")),
        (SaveRule("x", "ORDER_PLACED", [ActionDraft("SEND_EMAIL", {"template": "nope"})]), ("input", "actions", "0", "params", "template")),
        (SaveRule("x", "ORDER_PLACED", [ActionDraft("ADD_TAG", {"tag": "t"}, 60)]), ("input", "actions", "0", "delaySeconds")),
        (DeleteRule(999), ("id",)),
    ]
    for command, path in bad:
        assert engine.execute(command).errors[0].field == path


def test_webhook_deliveries_retry_with_backoff_then_fail(world, engine):
    given_shop(world)
    hook = world.ok(CreateWebhook("http://127.0.0.1:9/hook", ["ORDER_PLACED"], "s" * 16))
    world.order(("A", 1))
    [delivery] = records(engine, "deliveries")
    assert (delivery["webhook"], delivery["eventType"], delivery["status"]) == (hook["seq"], "ORDER_PLACED", "SCHEDULED")
    for attempt in range(1, 11):
        result = world.ok(DeliveryAttempt(delivery["seq"], 500, "HTTP 500"))
        assert result["attempts"] == attempt
    assert result["status"] == "FAILED"
    again = world.ok(RetryDelivery(delivery["seq"]))
    assert again["status"] == "SCHEDULED"
    assert world.ok(DeliveryAttempt(delivery["seq"], 204, None))["status"] == "SENT"


def test_email_failures_back_off_then_it_is_sent(world, engine):
    given_shop(world)
    world.order(("A", 1), customer={"email": "ada@example.com"})
    [email] = records(engine, "emails")
    failed = world.ok(EmailAttempt(email["seq"], "421 try later"))
    assert (failed["status"], failed["attempts"], failed["lastError"]) == ("SCHEDULED", 1, "421 try later")
    assert failed["nextAttemptAt"] > email["nextAttemptAt"]
    sent = world.ok(EmailAttempt(email["seq"]))
    assert (sent["status"], sent["attempts"], sent["lastError"]) == ("SENT", 2, None) and sent["sentAt"]


def test_events_survive_restart_and_numbering_continues(tmp_path):
    from engine import Engine
    from tests.integration.conftest import World
    with Engine.open(tmp_path) as engine:
        world = World(engine)
        given_shop(world)
        world.order(("A", 1))
        last = events(engine)[-1]["seq"]
    with Engine.open(tmp_path) as engine:
        World(engine).ok(AdjustInventory([("A", "east", 1)], "RECEIVED"))
        assert events(engine)[-1]["seq"] > last
        assert [e["seq"] for e in events(engine)] == list(range(1, len(events(engine)) + 1))
        assert len(engine.sequencer.state.rules) == 2  # defaults installed once


def test_order_templates_are_refused_on_events_without_an_order(world, engine):
    refused = engine.execute(SaveRule("x", "STOCK_LOW", [ActionDraft("SEND_EMAIL", {"template": "dispatch", "to": "a@b.co"})]))
    assert refused.errors[0].field == ("input", "actions", "0", "params", "template")


def test_listeners_hear_every_changed_order_even_without_an_event(world, engine):
    given_shop(world)
    heard = []
    engine.listen(lambda events, changed: heard.append(changed))
    order = world.order(("A", 1))
    world.ok(ScanShipment(order["shipments"][0]["seq"], "A"))
    assert heard[-1] == {order["seq"]}


def test_rules_react_to_every_event_of_a_big_batch_however_many_it_emits(world, engine):
    """given 1,000 orders in one command, each split over 10 locations (12 events an order),
    when placed, then each gets its confirmation email and its webhook delivery."""
    skus = [f"K{i}" for i in range(10)]
    for i, sku in enumerate(skus):
        world.location(f"loc{i}")
        world.products(sku)
    world.channel("web")
    world.stock(**{f"{sku}__loc{i}": 1_000 for i, sku in enumerate(skus)})
    world.ok(CreateWebhook("http://127.0.0.1:9/hook", ["ORDER_PLACED"], "s" * 16))
    drafts = [OrderDraft("web", [LineDraft(s, 1) for s in skus], customer={"email": f"c{n}@example.com"}) for n in range(1_000)]
    result = engine.execute(PlaceOrders(drafts))
    assert not result.errors
    assert len(events(engine)) > limits.rule_events_max
    confirmed = {e["context"]["number"] for e in records(engine, "emails") if e["template"] == "order_confirmation"}
    assert confirmed == {o["number"] for o in result.value}
    assert len(records(engine, "deliveries")) == 1_000


def test_a_rule_loop_stops_at_the_limit_of_events_rules_cause(world, engine, monkeypatch):
    """given a rule that orders stock whenever stock changes (each order changes stock again),
    when stock is adjusted, then the loop stops after rule_events_max caused events and the
    command still commits."""
    monkeypatch.setattr(limits, "rule_events_max", 40)
    given_shop(world)
    world.ok(SaveRule("loop", "STOCK_CHANGED", [ActionDraft("CREATE_PURCHASE_ORDER", {"supplier": "Acme", "quantity": 1})]))
    world.ok(AdjustInventory([("A", "east", 3)], "RECEIVED"))
    pos = records(engine, "purchase_orders")
    assert 10 <= len(pos) <= 40
    assert world.level("A", "east")["onHand"] == 8
    assert world.level("A", "east")["incoming"] == len(pos)
