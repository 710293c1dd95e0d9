"""Forecast adjustments and reorder rules, as committed."""
from __future__ import annotations

from ..storage.store import REORDER_RULE_KEY, u32, u64
from .base import ReadBase


class ReplenishmentReads(ReadBase):
    def forecast_adjustment(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("forecast_adjustments", u64(seq))

    def forecast_adjustments(self) -> list[dict]:
        """All of them (forecast_adjustments_max bounds the list), oldest first."""
        with self.txn() as r:
            return [r.get("forecast_adjustments", k) for k, _ in r.scan("forecast_adjustments")]

    def reorder_rules(self, sku: str | None = None, location: str | None = None) -> list[dict]:
        """Rules by sku then location (one sku's: one key range); unknown sku or location: none."""
        with self.txn() as r:
            prefix = b""
            if sku is not None:
                product = r.get("products", sku.encode())
                if product is None:
                    return []
                prefix = u32(product["idx"])
            rules = (r.get("reorder_rules", k) for k, _ in r.scan("reorder_rules", prefix))
            return [rule for rule in rules if location is None or rule["location"] == location]

    def reorder_rule(self, s: int, l: int) -> dict | None:
        with self.txn() as r:
            return r.get("reorder_rules", REORDER_RULE_KEY.pack(s, l))
