"""A location's work queue and the warehouse mutations on a shipment."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.commands import DeliverShipment, PackShipment, ReportShort, ScanShipment, ShipShipment

from .. import ids
from ..common import PageInfo, UserError, page_info, page_size, run_on, seq_cursor, user_errors
from ..orders.types import Shipment, ShipmentStatus


@strawberry.type
class ShipmentPayload:
    shipment: Optional[Shipment]
    user_errors: list[UserError]


@strawberry.type
class ShipmentEdge:
    cursor: str
    node: Shipment


@strawberry.type
class ShipmentConnection:
    edges: list[ShipmentEdge]
    page_info: PageInfo
    total_count: Optional[int] = None


@strawberry.type
class WarehouseQuery:
    @strawberry.field
    def shipment(self, info: strawberry.Info, id: strawberry.ID) -> Optional[Shipment]:
        seq = ids.decode_seq(id, "Shipment")
        record = info.context["engine"].read.shipment(seq) if seq is not None else None
        return Shipment.of(record) if record else None

    @strawberry.field
    def shipments(self, info: strawberry.Info, first: Optional[int] = None, after: Optional[str] = None,
                  location: Optional[str] = None, status: Optional[list[ShipmentStatus]] = None) -> ShipmentConnection:
        rows, more = info.context["engine"].read.shipments(
            seq_cursor(after), page_size(first), location, [s.value for s in status] if status else None)
        return ShipmentConnection(
            edges=[ShipmentEdge(cursor=r["cursor"], node=Shipment.of(r)) for r in rows],
            page_info=page_info([r["cursor"] for r in rows], more, after),
        )


async def _shipment_command(info: strawberry.Info, id: str, build) -> ShipmentPayload:
    result = await run_on(info, id, "Shipment", build)
    return ShipmentPayload(shipment=Shipment.of(result.value) if result.value else None, user_errors=user_errors(result.errors))


@strawberry.type
class WarehouseMutation:
    @strawberry.mutation
    async def shipment_scan(self, info: strawberry.Info, id: strawberry.ID, barcode: str, quantity: Optional[int] = 1) -> ShipmentPayload:
        return await _shipment_command(info, id, lambda seq: ScanShipment(seq, barcode, 1 if quantity is None else quantity))

    @strawberry.mutation(description="The picker could not find these units: they leave onHand (SHRINKAGE) and are routed again.")
    async def shipment_report_short(self, info: strawberry.Info, id: strawberry.ID, sku: str, quantity: int) -> ShipmentPayload:
        return await _shipment_command(info, id, lambda seq: ReportShort(seq, sku, quantity))

    @strawberry.mutation
    async def shipment_pack(self, info: strawberry.Info, id: strawberry.ID) -> ShipmentPayload:
        return await _shipment_command(info, id, PackShipment)

    @strawberry.mutation
    async def shipment_ship(self, info: strawberry.Info, id: strawberry.ID, carrier: str, tracking_number: str,
                            tracking_url: Optional[str] = None) -> ShipmentPayload:
        return await _shipment_command(info, id, lambda seq: ShipShipment(seq, carrier, tracking_number, tracking_url))

    @strawberry.mutation
    async def shipment_deliver(self, info: strawberry.Info, id: strawberry.ID) -> ShipmentPayload:
        return await _shipment_command(info, id, DeliverShipment)
