"""Locations, products and channels as the writer sees them: dense indices and records."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class ProductInfo:
    idx: int
    record: dict
    components: tuple[tuple[int, int], ...]  # (component sku index, units per kit); () if not a bundle
    parts: tuple[tuple[str, int], ...]  # what an order line reserves: (sku, units per line unit)

    @property
    def is_bundle(self) -> bool:
        return bool(self.components)


@dataclass
class Catalog:
    locations: dict[str, dict] = field(default_factory=dict)
    location_codes: list[str] = field(default_factory=list)
    products: dict[str, ProductInfo] = field(default_factory=dict)
    sku_by_idx: list[str] = field(default_factory=list)
    channels: dict[str, dict] = field(default_factory=dict)
    barcodes: dict[str, str] = field(default_factory=dict)  # barcode -> sku
    version: int = 0  # bumped on every location or channel change; routing caches key on it

    def add_location(self, record: dict) -> None:
        if record["code"] not in self.locations:
            self.location_codes.append(record["code"])
        self.locations[record["code"]] = record
        self.version += 1

    def add_product(self, record: dict) -> ProductInfo:
        components = tuple((self.products[c["sku"]].idx, c["quantity"]) for c in record.get("components") or ())
        parts = tuple((c["sku"], c["quantity"]) for c in record.get("components") or ()) or ((record["sku"], 1),)
        info = ProductInfo(record["idx"], record, components, parts)
        previous = self.products.get(record["sku"])
        if previous is None:
            self.sku_by_idx.append(record["sku"])
        elif previous.record["barcode"] is not None:
            self.barcodes.pop(previous.record["barcode"], None)
        if record["barcode"] is not None:
            self.barcodes[record["barcode"]] = record["sku"]
        self.products[record["sku"]] = info
        return info

    def add_channel(self, record: dict) -> None:
        self.channels[record["code"]] = record
        self.version += 1

    def location_idx(self, code: str) -> int:
        return self.locations[code]["idx"]

    def parts_of(self, sku: str) -> tuple[tuple[int, int], ...]:
        """What an order line of `sku` reserves: its components, or itself once."""
        info = self.products[sku]
        return info.components or ((info.idx, 1),)
