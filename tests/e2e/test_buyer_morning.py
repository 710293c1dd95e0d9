"""A buyer's morning over HTTP: a sku's forecast from its order history, the replenishment
suggestions its reorder rule shapes, the purchase orders they become (after which nothing more
is suggested), and bad arguments as GraphQL errors with the contract's codes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .helpers import ERRORS, add_channel, add_location, add_products, ok, place_ok, set_stock
from .test_replenishment_settings import SET_RULES, SAVE

FORECAST = """query($sku: String!, $h: Int, $method: ForecastMethod, $bucket: TimeBucket) {
  forecast(sku: $sku, horizonDays: $h, method: $method, bucket: $bucket) {
    sku method bucket points { date quantity lower upper } backtestMase backtestRmsse backtestBias } }"""
SUGGESTIONS = """query($loc: String, $sl: Float) { replenishmentSuggestions(location: $loc, serviceLevel: $sl) {
  sku location onHand committed incoming forecastDemand safetyStock reorderPoint suggestedQuantity stockoutDate supplier reason } }"""
APPLY = f"""mutation($loc: String) {{ replenishmentApply(location: $loc) {{
  purchaseOrders {{ supplier location status lines {{ sku quantity }} }} {ERRORS} }} }}"""


async def given_history(c, days: int = 120) -> None:
    await add_location(c, "east")
    await add_channel(c, "web")
    await add_products(c, [{"sku": s, "name": s, "price": "4.00"} for s in ("A", "B")])
    await set_stock(c, [{"sku": "A", "location": "east", "onHand": 10_000}, {"sku": "B", "location": "east", "onHand": 50}])
    today = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    for d in range(days, 0, -1):
        placed = (today - timedelta(days=d)).isoformat()
        await place_ok(c, {"channel": "web", "externalId": f"h{d}", "placedAt": placed,
                           "lines": [{"sku": "A", "quantity": 3 + d % 3}]})
    await set_stock(c, [{"sku": "A", "location": "east", "onHand": 20}])


async def test_forecast_suggestions_and_purchase_orders(server, client):
    await given_history(client)
    forecast = (await client.data(FORECAST, {"sku": "A"}))["forecast"]
    assert forecast["method"] in ("SES", "HOLT", "HOLT_WINTERS") and forecast["bucket"] == "DAY"
    assert len(forecast["points"]) == 28
    assert all(3 <= p["quantity"] <= 5.5 and p["lower"] <= p["quantity"] <= p["upper"] for p in forecast["points"])
    assert forecast["backtestMase"] is not None and abs(forecast["backtestBias"]) < 0.5
    weekly = (await client.data(FORECAST, {"sku": "A", "h": 28, "bucket": "WEEK", "method": "TSB"}))["forecast"]
    assert weekly["method"] == "TSB" and 4 <= len(weekly["points"]) <= 5
    quiet = (await client.data(FORECAST, {"sku": "B"}))["forecast"]
    assert all(p["quantity"] == 0 for p in quiet["points"])

    ok((await client.data(SET_RULES, {"input": [{"sku": "A", "location": "east", "multiple": 12, "supplier": "Acme"}]}))["reorderRulesSet"])
    [suggestion] = (await client.data(SUGGESTIONS, {"loc": "east"}))["replenishmentSuggestions"]
    assert suggestion["sku"] == "A" and suggestion["supplier"] == "Acme" and suggestion["onHand"] == 20
    assert suggestion["suggestedQuantity"] % 12 == 0 and suggestion["suggestedQuantity"] >= 35 * 3 - 20
    assert suggestion["reorderPoint"] > 20 and suggestion["stockoutDate"] is not None and suggestion["reason"].endswith(".")

    promotion = {"sku": "A", "from": datetime.now(timezone.utc).isoformat(),
                 "to": (datetime.now(timezone.utc) + timedelta(days=60)).isoformat(), "factor": 1.5}
    ok((await client.data(SAVE, {"input": promotion}))["forecastAdjustmentSave"])
    [promoted] = (await client.data(SUGGESTIONS, {"loc": "east"}))["replenishmentSuggestions"]
    assert promoted["forecastDemand"] > suggestion["forecastDemand"] * 1.3

    applied = ok((await client.data(APPLY, {"loc": "east"}))["replenishmentApply"])
    assert applied["purchaseOrders"] == [{"supplier": "Acme", "location": "east", "status": "OPEN",
                                          "lines": [{"sku": "A", "quantity": promoted["suggestedQuantity"]}]}]
    assert (await client.data(SUGGESTIONS, {"loc": "east"}))["replenishmentSuggestions"] == []


async def test_bad_forecast_arguments_are_graphql_errors(server, client):
    await given_history(client, days=3)
    cases = [(FORECAST, {"sku": "NOPE"}, "NOT_FOUND"), (FORECAST, {"sku": "A", "h": 0}, "INVALID"),
             (FORECAST, {"sku": "A", "h": 731}, "INVALID"), (FORECAST, {"sku": "A", "bucket": "HOUR"}, "INVALID"),
             (SUGGESTIONS, {"loc": "nowhere"}, "NOT_FOUND"), (SUGGESTIONS, {"sl": 1.0}, "INVALID"),
             (SUGGESTIONS, {"sl": 0.0}, "INVALID")]
    for query, variables, code in cases:
        answer = await client.gql(query, variables)
        assert answer["errors"][0]["extensions"]["code"] == code, (variables, answer)
    refused = (await client.data(APPLY, {"loc": "nowhere"}))["replenishmentApply"]
    assert refused["purchaseOrders"] == [] and refused["userErrors"][0]["code"] == "NOT_FOUND"
