"""The stock arrays hold no spare location columns: their memory is skus x locations."""
from engine.domain.stock import StockTable


def test_location_columns_grow_exactly_and_rows_keep_their_values():
    table = StockTable()
    table.ensure(3, 2)
    table.on_hand[2, 1] = 7
    table.ensure(5000, 10)
    assert table.shape[1] == 10 and table.shape[0] >= 5000
    assert table.on_hand[2, 1] == 7
    assert table.on_hand.flags["C_CONTIGUOUS"]
