"""A location's work queue: shipments by location and status."""
from __future__ import annotations

from typing import Optional

import strawberry

from .. import ids
from ..common import page_info, page_size, seq_cursor
from ..orders.types import Shipment, ShipmentStatus
from .types import ShipmentConnection, ShipmentEdge


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
