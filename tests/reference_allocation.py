"""Plain-Python reference model of the allocation kernel (``engine.kernel._allocate``).

This is the specification in code: it is written for readability, not speed,
and uses only lists, ints and floats.  It takes exactly the same arguments as
``engine.kernel._allocate.allocate_batch`` (numpy arrays or nested lists), but instead
of writing into output buffers it returns a :class:`ReferenceResult`.

Semantics
---------
``avail(s, l) = max(0, on_hand[s][l] - committed[s][l] - safety[s][l])`` from the
CURRENT committed (which grows as orders are allocated), additionally capped at
``INT32_MAX - committed[s][l]`` so that committed can never overflow int32
(irrelevant for realistic stock levels).

Orders are processed strictly in index order.  Per order, ``rem[j]`` starts at
the line quantity and ``used`` is the set of locations the order already ships
from.  The order's rules are tried in order while some ``rem[j] > 0``:

* eligible(l): ``rule_loc_ok[r][l] == 1`` and, if the rule has a distance limit
  (``rule_max_km[r]`` not NaN), the distance order->l is known and <= the limit.
  Distance = haversine, earth radius 6371.0088 km; unknown (a NaN / non-finite
  coordinate) = +inf.
* may_add(l): ``max_shipments == 0 or l in used or len(used) < max_shipments``.
* need(j): sum of rem over remaining lines with line j's sku;
  fills_all(l): every remaining line j has ``avail(sku_j, l) >= need(j)``.
* sort key (lexicographic, then location index):
  FEWEST_SHIPMENTS -> (0 if fills_all else 1), (0 if l in used else 1);
  NEAREST -> distance; PRIORITY -> loc_priority[l]; MOST_STOCK -> -avail.
* allowSplit: line by line; candidates (eligible, may_add, avail > 0) are keyed
  once when the line is started and walked in key order, taking
  ``min(rem, avail)`` at each (re-checking may_add), until the line is filled.
* no split: among eligible, may_add, fills_all locations pick the smallest key
  (MOST_STOCK uses -(sum of avail over the remaining lines), the first
  FEWEST_SHIPMENTS component is 0 for all) and fill every remaining line there.
* REJECT orders that are still short after all rules are rolled back entirely.

Allocation flags: bit 1 (value 1) = the location could fill every remaining
line of the order alone at decision time; bit 2 (value 2) = the location was
already used by the order when chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FEWEST_SHIPMENTS = 0
NEAREST = 1
PRIORITY = 2
MOST_STOCK = 3

FLAG_FILLS_ALL = 1
FLAG_ALREADY_USED = 2

EARTH_RADIUS_KM = 6371.0088
INT32_MAX = 2**31 - 1


def _plain(x):
    """numpy array (or nested sequence) -> nested Python lists of ints/floats."""
    if hasattr(x, "tolist"):
        return x.tolist()
    return [_plain(v) if isinstance(v, (list, tuple)) else v for v in x]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km; +inf when any coordinate is unknown.

    The kernel evaluates exactly the same floating point expression, so both
    produce bit-identical distances.
    """
    if not (math.isfinite(lat1) and math.isfinite(lon1) and math.isfinite(lat2) and math.isfinite(lon2)):
        return math.inf
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = math.radians(lat2 - lat1)
    dl = math.radians(lon2 - lon1)
    s1 = math.sin(dp / 2.0)
    s2 = math.sin(dl / 2.0)
    a = s1 * s1 + math.cos(p1) * math.cos(p2) * s2 * s2
    a = a if a > 0.0 else 0.0  # written out (not min/max) so that NaN and -0.0 map exactly like the kernel
    a = a if a < 1.0 else 1.0
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass
class ReferenceResult:
    # (global line index, location, qty, rule, flags) in output order
    allocations: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    order_alloc_end: list[int] = field(default_factory=list)
    order_rejected: list[int] = field(default_factory=list)
    committed: list[list[int]] = field(default_factory=list)


def allocate_batch_reference(
    on_hand, committed, safety,
    loc_priority, loc_lat, loc_lon,
    rule_loc_ok, rule_max_km, rule_sorts, rule_allow_split, rule_max_shipments,
    order_line_start, line_sku, line_qty,
    order_rule_start, order_rules,
    order_used_start, order_used_locs,
    order_lat, order_lon, order_reject,
) -> ReferenceResult:
    """Allocate a batch of orders; the inputs are not modified (committed is copied)."""
    on_hand = _plain(on_hand)
    committed = [list(row) for row in _plain(committed)]
    safety = _plain(safety)
    loc_priority = _plain(loc_priority)
    loc_lat, loc_lon = _plain(loc_lat), _plain(loc_lon)
    rule_loc_ok = _plain(rule_loc_ok)
    rule_max_km = _plain(rule_max_km)
    rule_sorts = _plain(rule_sorts)
    rule_allow_split = _plain(rule_allow_split)
    rule_max_shipments = _plain(rule_max_shipments)
    order_line_start, line_sku, line_qty = _plain(order_line_start), _plain(line_sku), _plain(line_qty)
    order_rule_start, order_rules = _plain(order_rule_start), _plain(order_rules)
    order_used_start, order_used_locs = _plain(order_used_start), _plain(order_used_locs)
    order_lat, order_lon, order_reject = _plain(order_lat), _plain(order_lon), _plain(order_reject)

    n_loc = len(loc_priority)
    n_orders = len(order_line_start) - 1
    result = ReferenceResult(committed=committed)
    out = result.allocations

    def avail(s: int, l: int) -> int:
        a = on_hand[s][l] - committed[s][l] - safety[s][l]
        return max(0, min(a, INT32_MAX - committed[s][l]))

    for o in range(n_orders):
        order_start = len(out)
        lines = list(range(order_line_start[o], order_line_start[o + 1]))
        rem = {j: line_qty[j] for j in lines}
        used = set(order_used_locs[order_used_start[o]:order_used_start[o + 1]])
        dist = [haversine_km(order_lat[o], order_lon[o], loc_lat[l], loc_lon[l]) for l in range(n_loc)]

        def remaining() -> list[int]:
            return [j for j in lines if rem[j] > 0]

        def need(j: int) -> int:
            return sum(rem[k] for k in remaining() if line_sku[k] == line_sku[j])

        def fills_all(l: int) -> bool:
            return all(avail(line_sku[j], l) >= need(j) for j in remaining())

        for r in order_rules[order_rule_start[o]:order_rule_start[o + 1]]:
            if not remaining():
                break
            max_km = rule_max_km[r]
            max_ship = rule_max_shipments[r]
            sorts = []
            for code in rule_sorts[r]:
                if code == -1:
                    break
                sorts.append(code)

            def eligible(l: int) -> bool:
                if rule_loc_ok[r][l] != 1:
                    return False
                if math.isnan(max_km):
                    return True
                return dist[l] != math.inf and dist[l] <= max_km

            def may_add(l: int) -> bool:
                return max_ship == 0 or l in used or len(used) < max_ship

            def key(l: int, fills: bool, most_stock: int) -> tuple:
                k = []
                for code in sorts:
                    if code == FEWEST_SHIPMENTS:
                        k += [0 if fills else 1, 0 if l in used else 1]
                    elif code == NEAREST:
                        k.append(dist[l])
                    elif code == PRIORITY:
                        k.append(loc_priority[l])
                    elif code == MOST_STOCK:
                        k.append(-most_stock)
                k.append(l)
                return tuple(k)

            if rule_allow_split[r]:
                for j in lines:
                    if rem[j] <= 0:
                        continue
                    s = line_sku[j]
                    keyed = []  # (key, location, fills_all at line start)
                    for l in range(n_loc):
                        if eligible(l) and may_add(l) and avail(s, l) > 0:
                            f = fills_all(l)
                            keyed.append((key(l, f, avail(s, l)), l, f))
                    keyed.sort()
                    for _, l, f in keyed:
                        if rem[j] == 0:
                            break
                        if not may_add(l):
                            continue
                        q = min(rem[j], avail(s, l))
                        if q <= 0:
                            continue
                        flags = (FLAG_FILLS_ALL if f else 0) | (FLAG_ALREADY_USED if l in used else 0)
                        committed[s][l] += q
                        rem[j] -= q
                        used.add(l)
                        out.append((j, l, q, r, flags))
            else:
                keyed = []
                for l in range(n_loc):
                    if eligible(l) and may_add(l) and fills_all(l):
                        stock = sum(avail(line_sku[j], l) for j in remaining())
                        keyed.append((key(l, True, stock), l))
                if keyed:
                    _, l = min(keyed)
                    flags = FLAG_FILLS_ALL | (FLAG_ALREADY_USED if l in used else 0)
                    for j in remaining():
                        q = rem[j]
                        committed[line_sku[j]][l] += q
                        rem[j] = 0
                        out.append((j, l, q, r, flags))
                    used.add(l)

        rejected = 0
        if order_reject[o] == 1 and remaining():
            for j, l, q, _r, _f in out[order_start:]:
                committed[line_sku[j]][l] -= q
            del out[order_start:]
            rejected = 1
        result.order_alloc_end.append(len(out))
        result.order_rejected.append(rejected)

    return result
