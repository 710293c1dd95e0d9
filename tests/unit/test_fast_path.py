"""The placement fast path builds exactly the command the typed resolvers build."""
from datetime import datetime, timezone
from decimal import Decimal

from api.catalog.types import AddressInput
from api.orders.fast_path import draft_from_input
from api.orders.mutations import draft
from api.orders.types import CustomerInput, OrderInput, OrderLineInput


def test_raw_and_typed_inputs_make_the_same_draft():
    placed = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    typed = OrderInput(
        channel="web", external_id="x-1", customer=CustomerInput(email="a@b.co", name="Ada"),
        shipping_address=AddressInput(country="DE", city="Berlin", postal_code="10115", latitude=52.5, longitude=13.4),
        currency="EUR", lines=[OrderLineInput(sku="A", quantity=2, unit_price=Decimal("9.50")), OrderLineInput(sku="B", quantity=1)],
        tags=["vip"], placed_at=placed, note="gift",
    )
    raw = {
        "channel": "web", "externalId": "x-1", "customer": {"email": "a@b.co", "name": "Ada"},
        "shippingAddress": {"country": "DE", "city": "Berlin", "postalCode": "10115", "latitude": 52.5, "longitude": 13.4},
        "currency": "EUR", "lines": [{"sku": "A", "quantity": 2, "unitPrice": Decimal("9.50")}, {"sku": "B", "quantity": 1}],
        "tags": ["vip"], "placedAt": placed, "note": "gift",
    }
    assert draft_from_input(raw) == draft(typed)
