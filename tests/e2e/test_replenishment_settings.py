"""Forecast adjustments and reorder rules over HTTP: saved, listed, replaced, deleted, refused
with the contract's codes and paths when wrong (and then nothing changes), and kept over a
restart."""
from __future__ import annotations

from .helpers import ERRORS, add_location, add_products, error_set, ok

ADJUSTMENT = "id sku from to factor note"
SAVE = f"mutation($input: ForecastAdjustmentInput!) {{ forecastAdjustmentSave(input: $input) {{ adjustment {{ {ADJUSTMENT} }} {ERRORS} }} }}"
DELETE = f"mutation($id: ID!) {{ forecastAdjustmentDelete(id: $id) {{ deletedId {ERRORS} }} }}"
ADJUSTMENTS = f"{{ forecastAdjustments {{ {ADJUSTMENT} }} }}"
NODE = "query($id: ID!) { node(id: $id) { ... on ForecastAdjustment { id factor } } }"
RULE = "sku location minQuantity maxQuantity multiple minimumOrderQuantity leadTimeDays supplier"
SET_RULES = f"mutation($input: [ReorderRuleInput!]!) {{ reorderRulesSet(input: $input) {{ rules {{ {RULE} }} {ERRORS} }} }}"
RULES = f"query($sku: String, $location: String) {{ reorderRules(sku: $sku, location: $location) {{ {RULE} }} }}"


async def given_catalog(c) -> None:
    for code in ("east", "west"):
        await add_location(c, code)
    await add_products(c, [{"sku": s, "name": s, "price": "5.00"} for s in ("A", "B")])


async def test_adjustments_are_saved_listed_and_deleted(server, client):
    await given_catalog(client)
    promo = ok((await client.data(SAVE, {"input": {"sku": "A", "from": "2031-05-01T00:00:00+02:00", "to": "2031-05-08T00:00:00Z",
                                                   "factor": 1.5, "note": "spring promotion"}}))["forecastAdjustmentSave"])["adjustment"]
    closure = ok((await client.data(SAVE, {"input": {"from": "2031-12-25T00:00:00Z", "to": "2031-12-26T00:00:00Z",
                                                     "factor": 0}}))["forecastAdjustmentSave"])["adjustment"]
    assert promo["from"] == "2031-04-30T22:00:00+00:00" and promo["factor"] == 1.5 and promo["sku"] == "A"
    assert closure["sku"] is None and closure["note"] is None
    assert [a["id"] for a in (await client.data(ADJUSTMENTS))["forecastAdjustments"]] == [promo["id"], closure["id"]]
    assert (await client.data(NODE, {"id": promo["id"]}))["node"] == {"id": promo["id"], "factor": 1.5}
    deleted = ok((await client.data(DELETE, {"id": promo["id"]}))["forecastAdjustmentDelete"])
    assert deleted["deletedId"] == promo["id"]
    again = (await client.data(DELETE, {"id": promo["id"]}))["forecastAdjustmentDelete"]
    assert again["deletedId"] is None and error_set(again) == {(("id",), "NOT_FOUND")}
    await server.arestart()
    assert (await client.data(ADJUSTMENTS))["forecastAdjustments"] == [closure]


async def test_bad_adjustments_are_refused_and_change_nothing(server, client):
    await given_catalog(client)
    cases = [
        ({"sku": "NOPE", "from": "2031-01-02T00:00:00Z", "to": "2031-01-03T00:00:00Z", "factor": 1}, {(("input", "sku"), "NOT_FOUND")}),
        ({"from": "2031-01-03T00:00:00Z", "to": "2031-01-03T00:00:00Z", "factor": 1}, {(("input", "to"), "INVALID")}),
        ({"from": "2031-01-02T00:00:00Z", "to": "2031-01-03T00:00:00Z", "factor": -0.5}, {(("input", "factor"), "INVALID")}),
        ({"from": "2031-01-02T00:00:00Z", "to": "2031-01-03T00:00:00Z", "factor": 101}, {(("input", "factor"), "INVALID")}),
        ({"from": "2031-01-02T00:00:00Z", "to": "2031-01-03T00:00:00Z", "factor": 1, "note": "x" * 1001},
         {(("input", "note"), "LIMIT_EXCEEDED")}),
    ]
    for value, expected in cases:
        payload = (await client.data(SAVE, {"input": value}))["forecastAdjustmentSave"]
        assert payload["adjustment"] is None and error_set(payload) == expected, value
    bad_id = (await client.data(DELETE, {"id": "not-an-id"}))["forecastAdjustmentDelete"]
    assert error_set(bad_id) == {(("id",), "INVALID")}
    assert (await client.data(ADJUSTMENTS))["forecastAdjustments"] == []


def rule(sku: str, location: str, **fields) -> dict:
    return {"sku": sku, "location": location, **fields}


async def test_reorder_rules_are_set_replaced_and_filtered(server, client):
    await given_catalog(client)
    first = ok((await client.data(SET_RULES, {"input": [
        rule("A", "east", minQuantity=10, maxQuantity=200, multiple=12, minimumOrderQuantity=24, leadTimeDays=5, supplier="Acme"),
        rule("A", "west"), rule("B", "east", leadTimeDays=0)]}))["reorderRulesSet"])["rules"]
    assert first[1] == {"sku": "A", "location": "west", "minQuantity": None, "maxQuantity": None, "multiple": 1,
                        "minimumOrderQuantity": 1, "leadTimeDays": None, "supplier": None}
    ok((await client.data(SET_RULES, {"input": [rule("A", "east", multiple=6, supplier="Other")]}))["reorderRulesSet"])
    every = (await client.data(RULES))["reorderRules"]
    assert [(r["sku"], r["location"], r["multiple"], r["supplier"]) for r in every] == [
        ("A", "east", 6, "Other"), ("A", "west", 1, None), ("B", "east", 1, None)]
    assert [r["location"] for r in (await client.data(RULES, {"sku": "A"}))["reorderRules"]] == ["east", "west"]
    assert [r["sku"] for r in (await client.data(RULES, {"location": "east"}))["reorderRules"]] == ["A", "B"]
    assert (await client.data(RULES, {"sku": "NOPE"}))["reorderRules"] == []
    await server.arestart()
    assert (await client.data(RULES))["reorderRules"] == every


async def test_bad_reorder_rules_are_refused_and_change_nothing(server, client):
    await given_catalog(client)
    await add_products(client, [{"sku": "KIT", "name": "Kit", "price": "9.00", "components": [{"sku": "A", "quantity": 2}]}])
    payload = (await client.data(SET_RULES, {"input": [
        rule("A", "east"), rule("NOPE", "east"), rule("A", "north"), rule("KIT", "east"),
        rule("B", "east", minQuantity=-1), rule("B", "west", minQuantity=10, maxQuantity=5),
        rule("A", "east"), rule("A", "west", multiple=0, minimumOrderQuantity=2**31 - 1, leadTimeDays=366),
        rule("B", "west", multiple=None),
    ]}))["reorderRulesSet"]
    assert payload["rules"] == []
    assert error_set(payload) == {(("input", "8", "multiple"), "INVALID")}, "nulls are refused before the engine sees the rules"
    payload = (await client.data(SET_RULES, {"input": [
        rule("A", "east"), rule("NOPE", "east"), rule("A", "north"), rule("KIT", "east"),
        rule("B", "east", minQuantity=-1), rule("B", "west", minQuantity=10, maxQuantity=5),
        rule("A", "east"), rule("A", "west", multiple=0, leadTimeDays=366, supplier="s" * 1001),
    ]}))["reorderRulesSet"]
    assert error_set(payload) == {
        (("input", "1", "sku"), "NOT_FOUND"), (("input", "2", "location"), "NOT_FOUND"), (("input", "3", "sku"), "INVALID"),
        (("input", "4", "minQuantity"), "INVALID"), (("input", "5", "maxQuantity"), "INVALID"), (("input", "6"), "DUPLICATE"),
        (("input", "7", "multiple"), "INVALID"), (("input", "7", "leadTimeDays"), "INVALID"),
        (("input", "7", "supplier"), "LIMIT_EXCEEDED")}
    assert (await client.data(RULES))["reorderRules"] == []
