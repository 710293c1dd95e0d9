"""The writer's µs per order that `oms bench` prints, from two scrapes of GET /metrics."""
import pytest

from bench.harness.report import writer_us_per_order


def scrape(seconds: float, orders: int) -> str:
    return ("# TYPE oms_writer_placing_seconds_total counter\n"
            f"oms_writer_placing_seconds_total {seconds}\n"
            f"oms_writer_placed_orders_total {orders}.0\n"
            "oms_subscribers 0.0\n")


def test_the_writer_time_between_two_scrapes_per_order_placed_between_them():
    assert writer_us_per_order(scrape(1.0, 1000), scrape(1.3, 3000)) == pytest.approx(150.0)


@pytest.mark.parametrize("before, after", [
    (None, scrape(1, 10)),                                # no first scrape
    (scrape(1, 10), None),                                # no second one
    (scrape(1, 10), scrape(1, 10)),                       # nothing placed meanwhile
    (scrape(5, 100), scrape(0.1, 10)),                    # the server restarted: counters reset
    ("oms_subscribers 0.0\n", "oms_subscribers 0.0\n"),   # a server without these counters
])
def test_unknown_when_it_cannot_be_told(before, after):
    assert writer_us_per_order(before, after) is None
