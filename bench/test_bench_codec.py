"""The codecs on the write and read paths: orjson for order and event records and GraphQL
responses, and the packed stock rows (numpy) written once per changed sku per commit.

    python -m pytest bench/test_bench_codec.py --benchmark-only
DESIGN.md's measured limit: orjson encodes a 3-line order ~3M times/s.
"""
import orjson
import pytest

from engine.domain.stock import StockTable
from engine.storage.stock_rows import encode_rows, load_rows
from engine.storage.store import U32

ORDER = {
    "seq": 123456, "id": None, "number": "SO-123456", "channel": "web", "externalId": "113-0001", "status": "ALLOCATED",
    "held": False, "holdReason": None, "released": True, "cancelReason": None,
    "customer": {"email": "ada@example.com", "name": "Ada"},
    "shippingAddress": {"name": None, "line1": None, "line2": None, "city": "Boston", "region": None, "postalCode": None,
                        "country": "US", "latitude": 42.36, "longitude": -71.06},
    "currency": "USD", "tags": [], "note": None, "placedAt": "2026-12-02T05:37:42.123456+00:00",
    "updatedAt": "2026-12-02T05:37:42.123456+00:00", "subtotal": "29.97",
    "lines": [{"sku": f"S{i}", "quantity": 1, "unitPrice": "9.99", "cancelled": 0, "returned": 0,
               "parts": [{"sku": f"S{i}", "per": 1, "allocs": [{"loc": "L0", "qty": 1, "shipped": 0, "ship": 7,
                                                                 "rule": "default", "reason": "FEWEST_SHIPMENTS, PRIORITY: fills every remaining line; priority 0"}]}]}
              for i in range(3)],
    "shipments": [{"seq": 7, "loc": "L0", "status": "PENDING"}],
}
EVENT = {"seq": 987654, "type": "ORDER_PLACED", "at": "2026-12-02T05:37:42.123456+00:00", "order": 123456, "channel": "web",
         "sku": None, "location": None, "data": {"number": "SO-123456", "status": "ALLOCATED", "channel": "web", "total": "29.97"}}
RESPONSE = {"data": {"orderPlace": {"order": {"id": "T3JkZXI6MTIzNDU2", "externalId": "113-0001", "channel": "web", "status": "ALLOCATED",
            "lines": [{"sku": f"S{i}", "quantity": 1, "allocated": 1, "backordered": 0} for i in range(3)]}, "userErrors": []}}}
ROWS = 2_000   # skus changed by one group commit of 2,000 orders (about)


@pytest.mark.parametrize("record", [ORDER, EVENT, RESPONSE], ids=["order-3-lines", "event", "orderPlace-response"])
def test_orjson_encode(benchmark, record):
    benchmark(orjson.dumps, record)


@pytest.mark.parametrize("record", [ORDER, EVENT], ids=["order-3-lines", "event"])
def test_orjson_decode(benchmark, record):
    raw = orjson.dumps(record)
    assert benchmark(orjson.loads, raw) == record


@pytest.fixture(scope="module")
def stock():
    table = StockTable()
    table.ensure(100_000, 10)
    table.on_hand[:] = 1_000
    return table


def test_stock_rows_encode_2000(benchmark, stock):
    skus = list(range(0, 100_000, 50))
    rows = benchmark(encode_rows, stock, skus)
    assert len(rows) == ROWS


def test_stock_rows_decode_2000(benchmark, stock):
    rows = encode_rows(stock, list(range(0, 100_000, 50)))
    target = StockTable()
    target.ensure(100_000, 10)
    benchmark(load_rows, target, [(U32.pack(s), raw) for s, raw in zip(range(0, 100_000, 50), rows)])
    assert int(target.on_hand[50, 9]) == 1_000
