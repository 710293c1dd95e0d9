"""What every scenario gets: the options, the target server (URL and token, or the
server process the harness started), the seeded dataset and the run's id."""
from __future__ import annotations

import time
from dataclasses import dataclass

from .data import Dataset
from .graphql import GraphQLClient
from .metrics_fetch import fetch_metrics
from .server import ManagedServer


@dataclass(frozen=True)
class Options:
    scenario: str
    url: str | None
    token: str | None
    seed: int
    skus: int
    concurrency: int
    duration_s: float
    batch: int
    read_ratio: float
    subscribers: int
    orders: int
    rate: float
    json_path: str | None
    no_setup: bool
    data_dir: str | None = None  # the server's directory, kept (default: a temporary one)
    restarts: int = 3            # recovery's timed restarts
    workers: int | None = None   # the started server's --workers (default: oms serve's)


class BenchContext:
    def __init__(self, options: Options, dataset: Dataset, token: str, server: ManagedServer | None = None):
        assert server is not None or options.url, "a URL or a managed server"
        self.options = options
        self.dataset = dataset
        self.token = token
        self.server = server
        # externalIds carry it: runs against one server never collide on (channel, externalId)
        self.run_id = f"b{options.seed}-{time.time_ns() // 1_000_000:x}"
        self.metrics_at_load_end: str | None = None  # GET /metrics once the load stopped, before the checks

    async def load_done(self) -> None:
        """Marks the end of the load: the server's figures are taken up to here, not over the checks."""
        self.metrics_at_load_end, _ = await fetch_metrics(self.base_url, self.token)

    @property
    def base_url(self) -> str:
        if self.server is not None:
            return self.server.base_url
        url = self.options.url.rstrip("/")
        return url[: -len("/graphql")] if url.endswith("/graphql") else url

    def client(self, limit: int = 2) -> GraphQLClient:
        return GraphQLClient(self.base_url, self.token, limit=limit)
