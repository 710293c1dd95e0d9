"""Queries of locations, products and channels."""
from __future__ import annotations

from typing import Optional

import strawberry

from ..common import page_info, page_size
from .types import Channel, Location, Product, ProductConnection, ProductEdge


@strawberry.type
class CatalogQuery:
    @strawberry.field
    def location(self, info: strawberry.Info, code: str) -> Optional[Location]:
        record = info.context["engine"].read.location(code)
        return Location.of(record) if record else None

    @strawberry.field
    def locations(self, info: strawberry.Info) -> list[Location]:
        return [Location.of(r) for r in info.context["engine"].read.locations()]

    @strawberry.field
    def product(self, info: strawberry.Info, sku: str) -> Optional[Product]:
        record = info.context["engine"].read.product(sku)
        return Product.of(record) if record else None

    @strawberry.field
    def products(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
                 search: Optional[str] = None) -> ProductConnection:
        read = info.context["engine"].read
        rows, more = read.products(after, page_size(first), search)
        return ProductConnection(
            edges=[ProductEdge(cursor=r["sku"], node=Product.of(r)) for r in rows],
            page_info=page_info([r["sku"] for r in rows], more, after),
            total_count=read.product_count() if search is None else None,
        )

    @strawberry.field
    def channel(self, info: strawberry.Info, code: str) -> Optional[Channel]:
        record = info.context["engine"].read.channel(code)
        return Channel.of(record) if record else None

    @strawberry.field
    def channels(self, info: strawberry.Info) -> list[Channel]:
        return [Channel.of(r) for r in info.context["engine"].read.channels()]
