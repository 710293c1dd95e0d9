"""The seeded dataset (locations, channels and routing policies, skus with Zipf-like
popularity and their stock, hot skus, customers) and the order generator.

The same seed and sizes always give the same dataset, and a generator built from the same
seed and name gives the same orders (only the externalIds carry the run's id, so runs
against one server never collide on (channel, externalId)).
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field

zipf_exponent = 1.1
stock_units_min = 500_000     # per (sku, location) holding it: no ordinary sku runs out in a run
stock_units_max = 1_000_000   # 10 locations x 1M stays far inside a product's 2^31 - 1 total
stock_locations_min = 3
hot_sku_count = 3
hot_locations = 3
hot_units_per_location = 50   # limited: a hot-sku run exhausts it within a second or two
customer_count = 1_000
default_location_count = 10

CITIES = [  # (code, name, latitude, longitude, kind)
    ("nwk", "Newark DC", 40.73, -74.17, "WAREHOUSE"), ("rno", "Reno DC", 39.53, -119.81, "WAREHOUSE"),
    ("atl", "Atlanta DC", 33.75, -84.39, "WAREHOUSE"), ("dfw", "Dallas DC", 32.78, -96.80, "WAREHOUSE"),
    ("chi", "Chicago store", 41.88, -87.63, "STORE"), ("lax", "Los Angeles DC", 34.05, -118.24, "WAREHOUSE"),
    ("sea", "Seattle store", 47.61, -122.33, "STORE"), ("den", "Denver 3PL", 39.74, -104.99, "THIRD_PARTY"),
    ("mia", "Miami DC", 25.76, -80.19, "WAREHOUSE"), ("cmh", "Columbus DC", 39.96, -83.00, "WAREHOUSE"),
]


@dataclass(frozen=True)
class Location:
    code: str
    name: str
    kind: str
    priority: int
    latitude: float
    longitude: float

    def input(self) -> dict:
        return {"code": self.code, "name": self.name, "kind": self.kind, "priority": self.priority,
                "address": {"country": "US", "latitude": self.latitude, "longitude": self.longitude}}


@dataclass(frozen=True)
class Channel:
    code: str
    name: str
    kind: str
    share: float                  # of generated orders
    policy: dict | None = None    # RoutingPolicyInput without `channel`; None: the default policy

    @property
    def rejects(self) -> bool:
        return bool(self.policy) and self.policy.get("onShortage") == "REJECT"


CHANNELS = [
    Channel("web", "Web storefront", "STOREFRONT", 0.6),
    Channel("marketplace", "Marketplace", "MARKETPLACE", 0.3,
            {"onShortage": "BACKORDER", "rules": [{"name": "nearest", "sort": ["NEAREST", "PRIORITY"], "maxShipments": 2}]}),
    Channel("b2b", "B2B portal", "B2B", 0.1,
            {"onShortage": "REJECT", "rules": [{"name": "whole from one or two", "sort": ["FEWEST_SHIPMENTS", "PRIORITY"]}]}),
]


@dataclass
class Dataset:
    seed: int
    locations: list[Location]
    channels: list[Channel]
    skus: list[str]                      # by popularity, most popular first
    prices: dict[str, str]
    stock: dict[tuple[str, str], int]    # (sku, location) -> onHand, ordinary and hot skus
    hot_skus: list[str]
    customers: list[dict]                # {email, name, address}
    sku_cum_weights: list[float] = field(default_factory=list)

    @property
    def reject_channels(self) -> set[str]:
        return {c.code for c in self.channels if c.rejects}

    def products(self) -> list[dict]:
        return [{"sku": sku, "name": f"Product {sku}", "price": self.prices[sku]} for sku in self.skus + self.hot_skus]

    def stock_items(self) -> list[dict]:
        return [{"sku": sku, "location": loc, "onHand": units} for (sku, loc), units in self.stock.items()]

    def hot_stock(self, sku: str) -> dict[str, int]:
        return {loc: units for (s, loc), units in self.stock.items() if s == sku}


def build_dataset(seed: int, sku_count: int, location_count: int = default_location_count) -> Dataset:
    rng = random.Random(f"dataset:{seed}")
    locations = _locations(rng, location_count)
    codes = [f"SKU-{i:06d}" for i in range(sku_count)]
    rng.shuffle(codes)  # popularity rank is not the code order
    prices = {sku: f"{rng.randint(199, 19_999) / 100:.2f}" for sku in codes}
    stock: dict[tuple[str, str], int] = {}
    for sku in codes:
        held = rng.sample(locations, rng.randint(min(stock_locations_min, len(locations)), len(locations)))
        for loc in held:
            stock[(sku, loc.code)] = rng.randint(stock_units_min, stock_units_max)
    hot = [f"HOT-{i}" for i in range(hot_sku_count)]
    by_priority = sorted(locations, key=lambda l: l.priority)
    for sku in hot:
        prices[sku] = "49.00"
        for loc in by_priority[:hot_locations]:
            stock[(sku, loc.code)] = hot_units_per_location
    weights = [1.0 / (rank + 1) ** zipf_exponent for rank in range(sku_count)]
    return Dataset(seed, locations, list(CHANNELS), codes, prices, stock, hot, _customers(rng),
                   list(itertools.accumulate(weights)))


def _locations(rng: random.Random, count: int) -> list[Location]:
    priorities = list(range(count))
    rng.shuffle(priorities)
    found = []
    for i in range(count):
        if i < len(CITIES):
            code, name, lat, lon, kind = CITIES[i]
        else:
            code, name, kind = f"loc{i:03d}", f"Location {i}", "WAREHOUSE"
            lat, lon = round(rng.uniform(26.0, 48.0), 4), round(rng.uniform(-122.0, -71.0), 4)
        found.append(Location(code, name, kind, priorities[i], lat, lon))
    return found


def _customers(rng: random.Random) -> list[dict]:
    return [{
        "email": f"customer{i:05d}@bench.example", "name": f"Customer {i}",
        "address": {"country": "US", "city": f"City {i % 97}", "postalCode": f"{rng.randint(1000, 99999):05d}",
                    "latitude": round(rng.uniform(25.5, 48.5), 4), "longitude": round(rng.uniform(-123.0, -70.5), 4)},
    } for i in range(customer_count)]


class OrderMaker:
    """Orders for one simulated client: its own random stream, its own externalIds."""

    def __init__(self, dataset: Dataset, seed_name: str, external_prefix: str):
        self.dataset = dataset
        self.rng = random.Random(f"{dataset.seed}:{seed_name}")
        self.prefix = external_prefix
        self.count = 0
        self.channel_codes = [c.code for c in dataset.channels]
        self.channel_cum = list(itertools.accumulate(c.share for c in dataset.channels))

    def _base(self, channel: str) -> dict:
        self.count += 1
        customer = self.rng.choice(self.dataset.customers)
        return {"channel": channel, "externalId": f"{self.prefix}-{self.count}",
                "customer": {"email": customer["email"], "name": customer["name"]},
                "shippingAddress": customer["address"]}

    def order(self) -> dict:
        """1 to 3 lines of Zipf-popular skus, 1 to 3 units each, on a channel by its share."""
        channel = self.rng.choices(self.channel_codes, cum_weights=self.channel_cum)[0]
        line_count = min(self.rng.choices((1, 2, 3), weights=(5, 3, 2))[0], len(self.dataset.skus))
        skus: list[str] = []
        for _ in range(line_count * 4):  # distinct skus; a few draws always suffice
            sku = self.rng.choices(self.dataset.skus, cum_weights=self.dataset.sku_cum_weights)[0]
            if sku not in skus:
                skus.append(sku)
            if len(skus) == line_count:
                break
        order = self._base(channel)
        order["lines"] = [{"sku": sku, "quantity": self.rng.choices((1, 2, 3), weights=(7, 2, 1))[0]} for sku in skus]
        return order

    def hot_order(self) -> dict:
        """One line of one hot sku, 1 or 2 units, on a BACKORDER or a REJECT channel."""
        channel = self.rng.choice(("web", "b2b"))
        order = self._base(channel)
        order["lines"] = [{"sku": self.rng.choice(self.dataset.hot_skus), "quantity": self.rng.randint(1, 2)}]
        return order

    def popular_sku(self) -> str:
        return self.rng.choices(self.dataset.skus, cum_weights=self.dataset.sku_cum_weights)[0]
