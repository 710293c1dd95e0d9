"""GET /metrics in the Prometheus text format: requests and latency per GraphQL operation
(observed in api/graphql/), group-commit size and latency, writer queue depth, outbox backlog,
live subscribers."""
from __future__ import annotations

from typing import Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from engine import Engine

LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("oms_graphql_requests", "GraphQL operations served, by root field", ["operation", "outcome"],
                                registry=self.registry)
        self.latency = Histogram("oms_graphql_request_seconds", "GraphQL operation latency, by root field", ["operation"],
                                 buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.commit_size = Histogram("oms_commit_batch_commands", "Commands per group commit", buckets=BATCH_BUCKETS,
                                     registry=self.registry)
        self.commit_latency = Histogram("oms_commit_seconds", "Time to apply and durably commit one batch",
                                        buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.shed = Counter("oms_requests_shed", "Requests refused with 503 because the server was saturated",
                            registry=self.registry)
        self._gauges: _Gauges | None = None
        self._operation_children: dict[tuple[str, bool], tuple] = {}  # bounded: root field names x 2

    def observe_operation(self, name: str, errored: bool, seconds: float) -> None:
        # labels() takes a lock and builds a key on every call: keep the children
        key = (name, errored)
        children = self._operation_children.get(key)
        if children is None:
            children = self._operation_children[key] = (self.requests.labels(name, "error" if errored else "ok"),
                                                         self.latency.labels(name))
        children[0].inc()
        children[1].observe(seconds)

    def observe_commit(self, commands: int, seconds: float) -> None:
        self.commit_size.observe(commands)
        self.commit_latency.observe(seconds)

    def watch(self, engine: Engine, subscribers) -> None:
        engine.sequencer.commit_observers.append(self.observe_commit)
        if self._gauges is not None:  # one server per process; tests may build several apps
            self.registry.unregister(self._gauges)
        self._gauges = _Gauges(engine, subscribers)
        self.registry.register(self._gauges)

    async def handler(self, request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


class _Gauges:
    """Values read at scrape time."""

    def __init__(self, engine: Engine, subscribers):
        self.engine = engine
        self.subscribers = subscribers

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("oms_sequencer_queue_depth", "Commands waiting for the writer", value=self.engine.sequencer.depth())
        yield GaugeMetricFamily("oms_outbox_backlog", "Emails and webhook deliveries waiting to be sent",
                                value=self.engine.read.outbox_backlog())
        yield GaugeMetricFamily("oms_subscribers", "Live subscriptions connected", value=self.subscribers())
        stats = self.engine.sequencer.stats
        yield CounterMetricFamily("oms_writer_placing_seconds", "Writer time (apply and durable commit) of commits holding only "
                                  "placements", value=stats["placing_s"])
        yield CounterMetricFamily("oms_writer_placed_orders", "Orders in those commits (placed or refused)",
                                  value=stats["placed_orders"])


METRICS = Metrics()
