from decimal import Decimal

from engine.domain import validation as check
from engine.domain.errors import Code


def codes(fn, *args):
    errors = []
    fn(errors, *args)
    return [(e.code, e.field) for e in errors]


def test_money():
    errors = []
    assert check.money(errors, "12.50", ("p",)) == Decimal("12.50") and not errors
    assert codes(check.money, "-1", ("p",)) == [(Code.INVALID, ("p",))]
    assert codes(check.money, "NaN", ("p",)) == [(Code.INVALID, ("p",))]
    assert codes(check.money, "1.00001", ("p",)) == [(Code.LIMIT_EXCEEDED, ("p",))]
    assert codes(check.money, "abc", ("p",)) == [(Code.INVALID, ("p",))]


def test_keys_and_text():
    assert codes(check.key, "", ("k",)) == [(Code.INVALID, ("k",))]
    assert codes(check.key, "x" * 129, ("k",)) == [(Code.LIMIT_EXCEEDED, ("k",))]
    assert codes(check.key, " x", ("k",)) == [(Code.INVALID, ("k",))]
    assert codes(check.text, "x" * 1001, ("t",)) == [(Code.LIMIT_EXCEEDED, ("t",))]


def test_currency_address_email():
    assert codes(check.currency, "EUR", ("c",)) == []
    assert codes(check.currency, "eur", ("c",)) == [(Code.INVALID, ("c",))]
    assert codes(check.address, {"country": "USA"}, ("a",)) == [(Code.INVALID, ("a", "country"))]
    assert codes(check.address, {"country": "US", "latitude": 91.0, "longitude": 0.0}, ("a",)) == [(Code.INVALID, ("a", "latitude"))]
    assert codes(check.email, "nobody", ("e",)) == [(Code.INVALID, ("e",))]
    assert codes(check.email, "a@b.co", ("e",)) == []


def test_quantities():
    assert codes(check.quantity, 0, ("q",)) == [(Code.INVALID, ("q",))]
    assert codes(check.quantity, 0, ("q",), ) == [(Code.INVALID, ("q",))]
    errors = []
    assert check.quantity(errors, 0, ("q",), allow_zero=True) and not errors
    assert codes(check.quantity, 2**31, ("q",)) == [(Code.LIMIT_EXCEEDED, ("q",))]
