from hypothesis import given, strategies as st

from api import ids


@given(st.sampled_from(["Order", "Location", "Product"]), st.text(min_size=1, max_size=128))
def test_ids_round_trip(kind, key):
    assert ids.decode(ids.encode(kind, key)) == (kind, key)


def test_malformed_ids_decode_to_none():
    for bad in ["", "!!!", "abc", ids.encode("Order", "x"), "A" * 2000]:
        assert ids.decode_seq(bad, "Order") is None
    assert ids.decode_seq(ids.encode("Shipment", 3), "Order") is None
    assert ids.decode_seq(ids.encode("Order", 3), "Order") == 3


NOT_ASCII_NUMBERS = ["²", "٣", "１２", "1_000", " 12", "12 ", "+5", "-0", "1e3", "0x1f", "9" * 19, "१२", "Ⅻ"]


def test_keys_that_only_look_like_numbers_are_malformed():
    # given keys that str.isdigit() or int() would accept, when decoded as ids and sequence numbers, then none is one
    for key in NOT_ASCII_NUMBERS:
        assert ids.sequence(key) is None, key
        assert ids.decode_seq(ids.encode("Order", key), "Order") is None, key


@given(st.text(max_size=40))
def test_sequence_is_exactly_ascii_digits(text):
    expected = int(text) if text and len(text) <= 18 and all("0" <= c <= "9" for c in text) else None
    assert ids.sequence(text) == expected
    assert ids.decode_seq(ids.encode("Order", text), "Order") == expected
