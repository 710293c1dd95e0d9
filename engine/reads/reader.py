"""Read models over LMDB read transactions: only what is committed is ever visible."""
from __future__ import annotations

from .analytics import AnalyticsReads
from .catalog import CatalogReads
from .forecasts import ForecastReads
from .log import LogReads
from .orders import OrderReads
from .replenishment import ReplenishmentReads
from .stock import StockReads


class Reader(CatalogReads, StockReads, OrderReads, LogReads, ReplenishmentReads, AnalyticsReads,
             ForecastReads):
    """Every read the API makes; each call its own short read transaction."""
