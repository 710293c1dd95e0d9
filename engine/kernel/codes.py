"""The kernel's codes, defined once: ext/allocate.pyx compiles them in and exports them."""
from __future__ import annotations

from ._allocate import FEWEST_SHIPMENTS, FLAG_ALREADY_USED, FLAG_FILLS_ALL, MOST_STOCK, NEAREST, PRIORITY

SORT_CODES = {"FEWEST_SHIPMENTS": FEWEST_SHIPMENTS, "NEAREST": NEAREST, "PRIORITY": PRIORITY, "MOST_STOCK": MOST_STOCK}

__all__ = ["FLAG_ALREADY_USED", "FLAG_FILLS_ALL", "SORT_CODES"]
