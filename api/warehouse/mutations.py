"""The warehouse mutations on a shipment: scan, report short, pack, ship, deliver."""
from __future__ import annotations

from typing import Optional

import strawberry

from engine.domain.commands import DeliverShipment, PackShipment, ReportShort, ScanShipment, ShipShipment

from ..common import run_on, user_errors
from ..orders.types import Shipment
from .types import ShipmentPayload


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
