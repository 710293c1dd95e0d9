"""Mutations of locations, products, channels and routing."""
from __future__ import annotations

import strawberry

from engine.domain.commands import ProductDraft, RuleDraft, SetRoutingPolicy, UpsertChannel, UpsertLocation, UpsertProducts

from ..common import run, user_errors
from .types import (
    Channel, ChannelInput, ChannelPayload, Location, LocationInput, LocationKind, LocationPayload, Product, ProductInput,
    ProductsPayload, RoutingPolicy, RoutingPolicyInput, RoutingPolicyPayload, address_record,
)


@strawberry.type
class CatalogMutation:
    @strawberry.mutation
    async def location_upsert(self, info: strawberry.Info, input: LocationInput) -> LocationPayload:
        command = UpsertLocation(input.code, input.name, (input.kind or LocationKind.WAREHOUSE).value,
                                 input.priority or 0, True if input.active is None else input.active,
                                 address_record(input.address))
        result = await run(info, command)
        return LocationPayload(location=Location.of(result.value) if result.value else None, user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def products_upsert(self, info: strawberry.Info, input: list[ProductInput]) -> ProductsPayload:
        drafts = [ProductDraft(p.sku, p.name, p.barcode, p.price, p.weight_grams,
                               None if p.components is None else [(c.sku, c.quantity) for c in p.components], p.cost)
                  for p in input]
        result = await run(info, UpsertProducts(drafts))
        return ProductsPayload(products=[Product.of(r) for r in result.value or []], user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def channel_upsert(self, info: strawberry.Info, input: ChannelInput) -> ChannelPayload:
        result = await run(info, UpsertChannel(input.code, input.name, input.kind.value))
        return ChannelPayload(channel=Channel.of(result.value) if result.value else None, user_errors=user_errors(result.errors))

    @strawberry.mutation
    async def routing_policy_set(self, info: strawberry.Info, input: RoutingPolicyInput) -> RoutingPolicyPayload:
        rules = [RuleDraft(
            r.name, r.condition, r.locations, None if r.location_kinds is None else [k.value for k in r.location_kinds],
            r.max_distance_km, [s.value for s in r.sort], r.allow_split, r.max_shipments,
        ) for r in input.rules]
        result = await run(info, SetRoutingPolicy(input.channel, rules, input.on_shortage.value))
        policy = RoutingPolicy.of(input.channel, result.value) if result.value else None
        return RoutingPolicyPayload(policy=policy, user_errors=user_errors(result.errors))
