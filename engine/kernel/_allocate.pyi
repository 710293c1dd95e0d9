"""Typed stub of the Cython allocation kernel (ext/allocate.pyx).

Semantics: tests/reference_allocation.py. All arrays must be C-contiguous with
exactly the dtypes below; read-only arrays are accepted for inputs.
"""
import numpy as np
import numpy.typing as npt

# sort codes (rule_sorts entries; -1 terminates a rule's list)
FEWEST_SHIPMENTS: int  # 0
NEAREST: int  # 1
PRIORITY: int  # 2
MOST_STOCK: int  # 3

# out_flags bits
FLAG_FILLS_ALL: int  # 1: the location could fill every remaining line of the order alone
FLAG_ALREADY_USED: int  # 2: the order already shipped from the location when it was chosen

def allocate_batch(
    on_hand: npt.NDArray[np.int32],  # [n_sku, n_loc]
    committed: npt.NDArray[np.int32],  # [n_sku, n_loc], updated in place
    safety: npt.NDArray[np.int32],  # [n_sku, n_loc]
    loc_priority: npt.NDArray[np.int32],  # [n_loc]
    loc_lat: npt.NDArray[np.float64],  # [n_loc], NaN = unknown
    loc_lon: npt.NDArray[np.float64],  # [n_loc], NaN = unknown
    rule_loc_ok: npt.NDArray[np.uint8],  # [n_rules, n_loc]
    rule_max_km: npt.NDArray[np.float64],  # [n_rules], NaN = no limit
    rule_sorts: npt.NDArray[np.int8],  # [n_rules, 4]
    rule_allow_split: npt.NDArray[np.uint8],  # [n_rules]
    rule_max_shipments: npt.NDArray[np.int32],  # [n_rules], 0 = unlimited
    order_line_start: npt.NDArray[np.int32],  # [n_orders + 1]
    line_sku: npt.NDArray[np.int32],  # [n_lines]
    line_qty: npt.NDArray[np.int32],  # [n_lines], > 0
    order_rule_start: npt.NDArray[np.int32],  # [n_orders + 1]
    order_rules: npt.NDArray[np.int32],
    order_used_start: npt.NDArray[np.int32],  # [n_orders + 1]
    order_used_locs: npt.NDArray[np.int32],
    order_lat: npt.NDArray[np.float64],  # [n_orders], NaN = unknown
    order_lon: npt.NDArray[np.float64],  # [n_orders], NaN = unknown
    order_reject: npt.NDArray[np.uint8],  # [n_orders]
    out_line: npt.NDArray[np.int32],  # capacity >= n_lines * n_loc (global line index)
    out_loc: npt.NDArray[np.int32],
    out_qty: npt.NDArray[np.int32],
    out_rule: npt.NDArray[np.int32],
    out_flags: npt.NDArray[np.uint8],
    order_alloc_end: npt.NDArray[np.int32],  # [n_orders], out
    order_rejected: npt.NDArray[np.uint8],  # [n_orders], out
) -> int:
    """Allocates the orders in index order; returns the number of allocations written.

    Raises ValueError (inconsistent shapes, capacity < n_lines * n_loc, bad CSR offsets,
    line_qty <= 0, unknown sort code, negative max_shipments) or IndexError (sku, rule or
    location index out of range) before touching `committed`.
    """
    ...

def _set_force_generic_keys(value: bool) -> None:
    """Test hook: compare sort keys field by field instead of as packed integers."""
    ...
