"""Allocation kernel (engine.kernel._allocate) vs the plain-Python reference model.

Property tests drive both with random stock, rules and orders and require
identical outputs; invariant tests check the kernel's output on its own; the
example tests spell out each rule feature in given/when/then form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.kernel._allocate import _set_force_generic_keys, allocate_batch
from tests.reference_allocation import (
    FEWEST_SHIPMENTS,
    FLAG_ALREADY_USED,
    FLAG_FILLS_ALL,
    INT32_MAX,
    MOST_STOCK,
    NEAREST,
    PRIORITY,
    allocate_batch_reference,
    haversine_km,
)

NAN = math.nan


# --------------------------------------------------------------------------- problem builder


@dataclass
class Rule:
    sorts: list[int] = field(default_factory=lambda: [PRIORITY])
    locs: list[int] | None = None          # None = every location eligible
    max_km: float = NAN
    split: bool = True
    max_shipments: int = 0


@dataclass
class Order:
    lines: list[tuple[int, int]]           # (sku, qty)
    rules: list[int] = field(default_factory=lambda: [0])
    used: list[int] = field(default_factory=list)
    lat: float = NAN
    lon: float = NAN
    reject: bool = False


def build(on_hand, rules, orders, committed=None, safety=None, priority=None, lat=None, lon=None) -> dict:
    """Kernel arguments (without outputs) from a readable description."""
    on_hand = np.ascontiguousarray(on_hand, dtype=np.int32).reshape(len(on_hand), -1)
    n_sku, n_loc = on_hand.shape
    zeros = np.zeros_like(on_hand)
    sorts = np.full((len(rules), 4), -1, dtype=np.int8)
    loc_ok = np.zeros((len(rules), n_loc), dtype=np.uint8)
    for i, rule in enumerate(rules):
        sorts[i, : len(rule.sorts)] = rule.sorts
        loc_ok[i, list(range(n_loc)) if rule.locs is None else rule.locs] = 1

    def csr(groups):
        start = np.zeros(len(groups) + 1, dtype=np.int32)
        start[1:] = np.cumsum([len(g) for g in groups])
        return start, np.array([x for g in groups for x in g], dtype=np.int32)

    line_start, line_sku = csr([[s for s, _ in o.lines] for o in orders])
    rule_start, rule_ix = csr([o.rules for o in orders])
    used_start, used_locs = csr([o.used for o in orders])
    return dict(
        on_hand=on_hand,
        committed=zeros.copy() if committed is None else np.ascontiguousarray(committed, dtype=np.int32).reshape(n_sku, n_loc),
        safety=zeros.copy() if safety is None else np.ascontiguousarray(safety, dtype=np.int32).reshape(n_sku, n_loc),
        loc_priority=np.zeros(n_loc, np.int32) if priority is None else np.array(priority, np.int32),
        loc_lat=np.full(n_loc, NAN) if lat is None else np.array(lat, np.float64),
        loc_lon=np.full(n_loc, NAN) if lon is None else np.array(lon, np.float64),
        rule_loc_ok=loc_ok,
        rule_max_km=np.array([r.max_km for r in rules], np.float64),
        rule_sorts=sorts,
        rule_allow_split=np.array([r.split for r in rules], np.uint8),
        rule_max_shipments=np.array([r.max_shipments for r in rules], np.int32),
        order_line_start=line_start,
        line_sku=line_sku,
        line_qty=np.array([q for o in orders for _, q in o.lines], np.int32),
        order_rule_start=rule_start,
        order_rules=rule_ix,
        order_used_start=used_start,
        order_used_locs=used_locs,
        order_lat=np.array([o.lat for o in orders], np.float64),
        order_lon=np.array([o.lon for o in orders], np.float64),
        order_reject=np.array([o.reject for o in orders], np.uint8),
    )


@dataclass
class KernelResult:
    allocations: list[tuple[int, int, int, int, int]]   # (line, loc, qty, rule, flags)
    order_alloc_end: list[int]
    order_rejected: list[int]
    committed: list[list[int]]

    def for_order(self, o: int) -> list[tuple[int, int, int, int, int]]:
        start = self.order_alloc_end[o - 1] if o else 0
        return self.allocations[start : self.order_alloc_end[o]]


def run_kernel(args: dict) -> KernelResult:
    args = {k: (v.copy() if k == "committed" else v) for k, v in args.items()}
    n_orders = len(args["order_line_start"]) - 1
    cap = max(1, len(args["line_sku"]) * args["on_hand"].shape[1])
    out = [np.full(cap, -7, np.int32) for _ in range(4)] + [np.full(cap, 255, np.uint8)]
    end = np.full(n_orders, -7, np.int32)
    rejected = np.full(n_orders, 9, np.uint8)
    total = allocate_batch(**args, out_line=out[0], out_loc=out[1], out_qty=out[2], out_rule=out[3],
                           out_flags=out[4], order_alloc_end=end, order_rejected=rejected)
    allocations = list(zip(*(o[:total].tolist() for o in out)))
    return KernelResult(allocations, end.tolist(), rejected.tolist(), args["committed"].tolist())


def allocate(args: dict) -> KernelResult:
    """Runs the kernel and the reference, requires identical results, returns the kernel's."""
    got = run_kernel(args)
    want = allocate_batch_reference(**args)
    assert got.allocations == want.allocations
    assert got.order_alloc_end == want.order_alloc_end
    assert got.order_rejected == want.order_rejected
    assert got.committed == want.committed
    return got


# --------------------------------------------------------------------------- invariants


def check_invariants(args: dict, res: KernelResult) -> None:
    on_hand, safety = args["on_hand"].tolist(), args["safety"].tolist()
    before = args["committed"].tolist()
    line_start = args["order_line_start"].tolist()
    line_sku, line_qty = args["line_sku"].tolist(), args["line_qty"].tolist()
    loc_ok, max_km = args["rule_loc_ok"].tolist(), args["rule_max_km"].tolist()
    max_ship = args["rule_max_shipments"].tolist()
    rule_start, rules = args["order_rule_start"].tolist(), args["order_rules"].tolist()
    used_start, used_locs = args["order_used_start"].tolist(), args["order_used_locs"].tolist()
    lat, lon = args["loc_lat"].tolist(), args["loc_lon"].tolist()
    n_orders = len(line_start) - 1

    # committed only grows, and by at most what was available before the call
    for s, row in enumerate(res.committed):
        for l, after in enumerate(row):
            added = after - before[s][l]
            assert 0 <= added <= max(0, on_hand[s][l] - before[s][l] - safety[s][l])

    ends = res.order_alloc_end
    assert all(a <= b for a, b in zip([0] + ends, ends)) and (not ends or ends[-1] == len(res.allocations))
    for o in range(n_orders):
        lines = range(line_start[o], line_start[o + 1])
        order_rules = rules[rule_start[o] : rule_start[o + 1]]
        used = set(used_locs[used_start[o] : used_start[o + 1]])
        allocated = {j: 0 for j in lines}
        for line, loc, qty, rule, flags in res.for_order(o):
            assert line in allocated and qty > 0 and rule in order_rules
            assert loc_ok[rule][loc] == 1
            if not math.isnan(max_km[rule]):
                assert haversine_km(args["order_lat"][o], args["order_lon"][o], lat[loc], lon[loc]) <= max_km[rule]
            if max_ship[rule] and loc not in used:
                assert len(used) < max_ship[rule], "max_shipments exceeded"
            assert flags & ~(FLAG_FILLS_ALL | FLAG_ALREADY_USED) == 0
            if args["rule_allow_split"][rule]:
                assert bool(flags & FLAG_ALREADY_USED) == (loc in used)
            else:  # bit 2 reflects "used before the rule chose loc"; every line fits there
                assert flags & FLAG_FILLS_ALL and (loc in used or not flags & FLAG_ALREADY_USED)
            used.add(loc)
            allocated[line] += qty
        assert all(allocated[j] <= line_qty[j] for j in lines)
        if args["order_reject"][o]:
            complete = all(allocated[j] == line_qty[j] for j in lines)
            assert res.order_rejected[o] == (0 if complete else 1)
            if res.order_rejected[o]:
                assert not res.for_order(o)
        else:
            assert res.order_rejected[o] == 0
    # at most one allocation per (line, location): n_lines * n_loc output capacity always suffices
    pairs = [(a[0], a[1]) for a in res.allocations]
    assert len(pairs) == len(set(pairs))


# --------------------------------------------------------------------------- random problems

COORDS = [NAN, 0.0, 0.5, 1.0, 45.0, -33.9, 89.9, 179.0, -179.5]


@st.composite
def problems(draw, max_sku=4, max_loc=5, max_orders=7, max_lines=4, min_loc=1, min_lines=0):
    n_sku = draw(st.integers(1, max_sku))
    n_loc = draw(st.integers(min_loc, max_loc))
    n_rules = draw(st.integers(1, 3))
    small = st.integers(0, 8)
    on_hand = draw(st.lists(st.lists(small, min_size=n_loc, max_size=n_loc), min_size=n_sku, max_size=n_sku))
    committed = draw(st.lists(st.lists(st.integers(-2, 5), min_size=n_loc, max_size=n_loc), min_size=n_sku, max_size=n_sku))
    safety = draw(st.lists(st.lists(st.integers(-2, 3), min_size=n_loc, max_size=n_loc), min_size=n_sku, max_size=n_sku))
    priority = draw(st.lists(st.integers(-2, 3), min_size=n_loc, max_size=n_loc))  # ties on purpose
    lat = draw(st.lists(st.sampled_from(COORDS), min_size=n_loc, max_size=n_loc))
    lon = draw(st.lists(st.sampled_from(COORDS), min_size=n_loc, max_size=n_loc))
    rules = []
    for _ in range(n_rules):
        sorts = draw(st.lists(st.integers(0, 3), min_size=0, max_size=4))
        locs = draw(st.lists(st.integers(0, n_loc - 1), unique=True, max_size=n_loc))
        rules.append(Rule(
            sorts=sorts,
            locs=None if draw(st.booleans()) else locs,
            max_km=draw(st.sampled_from([NAN, NAN, 0.0, 60.0, 5000.0, 20000.0, math.inf, -1.0])),
            split=draw(st.booleans()),
            max_shipments=draw(st.sampled_from([0, 0, 1, 2, 3])),
        ))
    orders = []
    for _ in range(draw(st.integers(0, max_orders))):
        orders.append(Order(
            lines=draw(st.lists(st.tuples(st.integers(0, n_sku - 1), st.integers(1, 7)), min_size=min_lines, max_size=max_lines)),
            rules=draw(st.lists(st.integers(0, n_rules - 1), max_size=3)),
            used=draw(st.lists(st.integers(0, n_loc - 1), max_size=3)),
            lat=draw(st.sampled_from(COORDS)),
            lon=draw(st.sampled_from(COORDS)),
            reject=draw(st.sampled_from([False, False, False, True])),
        ))
    return build(on_hand, rules, orders, committed=committed, safety=safety, priority=priority, lat=lat, lon=lon)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_kernel_matches_reference_and_invariants(args):
    res = allocate(args)
    check_invariants(args, res)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_sku=3, max_loc=8, max_orders=25))
def test_kernel_matches_reference_larger_batches(args):
    check_invariants(args, allocate(args))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_sku=12, max_loc=4, max_orders=3, min_lines=13, max_lines=18))
def test_kernel_matches_reference_long_orders(args):
    # > 12 lines: the kernel finds an order's distinct skus through a hash table
    check_invariants(args, allocate(args))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_sku=3, min_loc=33, max_loc=45, max_orders=4, max_lines=3))
def test_kernel_matches_reference_many_locations(args):
    # > 32 locations: distance ranks are sorted with qsort
    check_invariants(args, allocate(args))


class generic_keys:
    """Within the block the kernel compares sort keys field by field (its fallback when
    a rule's packed key would not fit in 64 bits) instead of as packed integers."""

    def __enter__(self):
        _set_force_generic_keys(True)

    def __exit__(self, *exc):
        _set_force_generic_keys(False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_generic_key_path_matches_reference(args):
    with generic_keys():
        res = allocate(args)
    check_invariants(args, res)


def test_packed_key_fallback_for_wide_keys():
    # given 2**20 locations: all four sort fields no longer fit in 64 bits
    n_loc = 2**20
    on_hand = np.zeros((1, n_loc), np.int32)
    on_hand[0, [5, 77, 1000]] = [3, 9, 9]
    priority = np.zeros(n_loc, np.int32)
    priority[5] = -1
    args = build(on_hand, [Rule([FEWEST_SHIPMENTS, NEAREST, PRIORITY, MOST_STOCK])], [Order([(0, 4)])],
                 priority=priority)
    res = run_kernel(args)
    # then loc 5 (best priority) is skipped because it cannot fill the order; 77 and 1000
    # tie on everything but the index
    assert res.allocations == [(0, 77, 4, 0, FLAG_FILLS_ALL)]


def test_kernel_is_deterministic():
    rng = np.random.default_rng(7)
    n_sku, n_loc = 20, 6
    orders = [Order(lines=[(int(rng.integers(n_sku)), int(rng.integers(1, 5))) for _ in range(3)],
                    rules=[0, 1], lat=float(rng.uniform(-60, 60)), lon=float(rng.uniform(-170, 170)),
                    reject=bool(i % 3 == 0)) for i in range(300)]
    args = build(rng.integers(0, 6, (n_sku, n_loc)),
                 [Rule([FEWEST_SHIPMENTS, NEAREST, PRIORITY], max_shipments=2), Rule([MOST_STOCK], split=False)],
                 orders, priority=rng.integers(0, 3, n_loc), lat=rng.uniform(-60, 60, n_loc), lon=rng.uniform(-170, 170, n_loc))
    first = allocate(args)
    check_invariants(args, first)
    assert run_kernel(args) == first


# --------------------------------------------------------------------------- examples


def test_priority_picks_lowest_priority_value_then_lowest_index():
    # given three locations with stock, priorities 5, 1, 1
    args = build([[10, 10, 10]], [Rule([PRIORITY])], [Order([(0, 4)])], priority=[5, 1, 1])
    # when allocating 4 units
    res = allocate(args)
    # then location 1 (priority 1, lower index than location 2) takes everything
    assert res.allocations == [(0, 1, 4, 0, FLAG_FILLS_ALL)]
    assert res.committed == [[0, 4, 0]]


def test_priority_splits_over_locations_in_priority_order():
    # given 2 + 3 + 10 units at locations with priorities 2, 0, 1
    args = build([[2, 3, 10]], [Rule([PRIORITY])], [Order([(0, 12)])], priority=[2, 0, 1])
    # when allocating 12 units with splitting allowed
    res = allocate(args)
    # then the walk goes loc 1 (3 units), loc 2 (9 units): loc 0 is never needed
    assert res.allocations == [(0, 1, 3, 0, 0), (0, 2, 9, 0, 0)]


def test_fewest_shipments_prefers_a_location_that_fills_the_whole_order():
    # given loc 0 (best priority) has only sku 0, loc 1 has both skus
    args = build([[5, 5], [0, 5]], [Rule([FEWEST_SHIPMENTS, PRIORITY])],
                 [Order([(0, 2), (1, 2)])], priority=[0, 9])
    # when the order with both skus is allocated
    res = allocate(args)
    # then both lines ship from loc 1 in a single shipment
    assert res.allocations == [(0, 1, 2, 0, FLAG_FILLS_ALL), (1, 1, 2, 0, FLAG_FILLS_ALL | FLAG_ALREADY_USED)]


def test_fewest_shipments_prefers_already_used_locations():
    # given no location fills the order; loc 2 is already used by the order
    args = build([[3, 3, 3]], [Rule([FEWEST_SHIPMENTS, PRIORITY])],
                 [Order([(0, 5)], used=[2])], priority=[0, 1, 2])
    res = allocate(args)
    # then the used location is drained first, then the best priority
    assert res.allocations == [(0, 2, 3, 0, FLAG_ALREADY_USED), (0, 0, 2, 0, 0)]


def test_nearest_picks_closest_location_and_unknown_distance_is_last():
    # given an order in Paris; locations: unknown coordinates, Berlin, Lyon
    args = build([[10, 10, 10]], [Rule([NEAREST])],
                 [Order([(0, 25)], lat=48.8566, lon=2.3522)],
                 lat=[NAN, 52.52, 45.764], lon=[NAN, 13.405, 4.8357])
    res = allocate(args)
    # then Lyon, then Berlin, then the unknown location
    assert [(loc, qty) for _, loc, qty, _, _ in res.allocations] == [(2, 10), (1, 10), (0, 5)]


def test_most_stock_picks_location_with_most_available():
    # given availability 4, 9 (after 1 committed and safety 2 -> 6), 7
    args = build([[4, 9, 7]], [Rule([MOST_STOCK])], [Order([(0, 3)])],
                 committed=[[0, 1, 0]], safety=[[0, 2, 0]])
    res = allocate(args)
    # then location 2 (7 available) wins over location 1 (6 available)
    assert res.allocations == [(0, 2, 3, 0, FLAG_FILLS_ALL)]
    assert res.committed == [[0, 1, 3]]


def test_no_split_ships_everything_from_one_location_or_nothing():
    # given no single location holds both lines; a later rule allows splitting
    args = build([[5, 0, 5], [0, 5, 5]], [Rule([PRIORITY], split=False, locs=[0, 1]), Rule([PRIORITY])],
                 [Order([(0, 2), (1, 2)], rules=[0]), Order([(0, 2), (1, 2)], rules=[0, 1])],
                 priority=[0, 1, 2])
    res = allocate(args)
    # then the no-split rule allocates nothing for order 0 ...
    assert res.for_order(0) == []
    # ... and order 1 falls through to rule 1, which splits over locs 0 and 1
    # (when line 3 is started it is the only remaining line, so loc 1 fills "all")
    assert res.for_order(1) == [(2, 0, 2, 1, 0), (3, 1, 2, 1, FLAG_FILLS_ALL)]


def test_no_split_picks_best_key_among_locations_that_fill_everything():
    # given locs 1 and 2 both hold the whole order; loc 2 has more stock in total
    args = build([[9, 3, 5], [0, 3, 5]], [Rule([MOST_STOCK], split=False)], [Order([(0, 3), (1, 3)])])
    res = allocate(args)
    assert res.allocations == [(0, 2, 3, 0, FLAG_FILLS_ALL), (1, 2, 3, 0, FLAG_FILLS_ALL)]


def test_max_shipments_limits_distinct_locations_including_pre_used():
    # given the order already ships from loc 0 and maxShipments = 2
    args = build([[1, 1, 1, 1]], [Rule([PRIORITY], max_shipments=2)],
                 [Order([(0, 4)], used=[0])], priority=[0, 1, 2, 3])
    res = allocate(args)
    # then only one new location (loc 1) may be added: 2 of 4 units
    assert res.allocations == [(0, 0, 1, 0, FLAG_ALREADY_USED), (0, 1, 1, 0, 0)]
    assert res.order_rejected == [0]


def test_reject_order_is_rolled_back_when_short():
    # given a REJECT order needing 5 units where only 4 exist, then a normal order
    args = build([[2, 2]], [Rule([PRIORITY])], [Order([(0, 5)], reject=True), Order([(0, 3)])])
    res = allocate(args)
    # then the first order gets nothing and is flagged, its stock goes to the next order
    assert res.order_rejected == [1, 0]
    assert res.for_order(0) == []
    assert res.for_order(1) == [(1, 0, 2, 0, 0), (1, 1, 1, 0, 0)]
    assert res.committed == [[2, 1]]


def test_reject_order_filled_completely_keeps_allocations():
    args = build([[2, 2]], [Rule([PRIORITY])], [Order([(0, 4)], reject=True)])
    res = allocate(args)
    assert res.order_rejected == [0]
    assert res.committed == [[2, 2]]


def test_distance_filter_excludes_far_and_unknown_locations():
    # given an order in Paris, a 600 km limit; locations: Lyon (~390 km), Madrid (~1050 km), unknown
    args = build([[10, 10, 10]], [Rule([PRIORITY], max_km=600.0)],
                 [Order([(0, 30)], lat=48.8566, lon=2.3522)],
                 lat=[45.764, 40.4168, NAN], lon=[4.8357, -3.7038, NAN], priority=[2, 0, 1])
    res = allocate(args)
    # then only Lyon is eligible, despite the worse priority
    assert res.allocations == [(0, 0, 10, 0, 0)]


def test_distance_limit_with_unknown_order_position_allows_nothing():
    args = build([[10]], [Rule([PRIORITY], max_km=math.inf)], [Order([(0, 1)])], lat=[1.0], lon=[1.0])
    assert allocate(args).allocations == []


def test_rules_are_tried_in_order_until_filled():
    # given rule 0 only sees loc 0 (3 units), rule 1 sees everything
    args = build([[3, 10]], [Rule([PRIORITY], locs=[0]), Rule([PRIORITY])], [Order([(0, 5)], rules=[0, 1])])
    res = allocate(args)
    assert res.allocations == [(0, 0, 3, 0, 0), (0, 1, 2, 1, FLAG_FILLS_ALL)]


def test_lines_sharing_a_sku_need_their_sum_to_fill_all():
    # given two lines of sku 0 (3 + 3); loc 0 has 5, loc 1 has 6
    args = build([[5, 6]], [Rule([FEWEST_SHIPMENTS])], [Order([(0, 3), (0, 3)])])
    res = allocate(args)
    # then loc 1 is the only location that fills the order
    assert res.allocations == [(0, 1, 3, 0, FLAG_FILLS_ALL), (1, 1, 3, 0, FLAG_FILLS_ALL | FLAG_ALREADY_USED)]


def test_committed_near_int32_max_never_overflows():
    args = build([[INT32_MAX]], [Rule([])], [Order([(0, 10)])],
                 committed=[[INT32_MAX - 4]], safety=[[-100]])
    res = allocate(args)
    assert res.allocations == [(0, 0, 4, 0, 0)]
    assert res.committed == [[INT32_MAX]]


def test_read_only_inputs_are_accepted():
    args = build([[5]], [Rule([PRIORITY])], [Order([(0, 1)])])
    for name, value in args.items():
        if name != "committed":
            value.setflags(write=False)
    assert allocate(args).allocations == [(0, 0, 1, 0, FLAG_FILLS_ALL)]


def test_empty_batch():
    args = build([[5]], [Rule()], [])
    assert run_kernel(args).allocations == []


# --------------------------------------------------------------------------- validation


def _call(args, cap=None):
    n = len(args["order_line_start"]) - 1
    cap = len(args["line_sku"]) * args["on_hand"].shape[1] if cap is None else cap
    out = [np.zeros(cap, np.int32) for _ in range(4)] + [np.zeros(cap, np.uint8)]
    return allocate_batch(**args, out_line=out[0], out_loc=out[1], out_qty=out[2], out_rule=out[3],
                          out_flags=out[4], order_alloc_end=np.zeros(n, np.int32), order_rejected=np.zeros(n, np.uint8))


def _valid():
    return build([[5, 5]], [Rule([PRIORITY])], [Order([(0, 1), (0, 2)], used=[1])])


@pytest.mark.parametrize("mutate, error", [
    (lambda a: a.update(committed=np.zeros((1, 3), np.int32)), ValueError),
    (lambda a: a.update(loc_priority=np.zeros(3, np.int32)), ValueError),
    (lambda a: a.update(rule_max_km=np.zeros(2)), ValueError),
    (lambda a: a.update(order_lat=np.zeros(2)), ValueError),
    (lambda a: a.update(line_qty=np.ones(3, np.int32)), ValueError),
    (lambda a: a.update(line_qty=np.array([1, 0], np.int32)), ValueError),
    (lambda a: a.update(order_line_start=np.array([0, 1], np.int32)), ValueError),
    (lambda a: a.update(rule_sorts=np.array([[7, -1, -1, -1]], np.int8)), ValueError),
    (lambda a: a.update(rule_max_shipments=np.array([-1], np.int32)), ValueError),
    (lambda a: a.update(line_sku=np.array([0, 1], np.int32)), IndexError),
    (lambda a: a.update(order_rules=np.array([1], np.int32)), IndexError),
    (lambda a: a.update(order_used_locs=np.array([2], np.int32)), IndexError),
])
def test_invalid_input_raises_before_any_work(mutate, error):
    args = _valid()
    mutate(args)
    with pytest.raises(error):
        _call(args)
    assert not args["committed"].any()


def test_insufficient_output_capacity_raises():
    with pytest.raises(ValueError):
        _call(_valid(), cap=3)
