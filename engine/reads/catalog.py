"""Locations, products, channels and the admin token's digest, as committed."""
from __future__ import annotations


from ..storage.store import ADMIN_TOKEN_KEY
from .base import ReadBase, after_key, locations_in, page


class CatalogReads(ReadBase):
    def admin_token_digest(self) -> str | None:
        with self.txn() as r:
            stored = r.raw("meta", ADMIN_TOKEN_KEY)
        return None if stored is None else stored.decode()

    def location(self, code: str) -> dict | None:
        with self.txn() as r:
            return r.get("locations", code.encode())

    def locations(self) -> list[dict]:
        with self.txn() as r:
            return locations_in(r)

    def product(self, sku: str) -> dict | None:
        with self.txn() as r:
            return r.get("products", sku.encode())

    def products(self, after: str | None, first: int, search: str | None) -> tuple[list[dict], bool]:
        needle = search.lower() if search else None
        def wanted(p: dict) -> bool:
            return needle is None or needle in p["sku"].lower() or needle in p["name"].lower()
        with self.txn() as r:
            rows = (r.get("products", k) for k, _ in r.scan("products", start=after_key(after)))
            return page((p for p in rows if wanted(p)), first)

    def product_count(self) -> int:
        with self.txn() as r:
            return r.txn.stat(self.store.db["products"])["entries"]

    def channel(self, code: str) -> dict | None:
        with self.txn() as r:
            return r.get("channels", code.encode())

    def channels(self) -> list[dict]:
        with self.txn() as r:
            return [r.get("channels", k) for k, _ in r.scan("channels")]
