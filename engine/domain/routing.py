"""Routing policies compiled for the kernel: per rule, eligible locations and sort codes."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..kernel.codes import FLAG_ALREADY_USED, FLAG_FILLS_ALL, SORT_CODES
from .catalog import Catalog
from .conditions import SAMPLE_ORDER, compile_condition

DEFAULT_RULE = {
    "name": "default", "condition": None, "locations": None, "locationKinds": None,
    "maxDistanceKm": None, "sort": ["FEWEST_SHIPMENTS", "PRIORITY"], "allowSplit": True, "maxShipments": None,
}
DEFAULT_POLICY = {"rules": [DEFAULT_RULE], "onShortage": "BACKORDER"}
earth_radius_km = 6371.0088


@dataclass(slots=True)
class CompiledRule:
    record: dict
    program: Any
    loc_ok: np.ndarray      # uint8 [location capacity]
    max_km: float           # NaN: no limit
    sorts: np.ndarray       # int8 [4], -1 terminated
    allow_split: bool
    max_shipments: int      # 0: unlimited

    @property
    def name(self) -> str:
        return self.record["name"]


@dataclass(slots=True)
class CompiledPolicy:
    channel: str
    rules: list[CompiledRule]
    reject: bool


def policy_record(channel: dict) -> dict:
    return channel.get("policy") or DEFAULT_POLICY


def location_mask(catalog: Catalog, rule: dict, capacity: int) -> np.ndarray:
    mask = np.zeros(capacity, dtype=np.uint8)
    names = set(rule["locations"]) if rule.get("locations") is not None else None
    kinds = set(rule["locationKinds"]) if rule.get("locationKinds") else None
    for code, loc in catalog.locations.items():
        if loc["active"] and (names is None or code in names) and (kinds is None or loc["kind"] in kinds):
            mask[loc["idx"]] = 1
    return mask


def compile_rule(catalog: Catalog, rule: dict, capacity: int) -> CompiledRule:
    program = None
    if rule.get("condition"):
        program, problem = compile_condition(rule["condition"], {"order": SAMPLE_ORDER})
        assert problem is None, f"stored condition no longer compiles: {problem}"
    sorts = np.full(4, -1, dtype=np.int8)
    for i, name in enumerate(rule["sort"][:4]):
        sorts[i] = SORT_CODES[name]
    max_km = rule.get("maxDistanceKm")
    return CompiledRule(
        rule, program, location_mask(catalog, rule, capacity),
        math.nan if max_km is None else float(max_km), sorts,
        bool(rule["allowSplit"]), int(rule.get("maxShipments") or 0),
    )


class Router:
    """Compiled policies per channel, rebuilt when locations, channels or capacity change."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._cache: dict[str, tuple[tuple[int, int], CompiledPolicy]] = {}

    def policy(self, channel: str, capacity: int) -> CompiledPolicy:
        stamp = (self.catalog.version, capacity)
        cached = self._cache.get(channel)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        record = policy_record(self.catalog.channels[channel])
        compiled = CompiledPolicy(
            channel, [compile_rule(self.catalog, r, capacity) for r in record["rules"]],
            record["onShortage"] == "REJECT",
        )
        self._cache[channel] = (stamp, compiled)
        return compiled


def distance_km(lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None) -> float:
    if None in (lat1, lon1, lat2, lon2):
        return math.inf
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * earth_radius_km * math.asin(min(1.0, math.sqrt(a)))


def reason(rule: CompiledRule, location: dict, flags: int, ship_to: dict | None) -> str:
    """Why the kernel chose this location, in the rule's own sort terms."""
    facts = []
    for name in rule.record["sort"]:
        if name == "FEWEST_SHIPMENTS":
            facts.append("fills every remaining line" if flags & FLAG_FILLS_ALL else
                         "already ships this order" if flags & FLAG_ALREADY_USED else "no single location fills every line")
        elif name == "NEAREST":
            address = location.get("address") or {}
            ship = ship_to or {}
            km = distance_km(ship.get("latitude"), ship.get("longitude"), address.get("latitude"), address.get("longitude"))
            facts.append("distance unknown" if math.isinf(km) else f"{km:.0f} km away")
        elif name == "PRIORITY":
            facts.append(f"priority {location['priority']}")
        elif name == "MOST_STOCK":
            facts.append("most stock")
    return f"{', '.join(rule.record['sort'])}: {'; '.join(facts)}"
