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
