# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Allocation kernel: assigns order lines to stock locations (engine._allocate).

The semantics are specified by the plain-Python reference model in
tests/reference_allocation.py; this module must stay output-identical to it.
"""
from libc.stdlib cimport malloc, free
from libc.string cimport memset
from libc.math cimport sin, cos, asin, sqrt, isnan, isfinite, INFINITY, M_PI
from libc.stdint cimport int8_t, uint8_t, int32_t, int64_t

FEWEST_SHIPMENTS = 0
NEAREST = 1
PRIORITY = 2
MOST_STOCK = 3
FLAG_FILLS_ALL = 1
FLAG_ALREADY_USED = 2

cdef enum:
    C_FEWEST = 0
    C_NEAREST = 1
    C_PRIORITY = 2
    C_MOST_STOCK = 3

cdef enum:
    ERR_OK = 0
    ERR_CAPACITY = 1
    ERR_OUT_INDEX = 2

cdef double EARTH_RADIUS_KM = 6371.0088
cdef double DEG2RAD = M_PI / 180.0
cdef int64_t I32_MAX = 2147483647


cdef struct Kernel:
    # dimensions
    Py_ssize_t n_loc
    Py_ssize_t n_orders
    Py_ssize_t cap
    Py_ssize_t sort_w
    # inputs
    const int32_t* on_hand
    int32_t* committed
    const int32_t* safety
    const int32_t* loc_prio
    const double* loc_lat
    const double* loc_lon
    const uint8_t* rule_loc_ok
    const double* rule_max_km
    const int8_t* rule_codes      # [n_rules, sort_w], validated, -1 padded
    const int32_t* rule_ncodes    # [n_rules]
    const uint8_t* rule_dist      # [n_rules]: rule needs distances (NEAREST or a km limit)
    const uint8_t* rule_split
    const int32_t* rule_maxship
    const int32_t* ols
    const int32_t* lsku
    const int32_t* lqty
    const int32_t* ors
    const int32_t* orules
    const int32_t* ous
    const int32_t* oused
    const double* olat
    const double* olon
    const uint8_t* oreject
    # outputs
    int32_t* out_line
    int32_t* out_loc
    int32_t* out_qty
    int32_t* out_rule
    uint8_t* out_flags
    int32_t* alloc_end
    uint8_t* rejected
    # scratch, sized by max lines per order (L) and n_loc (N)
    int64_t* rem        # [L]
    int32_t* slot       # [L]  line -> distinct-sku slot
    int32_t* slot_sku   # [L]
    int64_t* need       # [L]  per slot: sum of rem of its lines
    int64_t* av         # [L*N] per slot x location: avail, kept in sync with committed
    uint8_t* used       # [N]
    uint8_t* elig       # [N]
    double* dist        # [N]
    int32_t* cand       # [N]
    uint8_t* cfill      # [N]
    double* cdist       # [N]
    int64_t* ckey       # [N*sort_w]


cdef inline double haversine_km(double lat1, double lon1, double lat2, double lon2) noexcept nogil:
    # bit-identical to tests/reference_allocation.haversine_km
    if not (isfinite(lat1) and isfinite(lon1) and isfinite(lat2) and isfinite(lon2)):
        return INFINITY
    cdef double p1 = lat1 * DEG2RAD
    cdef double p2 = lat2 * DEG2RAD
    cdef double dp = (lat2 - lat1) * DEG2RAD
    cdef double dl = (lon2 - lon1) * DEG2RAD
    cdef double s1 = sin(dp / 2.0)
    cdef double s2 = sin(dl / 2.0)
    cdef double a = s1 * s1 + cos(p1) * cos(p2) * s2 * s2
    if a < 0.0:
        a = 0.0
    if a > 1.0:
        a = 1.0
    return 2.0 * EARTH_RADIUS_KM * asin(sqrt(a))


cdef inline int64_t avail_of(const Kernel* k, Py_ssize_t idx) noexcept nogil:
    cdef int64_t c = k.committed[idx]
    cdef int64_t a = <int64_t>k.on_hand[idx] - c - <int64_t>k.safety[idx]
    cdef int64_t cap = I32_MAX - c          # committed must stay within int32
    if a > cap:
        a = cap
    return a if a > 0 else 0


cdef inline bint fills_all(const Kernel* k, Py_ssize_t nslot, Py_ssize_t l) noexcept nogil:
    cdef Py_ssize_t s
    for s in range(nslot):
        if k.need[s] > 0 and k.av[s * k.n_loc + l] < k.need[s]:
            return False
    return True


cdef inline bint key_less(const Kernel* k, const int8_t* codes, int32_t ncodes,
                          Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """Candidate a sorts before candidate b (keys in ckey/cdist, tie-break location)."""
    cdef int32_t i
    cdef Py_ssize_t w = k.sort_w
    cdef int64_t x, y
    for i in range(ncodes):
        if codes[i] == C_NEAREST:
            if k.cdist[a] < k.cdist[b]:
                return True
            if k.cdist[a] > k.cdist[b]:
                return False
        else:
            x = k.ckey[a * w + i]
            y = k.ckey[b * w + i]
            if x != y:
                return x < y
    return k.cand[a] < k.cand[b]


cdef inline void fill_key(Kernel* k, const int8_t* codes, int32_t ncodes, Py_ssize_t c,
                          Py_ssize_t l, bint fills, int64_t stock) noexcept nogil:
    cdef int32_t i
    cdef int8_t code
    cdef Py_ssize_t w = k.sort_w
    for i in range(ncodes):
        code = codes[i]
        if code == C_FEWEST:
            # (0 if fills_all else 1, 0 if used else 1) folded into one comparable value
            k.ckey[c * w + i] = (0 if fills else 2) + (0 if k.used[l] else 1)
        elif code == C_PRIORITY:
            k.ckey[c * w + i] = k.loc_prio[l]
        elif code == C_MOST_STOCK:
            k.ckey[c * w + i] = -stock
    k.cdist[c] = k.dist[l]


cdef int run_kernel(Kernel* k, Py_ssize_t* n_out_p) noexcept nogil:
    cdef Py_ssize_t N = k.n_loc
    cdef Py_ssize_t n_out = 0
    cdef Py_ssize_t o, ls, nl, j, jj, l, s, nslot, ri, r, order_start, i, c, ncand, best
    cdef Py_ssize_t n_used, idx, sl
    cdef int64_t q, a, stock
    cdef int32_t sku, maxs, ncodes
    cdef Py_ssize_t nrem
    cdef bint dist_ready, f, u
    cdef double mk
    cdef const int8_t* codes
    cdef uint8_t flags

    for o in range(k.n_orders):
        order_start = n_out
        ls = k.ols[o]
        nl = k.ols[o + 1] - ls
        k.rejected[o] = 0
        if nl == 0:
            k.alloc_end[o] = <int32_t>n_out
            continue

        # distinct skus of the order -> slots; rem, need
        nslot = 0
        nrem = 0
        for j in range(nl):
            sku = k.lsku[ls + j]
            s = 0
            while s < nslot and k.slot_sku[s] != sku:
                s += 1
            if s == nslot:
                k.slot_sku[s] = sku
                k.need[s] = 0
                nslot += 1
            k.slot[j] = <int32_t>s
            k.rem[j] = k.lqty[ls + j]
            k.need[s] += k.rem[j]
            if k.rem[j] > 0:
                nrem += 1
        for s in range(nslot):
            idx = <Py_ssize_t>k.slot_sku[s] * N
            for l in range(N):
                k.av[s * N + l] = avail_of(k, idx + l)

        memset(k.used, 0, N)
        n_used = 0
        for i in range(k.ous[o], k.ous[o + 1]):
            l = k.oused[i]
            if not k.used[l]:
                k.used[l] = 1
                n_used += 1
        dist_ready = False

        for ri in range(k.ors[o], k.ors[o + 1]):
            if nrem == 0:
                break
            r = k.orules[ri]
            codes = k.rule_codes + r * k.sort_w
            ncodes = k.rule_ncodes[r]
            maxs = k.rule_maxship[r]
            mk = k.rule_max_km[r]
            if k.rule_dist[r] and not dist_ready:
                for l in range(N):
                    k.dist[l] = haversine_km(k.olat[o], k.olon[o], k.loc_lat[l], k.loc_lon[l])
                dist_ready = True
            for l in range(N):
                k.elig[l] = k.rule_loc_ok[r * N + l] == 1 and (
                    isnan(mk) or (k.dist[l] != INFINITY and k.dist[l] <= mk))

            if k.rule_split[r]:
                for j in range(nl):
                    if k.rem[j] <= 0:
                        continue
                    sl = k.slot[j]
                    sku = k.slot_sku[sl]
                    # key every candidate once, at line start
                    ncand = 0
                    for l in range(N):
                        if not k.elig[l]:
                            continue
                        if maxs != 0 and not k.used[l] and n_used >= maxs:
                            continue
                        a = k.av[sl * N + l]
                        if a <= 0:
                            continue
                        f = fills_all(k, nslot, l)
                        k.cand[ncand] = <int32_t>l
                        k.cfill[ncand] = f
                        fill_key(k, codes, ncodes, ncand, l, f, a)
                        ncand += 1
                    # walk candidates in key order (successive minimum selection)
                    while k.rem[j] > 0 and ncand > 0:
                        best = 0
                        for c in range(1, ncand):
                            if key_less(k, codes, ncodes, c, best):
                                best = c
                        l = k.cand[best]
                        f = k.cfill[best]
                        # remove best: move the last candidate into its place
                        ncand -= 1
                        if best != ncand:
                            k.cand[best] = k.cand[ncand]
                            k.cfill[best] = k.cfill[ncand]
                            k.cdist[best] = k.cdist[ncand]
                            for i in range(ncodes):
                                k.ckey[best * k.sort_w + i] = k.ckey[ncand * k.sort_w + i]
                        if maxs != 0 and not k.used[l] and n_used >= maxs:
                            continue
                        a = k.av[sl * N + l]
                        q = k.rem[j] if k.rem[j] < a else a
                        if q <= 0:
                            continue
                        if n_out >= k.cap:
                            return ERR_CAPACITY
                        flags = (1 if f else 0) | (2 if k.used[l] else 0)
                        k.committed[<Py_ssize_t>sku * N + l] += <int32_t>q
                        k.av[sl * N + l] -= q
                        k.need[sl] -= q
                        k.rem[j] -= q
                        if k.rem[j] == 0:
                            nrem -= 1
                        if not k.used[l]:
                            k.used[l] = 1
                            n_used += 1
                        k.out_line[n_out] = <int32_t>(ls + j)
                        k.out_loc[n_out] = <int32_t>l
                        k.out_qty[n_out] = <int32_t>q
                        k.out_rule[n_out] = <int32_t>r
                        k.out_flags[n_out] = flags
                        n_out += 1
            else:
                # one location must take every remaining line; best kept in slot 0,
                # the location under test in slot 1
                best = -1
                for l in range(N):
                    if not k.elig[l]:
                        continue
                    if maxs != 0 and not k.used[l] and n_used >= maxs:
                        continue
                    if not fills_all(k, nslot, l):
                        continue
                    stock = 0
                    for j in range(nl):
                        if k.rem[j] > 0:
                            stock += k.av[k.slot[j] * N + l]
                    c = 0 if best < 0 else 1
                    k.cand[c] = <int32_t>l
                    fill_key(k, codes, ncodes, c, l, True, stock)
                    if best < 0:
                        best = 0
                    elif key_less(k, codes, ncodes, 1, 0):
                        k.cand[0] = k.cand[1]
                        k.cdist[0] = k.cdist[1]
                        for i in range(ncodes):
                            k.ckey[i] = k.ckey[k.sort_w + i]
                if best == 0:
                    l = k.cand[0]
                    u = k.used[l]
                    flags = 1 | (2 if u else 0)
                    for j in range(nl):
                        if k.rem[j] <= 0:
                            continue
                        if n_out >= k.cap:
                            return ERR_CAPACITY
                        q = k.rem[j]
                        sl = k.slot[j]
                        k.committed[<Py_ssize_t>k.slot_sku[sl] * N + l] += <int32_t>q
                        k.av[sl * N + l] -= q
                        k.need[sl] -= q
                        k.rem[j] = 0
                        k.out_line[n_out] = <int32_t>(ls + j)
                        k.out_loc[n_out] = <int32_t>l
                        k.out_qty[n_out] = <int32_t>q
                        k.out_rule[n_out] = <int32_t>r
                        k.out_flags[n_out] = flags
                        n_out += 1
                    nrem = 0
                    if not u:
                        k.used[l] = 1
                        n_used += 1

        if nrem > 0 and k.oreject[o] == 1:
            for i in range(order_start, n_out):
                k.committed[<Py_ssize_t>k.lsku[k.out_line[i]] * N + k.out_loc[i]] -= k.out_qty[i]
            n_out = order_start
            k.rejected[o] = 1
        if n_out > I32_MAX:
            return ERR_OUT_INDEX
        k.alloc_end[o] = <int32_t>n_out

    n_out_p[0] = n_out
    return ERR_OK


cdef int _check_csr(const int32_t[::1] start, Py_ssize_t n_items, str name) except -1:
    cdef Py_ssize_t n = start.shape[0]
    cdef Py_ssize_t i
    if start[0] != 0 or start[n - 1] != n_items:
        raise ValueError(f"{name}: CSR offsets must start at 0 and end at {n_items}")
    for i in range(n - 1):
        if start[i + 1] < start[i]:
            raise ValueError(f"{name}: CSR offsets must be non-decreasing (at {i})")
    return 0


def allocate_batch(
    const int32_t[:, ::1] on_hand, int32_t[:, ::1] committed, const int32_t[:, ::1] safety,
    const int32_t[::1] loc_priority, const double[::1] loc_lat, const double[::1] loc_lon,
    const uint8_t[:, ::1] rule_loc_ok,
    const double[::1] rule_max_km,
    const int8_t[:, ::1] rule_sorts,
    const uint8_t[::1] rule_allow_split,
    const int32_t[::1] rule_max_shipments,
    const int32_t[::1] order_line_start,
    const int32_t[::1] line_sku, const int32_t[::1] line_qty,
    const int32_t[::1] order_rule_start, const int32_t[::1] order_rules,
    const int32_t[::1] order_used_start, const int32_t[::1] order_used_locs,
    const double[::1] order_lat, const double[::1] order_lon,
    const uint8_t[::1] order_reject,
    int32_t[::1] out_line, int32_t[::1] out_loc, int32_t[::1] out_qty, int32_t[::1] out_rule,
    uint8_t[::1] out_flags,
    int32_t[::1] order_alloc_end,
    uint8_t[::1] order_rejected,
):
    """Allocate a batch of orders against stock; see tests/reference_allocation.py.

    ``committed`` is updated in place. Returns the number of allocations written
    to ``out_*``; order ``o``'s allocations are ``order_alloc_end[o-1]:order_alloc_end[o]``.
    """
    cdef Py_ssize_t n_sku = on_hand.shape[0]
    cdef Py_ssize_t n_loc = on_hand.shape[1]
    cdef Py_ssize_t n_rules = rule_loc_ok.shape[0]
    cdef Py_ssize_t n_orders = order_line_start.shape[0] - 1
    cdef Py_ssize_t n_lines = line_sku.shape[0]
    cdef Py_ssize_t sort_w = rule_sorts.shape[1]
    cdef Py_ssize_t i, j, o, r, cap, max_lines
    cdef int32_t v
    cdef int8_t code

    # ---- shapes ---------------------------------------------------------------
    if committed.shape[0] != n_sku or committed.shape[1] != n_loc \
            or safety.shape[0] != n_sku or safety.shape[1] != n_loc:
        raise ValueError("on_hand, committed and safety must have the same shape [n_sku, n_loc]")
    if loc_priority.shape[0] != n_loc or loc_lat.shape[0] != n_loc or loc_lon.shape[0] != n_loc:
        raise ValueError("loc_priority, loc_lat, loc_lon must have length n_loc")
    if rule_loc_ok.shape[1] != n_loc:
        raise ValueError("rule_loc_ok must have shape [n_rules, n_loc]")
    if rule_max_km.shape[0] != n_rules or rule_sorts.shape[0] != n_rules \
            or rule_allow_split.shape[0] != n_rules or rule_max_shipments.shape[0] != n_rules:
        raise ValueError("rule_max_km, rule_sorts, rule_allow_split, rule_max_shipments must have n_rules rows")
    if n_orders < 0:
        raise ValueError("order_line_start must have n_orders + 1 entries")
    if order_rule_start.shape[0] != n_orders + 1 or order_used_start.shape[0] != n_orders + 1:
        raise ValueError("order_rule_start and order_used_start must have n_orders + 1 entries")
    if order_lat.shape[0] != n_orders or order_lon.shape[0] != n_orders or order_reject.shape[0] != n_orders \
            or order_alloc_end.shape[0] != n_orders or order_rejected.shape[0] != n_orders:
        raise ValueError("order_lat, order_lon, order_reject, order_alloc_end, order_rejected must have length n_orders")
    if line_qty.shape[0] != n_lines:
        raise ValueError("line_sku and line_qty must have the same length")
    cap = min(out_line.shape[0], out_loc.shape[0], out_qty.shape[0], out_rule.shape[0], out_flags.shape[0])
    if cap < n_lines * n_loc:
        raise ValueError(f"out_* capacity {cap} < n_lines * n_loc = {n_lines * n_loc}")
    _check_csr(order_line_start, n_lines, "order_line_start")
    _check_csr(order_rule_start, order_rules.shape[0], "order_rule_start")
    _check_csr(order_used_start, order_used_locs.shape[0], "order_used_start")

    # ---- values / indices -----------------------------------------------------
    for i in range(n_lines):
        v = line_sku[i]
        if v < 0 or v >= n_sku:
            raise IndexError(f"line_sku[{i}] = {v} out of range [0, {n_sku})")
        if line_qty[i] <= 0:
            raise ValueError(f"line_qty[{i}] = {line_qty[i]} must be > 0")
    for i in range(order_rules.shape[0]):
        v = order_rules[i]
        if v < 0 or v >= n_rules:
            raise IndexError(f"order_rules[{i}] = {v} out of range [0, {n_rules})")
    for i in range(order_used_locs.shape[0]):
        v = order_used_locs[i]
        if v < 0 or v >= n_loc:
            raise IndexError(f"order_used_locs[{i}] = {v} out of range [0, {n_loc})")
    for r in range(n_rules):
        if rule_max_shipments[r] < 0:
            raise ValueError(f"rule_max_shipments[{r}] = {rule_max_shipments[r]} must be >= 0")

    max_lines = 0
    for o in range(n_orders):
        if order_line_start[o + 1] - order_line_start[o] > max_lines:
            max_lines = order_line_start[o + 1] - order_line_start[o]

    cdef Py_ssize_t w = sort_w if sort_w > 0 else 1
    cdef Py_ssize_t L = max_lines if max_lines > 0 else 1
    cdef Py_ssize_t N = n_loc if n_loc > 0 else 1
    cdef Py_ssize_t nr = n_rules if n_rules > 0 else 1
    cdef Kernel k
    cdef int err = ERR_OK
    cdef Py_ssize_t n_out = 0
    cdef int8_t* codes = <int8_t*>malloc(nr * w)
    cdef int32_t* ncodes = <int32_t*>malloc(nr * sizeof(int32_t))
    cdef uint8_t* rdist = <uint8_t*>malloc(nr)
    k.rem = <int64_t*>malloc(L * sizeof(int64_t))
    k.slot = <int32_t*>malloc(L * sizeof(int32_t))
    k.slot_sku = <int32_t*>malloc(L * sizeof(int32_t))
    k.need = <int64_t*>malloc(L * sizeof(int64_t))
    k.av = <int64_t*>malloc(L * N * sizeof(int64_t))
    k.used = <uint8_t*>malloc(N)
    k.elig = <uint8_t*>malloc(N)
    k.dist = <double*>malloc(N * sizeof(double))
    k.cand = <int32_t*>malloc(N * sizeof(int32_t))
    k.cfill = <uint8_t*>malloc(N)
    k.cdist = <double*>malloc(N * sizeof(double))
    k.ckey = <int64_t*>malloc(N * w * sizeof(int64_t))
    try:
        if (codes == NULL or ncodes == NULL or rdist == NULL or k.rem == NULL or k.slot == NULL
                or k.slot_sku == NULL or k.need == NULL or k.av == NULL or k.used == NULL
                or k.elig == NULL or k.dist == NULL or k.cand == NULL or k.cfill == NULL
                or k.cdist == NULL or k.ckey == NULL):
            raise MemoryError()
        for r in range(n_rules):
            ncodes[r] = <int32_t>sort_w
            rdist[r] = not isnan(rule_max_km[r])
            for j in range(sort_w):
                code = rule_sorts[r, j]
                codes[r * w + j] = code
                if code == -1:
                    ncodes[r] = <int32_t>j
                    break
                if code < 0 or code > 3:
                    raise ValueError(f"rule_sorts[{r}, {j}] = {code}: expected 0..3 or -1")
                if code == C_NEAREST:
                    rdist[r] = 1
        for i in range(N):
            k.dist[i] = INFINITY

        k.n_loc = n_loc
        k.n_orders = n_orders
        k.cap = cap
        k.sort_w = w
        k.on_hand = &on_hand[0, 0] if n_sku * n_loc > 0 else NULL
        k.committed = &committed[0, 0] if n_sku * n_loc > 0 else NULL
        k.safety = &safety[0, 0] if n_sku * n_loc > 0 else NULL
        k.loc_prio = &loc_priority[0] if n_loc > 0 else NULL
        k.loc_lat = &loc_lat[0] if n_loc > 0 else NULL
        k.loc_lon = &loc_lon[0] if n_loc > 0 else NULL
        k.rule_loc_ok = &rule_loc_ok[0, 0] if n_rules * n_loc > 0 else NULL
        k.rule_max_km = &rule_max_km[0] if n_rules > 0 else NULL
        k.rule_codes = codes
        k.rule_ncodes = ncodes
        k.rule_dist = rdist
        k.rule_split = &rule_allow_split[0] if n_rules > 0 else NULL
        k.rule_maxship = &rule_max_shipments[0] if n_rules > 0 else NULL
        k.ols = &order_line_start[0]
        k.lsku = &line_sku[0] if n_lines > 0 else NULL
        k.lqty = &line_qty[0] if n_lines > 0 else NULL
        k.ors = &order_rule_start[0]
        k.orules = &order_rules[0] if order_rules.shape[0] > 0 else NULL
        k.ous = &order_used_start[0]
        k.oused = &order_used_locs[0] if order_used_locs.shape[0] > 0 else NULL
        k.olat = &order_lat[0] if n_orders > 0 else NULL
        k.olon = &order_lon[0] if n_orders > 0 else NULL
        k.oreject = &order_reject[0] if n_orders > 0 else NULL
        k.out_line = &out_line[0] if out_line.shape[0] > 0 else NULL
        k.out_loc = &out_loc[0] if out_loc.shape[0] > 0 else NULL
        k.out_qty = &out_qty[0] if out_qty.shape[0] > 0 else NULL
        k.out_rule = &out_rule[0] if out_rule.shape[0] > 0 else NULL
        k.out_flags = &out_flags[0] if out_flags.shape[0] > 0 else NULL
        k.alloc_end = &order_alloc_end[0] if n_orders > 0 else NULL
        k.rejected = &order_rejected[0] if n_orders > 0 else NULL

        with nogil:
            err = run_kernel(&k, &n_out)
    finally:
        free(codes)
        free(ncodes)
        free(rdist)
        free(k.rem)
        free(k.slot)
        free(k.slot_sku)
        free(k.need)
        free(k.av)
        free(k.used)
        free(k.elig)
        free(k.dist)
        free(k.cand)
        free(k.cfill)
        free(k.cdist)
        free(k.ckey)
    if err == ERR_CAPACITY:
        raise RuntimeError("allocate_batch: out_* capacity exceeded (committed partially updated)")
    if err == ERR_OUT_INDEX:
        raise OverflowError("allocate_batch: more than 2**31-1 allocations (committed partially updated)")
    return n_out
