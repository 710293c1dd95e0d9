"""GET /metrics in the Prometheus text format: requests and latency per GraphQL operation
(observed in api/graphql/), group-commit size and latency, the writer's time per placed order,
writer queue depth, outbox backlog, live subscribers.

With API workers (`oms serve --workers N`) every process writes its samples to the directory
PROMETHEUS_MULTIPROC_DIR names (prometheus-client's multiprocess mode) and a scrape, whichever
worker answers it, adds them up: the writer process's commits and every worker's requests."""
from __future__ import annotations

import asyncio
import os
from typing import Callable, Iterator

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

from engine import Engine

LATENCY_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ  # read by prometheus-client at import, as here
subscribers_count_interval_s = 0.5
cpu_interval_s = 0.1
SUBSCRIBERS_HELP = "Live subscriptions connected"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("oms_graphql_requests", "GraphQL operations served, by root field", ["operation", "outcome"],
                                registry=self.registry)
        self.latency = Histogram("oms_graphql_request_seconds", "GraphQL operation latency, by root field", ["operation"],
                                 buckets=LATENCY_BUCKETS_S, registry=self.registry)
        # Only hand-overs are counted: a counter per compiled answer costs a tenth of what the plan saves.
        self.handovers = Counter("oms_graphql_handovers", "Prepared requests that graphql-core answered instead of a "
                                 "compiled plan: fallback (the plan handed over at run time), generic (no plan covers "
                                 "the document)", ["outcome"], registry=self.registry)
        self.commit_size = Histogram("oms_commit_batch_commands", "Commands per group commit", buckets=BATCH_BUCKETS,
                                     registry=self.registry)
        self.commit_latency = Histogram("oms_commit_seconds", "Time to apply and durably commit one batch",
                                        buckets=LATENCY_BUCKETS_S, registry=self.registry)
        self.placing_s = Counter("oms_writer_placing_seconds", "Writer time (apply and durable commit) of commits holding "
                                 "only placements", registry=self.registry)
        self.placed_orders = Counter("oms_writer_placed_orders", "Orders in those commits (placed or refused)",
                                     registry=self.registry)
        self.queue_depth = Gauge("oms_sequencer_queue_depth", "Commands waiting for the writer, after its last commit",
                                 registry=self.registry, multiprocess_mode="livemax")
        self.shed = Counter("oms_requests_shed", "Requests refused with 503 because the server was saturated",
                            registry=self.registry)
        self.subscribers = Gauge("oms_subscribers", SUBSCRIBERS_HELP, registry=self.registry,
                                 multiprocess_mode="livesum") if MULTIPROCESS else None
        # "sum" keeps a worker's CPU after it died: the total only grows
        self.cpu = Gauge("oms_process_cpu_seconds", "CPU time (user and system) of the server's processes, by role: "
                         "server (one process), writer, worker", ["role"], registry=self.registry, multiprocess_mode="sum")
        self._cpu_role: Gauge | None = None  # this process's child, once track_cpu named its role
        self._scraped: _Scraped | None = None
        self._operation_children: dict[tuple[str, bool], tuple] = {}  # bounded: root field names x 2
        self._plan_children: dict[str, Counter] = {}

    def observe_operation(self, name: str, errored: bool, seconds: float) -> None:
        # labels() takes a lock and builds a key on every call: keep the children
        key = (name, errored)
        children = self._operation_children.get(key)
        if children is None:
            children = self._operation_children[key] = (self.requests.labels(name, "error" if errored else "ok"),
                                                         self.latency.labels(name))
        children[0].inc()
        children[1].observe(seconds)

    def observe_handover(self, outcome: str) -> None:
        child = self._plan_children.get(outcome)
        if child is None:
            child = self._plan_children[outcome] = self.handovers.labels(outcome)
        child.inc()

    def watch(self, engine: Engine, subscribers: Callable[[], int]) -> None:
        """One process serving everything."""
        self.watch_writer(engine)
        self.watch_reads(engine.read, subscribers)

    def watch_writer(self, engine: Engine) -> None:
        """In the writer's process: each commit's size and time, and the placements' share."""
        sequencer = engine.sequencer
        stats = sequencer.stats
        counted = {"placing_s": stats["placing_s"], "placed_orders": stats["placed_orders"]}

        def observe_commit(commands: int, seconds: float) -> None:
            self.commit_size.observe(commands)
            self.commit_latency.observe(seconds)
            if stats["placed_orders"] != counted["placed_orders"]:
                self.placing_s.inc(stats["placing_s"] - counted["placing_s"])
                self.placed_orders.inc(stats["placed_orders"] - counted["placed_orders"])
                counted.update(placing_s=stats["placing_s"], placed_orders=stats["placed_orders"])
            self.queue_depth.set(sequencer.depth())

        sequencer.commit_observers.append(observe_commit)

    def watch_reads(self, read, subscribers: Callable[[], int] | None) -> None:
        """Values read at scrape time in the process that answers it; subscribers only when that
        process holds them all (one process)."""
        if self._scraped is not None:  # one server per process; tests may build several apps
            self.registry.unregister(self._scraped)
        self._scraped = _Scraped(read, None if MULTIPROCESS else subscribers)
        self.registry.register(self._scraped)

    async def count_subscribers(self, subscribers: Callable[[], int]) -> None:
        """A worker's share of oms_subscribers, kept current for the other processes' scrapes."""
        while self.subscribers is not None:
            self.subscribers.set(subscribers())
            await asyncio.sleep(subscribers_count_interval_s)

    async def track_cpu(self, role: str) -> None:
        """This process's CPU time, for the scrapes of every process (at most cpu_interval_s old)."""
        self._cpu_role = self.cpu.labels(role)
        while True:
            self._set_cpu()
            await asyncio.sleep(cpu_interval_s)

    def _set_cpu(self) -> None:
        if self._cpu_role is not None:
            times = os.times()
            self._cpu_role.set(times.user + times.system)

    async def handler(self, request: web.Request) -> web.Response:
        self._set_cpu()
        if MULTIPROCESS:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            if self._scraped is not None:
                registry.register(self._scraped)
            body = generate_latest(registry)
        else:
            body = generate_latest(self.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


class _Scraped:
    def __init__(self, read, subscribers: Callable[[], int] | None):
        self.read = read
        self.subscribers = subscribers

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("oms_outbox_backlog", "Emails and webhook deliveries waiting to be sent",
                                value=self.read.outbox_backlog())
        if self.subscribers is not None:
            yield GaugeMetricFamily("oms_subscribers", SUBSCRIBERS_HELP, value=self.subscribers())


METRICS = Metrics()
