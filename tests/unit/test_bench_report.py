"""The figures `oms bench` prints from two scrapes of GET /metrics: the writer's µs per order, the server's CPU per request."""
import pytest

from bench.harness.report import server_cpu_us, writer_us_per_order


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


def cpu_scrape(requests: int, orders: int, **cpu_by_role: float) -> str:
    rows = ["# TYPE oms_process_cpu_seconds gauge"]
    rows += [f'oms_process_cpu_seconds{{role="{role}"}} {seconds}' for role, seconds in cpu_by_role.items()]
    rows += ["# TYPE oms_graphql_requests counter",
             f'oms_graphql_requests_total{{operation="orderPlace",outcome="ok"}} {requests}.0',
             f'oms_graphql_requests_total{{operation="order",outcome="error"}} {requests // 10}.0',
             "# TYPE oms_writer_placed_orders counter", f"oms_writer_placed_orders_total {orders}.0"]
    return "\n".join(rows) + "\n"


def test_server_cpu_per_request_sums_every_process_and_gives_each_role_its_share():
    before = cpu_scrape(1000, 1000, writer=1.0, worker=2.0)
    after = cpu_scrape(2000, 2000, writer=1.3, worker=2.6)  # 1,100 requests (errors count), 1,000 orders
    assert server_cpu_us(before, after) == pytest.approx({
        "server_cpu_us_per_request": 818.2, "writer_processes_cpu_us_per_request": 272.7,
        "worker_processes_cpu_us_per_request": 545.5, "server_cpu_us_per_order": 900.0}, abs=0.1)


def test_one_process_has_no_shares_and_a_server_without_the_gauge_no_figures():
    assert server_cpu_us(cpu_scrape(0, 0, server=1.0), cpu_scrape(100, 100, server=1.05)) == pytest.approx(
        {"server_cpu_us_per_request": 454.5, "server_cpu_us_per_order": 500.0}, abs=0.1)
    assert server_cpu_us(scrape(1, 10), scrape(2, 20)) == {}
    assert server_cpu_us(None, scrape(2, 20)) == {}
