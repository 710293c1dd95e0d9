"""A shipment's payload and connection. Shipment itself is in api/orders/types.py: it and Order refer to each other."""
from __future__ import annotations

from typing import Optional

import strawberry

from ..common import PageInfo, UserError
from ..orders.types import Shipment


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
