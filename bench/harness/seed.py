"""Loading the dataset into a server (locations, products, channels with routing policies,
stock), and checking that a server given with --no-setup holds it."""
from __future__ import annotations

from decimal import Decimal

from .data import Dataset
from .documents import CHANNEL_UPSERT, INVENTORY_SET, LOCATION_UPSERT, PRODUCTS_UPSERT, ROUTING_SET, SEEDED
from .errors import BenchError
from .graphql import GraphQLClient

batch_items_max = 5_000  # productsUpsert / inventorySet items per call (engine limit)


def _ok(payload: dict, what: str) -> None:
    if payload["userErrors"]:
        raise BenchError(f"setup: {what} refused: {payload['userErrors'][:3]}")


async def seed_server(client: GraphQLClient, dataset: Dataset) -> None:
    for loc in dataset.locations:
        _ok((await client.data(LOCATION_UPSERT, {"input": loc.input()}))["locationUpsert"], f"location {loc.code}")
    products = dataset.products()
    for start in range(0, len(products), batch_items_max):
        chunk = products[start : start + batch_items_max]
        _ok((await client.data(PRODUCTS_UPSERT, {"input": chunk}))["productsUpsert"], "products")
    for channel in dataset.channels:
        _ok((await client.data(CHANNEL_UPSERT, {"input": {"code": channel.code, "name": channel.name,
                                                          "kind": channel.kind}}))["channelUpsert"], f"channel {channel.code}")
        if channel.policy is not None:
            _ok((await client.data(ROUTING_SET, {"input": {"channel": channel.code, **channel.policy}}))["routingPolicySet"],
                f"routing policy of {channel.code}")
    items = dataset.stock_items()
    for start in range(0, len(items), batch_items_max):
        chunk = items[start : start + batch_items_max]
        _ok((await client.data(INVENTORY_SET, {"input": chunk}))["inventorySet"], "stock")


async def check_seeded(client: GraphQLClient, dataset: Dataset) -> None:
    """--no-setup: the server must hold this seed's dataset (same --seed and --skus)."""
    count = len(dataset.skus)
    top = dataset.skus[0]
    data = await client.data(SEEDED, {"top": top, "last": f"SKU-{count - 1:06d}", "beyond": f"SKU-{count:06d}",
                                      "hot": dataset.hot_skus[-1]})
    policies = {c["code"]: c["routing"]["onShortage"] for c in data["channels"]}
    wanted = {c.code: (c.policy or {}).get("onShortage", "BACKORDER") for c in dataset.channels}
    same_skus = data["last"] is not None and data["beyond"] is None and data["hot"] is not None
    same_seed = data["top"] is not None and Decimal(data["top"]["price"] or "-1") == Decimal(dataset.prices[top])  # prices follow the seed
    if not (same_skus and same_seed) or any(policies.get(k) != v for k, v in wanted.items()):
        raise BenchError("--no-setup: this server does not hold the dataset of this --seed and --skus; "
                         "run once without --no-setup first")
