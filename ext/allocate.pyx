# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Allocation kernel: assigns order lines to stock locations (engine._allocate).

The semantics are specified by the plain-Python reference model in
tests/reference_allocation.py; this module must stay output-identical to it.
"""
from libc.stdlib cimport malloc, free, qsort
from libc.string cimport memset
from libc.math cimport sin, cos, asin, sqrt, isnan, isfinite, INFINITY, M_PI
from libc.stdint cimport int8_t, uint8_t, int32_t, uint32_t, int64_t, uint64_t

import numpy as np

cdef extern from *:
    """
    #define OMS_I32_MAX ((int64_t)2147483647)
    #define OMS_U32_MAX ((uint64_t)4294967295ULL)
    #define OMS_EARTH_RADIUS_KM 6371.0088
    #define OMS_DEG2RAD (M_PI / 180.0)
    """
    void prefetch "__builtin_prefetch"(const void* p) noexcept nogil
    const int64_t I32_MAX "OMS_I32_MAX"
    const uint64_t U32_MAX "OMS_U32_MAX"
    const double EARTH_RADIUS_KM "OMS_EARTH_RADIUS_KM"
    const double DEG2RAD "OMS_DEG2RAD"    # same double as Python's math.radians factor

cdef enum:
    C_FEWEST = 0
    C_NEAREST = 1
    C_PRIORITY = 2
    C_MOST_STOCK = 3

cdef enum:
    C_FILLS_ALL = 1      # the location could fill every remaining line of the order alone
    C_ALREADY_USED = 2   # the order already shipped from the location when it was chosen

# the same values for Python (engine/kernel/codes.py): one definition
FEWEST_SHIPMENTS = C_FEWEST
NEAREST = C_NEAREST
PRIORITY = C_PRIORITY
MOST_STOCK = C_MOST_STOCK
FLAG_FILLS_ALL = C_FILLS_ALL
FLAG_ALREADY_USED = C_ALREADY_USED

cdef enum:
    ERR_OK = 0
    ERR_CAPACITY = 1
    ERR_OUT_INDEX = 2

cdef enum:
    PREFETCH_ORDERS = 4     # stock rows of order o + PREFETCH_ORDERS are prefetched while o runs
    HASH_MIN_LINES = 12     # orders with more lines find their distinct skus through a hash table


cdef bint _force_generic = False


def _set_force_generic_keys(bint value):
    """Test hook: always use the generic (unpacked) sort-key comparison."""
    global _force_generic
    _force_generic = value


# Sort keys. Normally a candidate's whole key is packed into one uint64, most
# significant field first (fields in the rule's sort order; a repeated code adds
# nothing to a lexicographic compare and is skipped; the location index fills the
# lowest bits), so that candidates compare with a single integer comparison:
#   FEWEST_SHIPMENTS  2 bits   (0 if fills_all else 2) | (0 if used else 1)
#   NEAREST           n bits   dense rank of the distance among the order's locations
#   PRIORITY          p bits   dense rank of loc_priority among all locations
#   MOST_STOCK       32 bits   U32_MAX - avail        (allowSplit; avail < 2**32)
#                  32+m bits   2**(32+m)-1 - sum      (no split; sum of <= max_lines avails)
# (n = bits of n_loc - 1, p = bits of the highest priority rank, m = bits of the
# longest order). When that does not fit in 64 bits, the generic comparison
# (key_less, fill_key) is used instead.
cdef struct RuleLayout:
    int32_t packed
    int32_t sh_fewest       # bit offsets, -1 when the code is absent
    int32_t sh_nearest
    int32_t sh_prio
    int32_t sh_stock
    uint64_t stock_max


cdef struct DistIdx:
    double d
    int32_t l


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
    const int32_t* prio_rank
    const double* loc_lat
    const double* loc_lon
    const uint8_t* rule_loc_ok
    const double* rule_max_km
    const int8_t* rule_codes      # [n_rules, sort_w], validated, -1 padded
    const int32_t* rule_ncodes    # [n_rules]
    const uint8_t* rule_dist      # [n_rules]: rule needs distances (NEAREST or a km limit)
    const RuleLayout* rule_layout # [n_rules]
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
    int32_t* slot_nrem  # [L]  per slot: number of its lines with rem > 0
    int32_t* slot_hpos  # [L]  per slot: its hash table position
    int64_t* need       # [L]  per slot: sum of rem of its lines
    int64_t* av         # [L*N] per slot x location: avail, kept in sync with committed
    int32_t* htab       # [hmask+1] sku hash -> slot, -1 empty
    Py_ssize_t hmask
    int32_t* deficit    # [N]  number of slots whose need the location cannot cover (0 = fills_all)
    uint8_t* used       # [N]
    uint8_t* elig       # [N]
    double* dist        # [N]
    int32_t* drank      # [N]  dense rank of dist
    DistIdx* dsort      # [N]
    int32_t* cand       # [N]
    uint8_t* cfill      # [N]
    uint64_t* pk        # [N]  packed keys
    double* cdist       # [N]  generic keys
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
    a = a if a > 0.0 else 0.0
    a = a if a < 1.0 else 1.0
    return 2.0 * EARTH_RADIUS_KM * asin(sqrt(a))


cdef inline bint key_less(const Kernel* k, const int8_t* codes, int32_t ncodes,
                          Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """Generic keys: candidate a sorts before candidate b (tie-break location)."""
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
    """Generic keys of candidate c (location l)."""
    cdef int32_t i
    cdef int8_t code
    cdef Py_ssize_t w = k.sort_w
    for i in range(ncodes):
        code = codes[i]
        if code == C_FEWEST:
            k.ckey[c * w + i] = (0 if fills else 2) + (0 if k.used[l] else 1)
        elif code == C_PRIORITY:
            k.ckey[c * w + i] = k.loc_prio[l]
        elif code == C_MOST_STOCK:
            k.ckey[c * w + i] = -stock
    k.cdist[c] = k.dist[l]


cdef inline uint64_t packed_key(const Kernel* k, const RuleLayout* lay, Py_ssize_t l, bint fills,
                                uint64_t stock_enc) noexcept nogil:
    cdef uint64_t key = <uint64_t>l
    if lay.sh_fewest >= 0:
        key |= ((<uint64_t>(not fills) << 1) | <uint64_t>(k.used[l] == 0)) << lay.sh_fewest
    if lay.sh_prio >= 0:
        key |= (<uint64_t>k.prio_rank[l]) << lay.sh_prio
    if lay.sh_stock >= 0:
        key |= stock_enc << lay.sh_stock
    if lay.sh_nearest >= 0:
        key |= (<uint64_t>k.drank[l]) << lay.sh_nearest
    return key


cdef void rank_distances(Kernel* k) noexcept nogil:
    """drank[l] = dense rank of dist[l] (equal distances share a rank)."""
    cdef Py_ssize_t N = k.n_loc
    cdef Py_ssize_t i, j
    cdef DistIdx x
    cdef int32_t rank = 0
    for i in range(N):
        k.dsort[i].d = k.dist[i]
        k.dsort[i].l = <int32_t>i
    if N <= 32:
        for i in range(1, N):
            x = k.dsort[i]
            j = i
            while j > 0 and k.dsort[j - 1].d > x.d:
                k.dsort[j] = k.dsort[j - 1]
                j -= 1
            k.dsort[j] = x
    else:
        qsort(k.dsort, N, sizeof(DistIdx), cmp_dist)
    for i in range(N):
        if i > 0 and k.dsort[i].d != k.dsort[i - 1].d:
            rank += 1
        k.drank[k.dsort[i].l] = rank


cdef int cmp_dist(const void* a, const void* b) noexcept nogil:
    cdef double x = (<const DistIdx*>a).d
    cdef double y = (<const DistIdx*>b).d
    return (x > y) - (x < y)


cdef inline void take(Kernel* k, Py_ssize_t sl, Py_ssize_t l, int64_t q) noexcept nogil:
    """Commit q units of slot sl at location l and keep av, need and deficit in sync."""
    cdef Py_ssize_t N = k.n_loc
    cdef int64_t* row = k.av + sl * N
    cdef int32_t* deficit = k.deficit
    cdef int64_t old_need = k.need[sl]
    cdef int64_t new_need = old_need - q
    cdef int64_t a_l = row[l]
    cdef Py_ssize_t i
    cdef int64_t a
    # slot sl stops being a deficit where new_need <= av < old_need; at l itself av drops
    # by q as well, so its state does not change (undo the loop's update there)
    for i in range(N):
        a = row[i]
        deficit[i] -= <int32_t>((a >= new_need) & (a < old_need))
    deficit[l] += <int32_t>((a_l >= new_need) & (a_l < old_need))
    row[l] = a_l - q
    k.need[sl] = new_need
    k.committed[<Py_ssize_t>k.slot_sku[sl] * N + l] += <int32_t>q


cdef inline Py_ssize_t find_slot(Kernel* k, int32_t sku, Py_ssize_t* nslot, bint hashed) noexcept nogil:
    cdef Py_ssize_t s, h
    if hashed:
        h = <Py_ssize_t>((<uint64_t><uint32_t>sku * 0x9E3779B97F4A7C15ULL) >> 32) & k.hmask
        while k.htab[h] >= 0:
            if k.slot_sku[k.htab[h]] == sku:
                return k.htab[h]
            h = (h + 1) & k.hmask
        s = nslot[0]
        k.htab[h] = <int32_t>s
        k.slot_hpos[s] = <int32_t>h
    else:
        s = 0
        while s < nslot[0]:
            if k.slot_sku[s] == sku:
                return s
            s += 1
    k.slot_sku[s] = sku
    k.need[s] = 0
    k.slot_nrem[s] = 0
    nslot[0] = s + 1
    return s


cdef inline Py_ssize_t pick_best(Kernel* k, bint packed, const int8_t* codes, int32_t ncodes,
                                 Py_ssize_t ncand) noexcept nogil:
    cdef Py_ssize_t best = 0
    cdef Py_ssize_t c
    cdef uint64_t bk
    cdef bint lt
    if packed:
        bk = k.pk[0]
        for c in range(1, ncand):
            lt = k.pk[c] < bk
            best = c if lt else best
            bk = k.pk[c] if lt else bk
    else:
        for c in range(1, ncand):
            if key_less(k, codes, ncodes, c, best):
                best = c
    return best


cdef inline void move_cand(Kernel* k, Py_ssize_t dst, Py_ssize_t src, bint packed, int32_t ncodes) noexcept nogil:
    cdef int32_t i
    k.cand[dst] = k.cand[src]
    k.cfill[dst] = k.cfill[src]
    if packed:
        k.pk[dst] = k.pk[src]
    else:
        k.cdist[dst] = k.cdist[src]
        for i in range(ncodes):
            k.ckey[dst * k.sort_w + i] = k.ckey[src * k.sort_w + i]


cdef inline bint emit(Kernel* k, Py_ssize_t* n_out, Py_ssize_t line, Py_ssize_t l, int64_t q,
                      Py_ssize_t r, uint8_t flags) noexcept nogil:
    cdef Py_ssize_t n = n_out[0]
    if n >= k.cap:
        return False
    k.out_line[n] = <int32_t>line
    k.out_loc[n] = <int32_t>l
    k.out_qty[n] = <int32_t>q
    k.out_rule[n] = <int32_t>r
    k.out_flags[n] = flags
    n_out[0] = n + 1
    return True


cdef int run_kernel(Kernel* k, Py_ssize_t* n_out_p) noexcept nogil:
    cdef Py_ssize_t N = k.n_loc
    cdef Py_ssize_t n_out = 0
    cdef Py_ssize_t o, ls, nl, j, l, s, nslot, ri, r, order_start, i, c, ncand, best
    cdef Py_ssize_t n_used, idx, sl
    cdef int64_t q, a, stock
    cdef int64_t* row
    cdef int32_t sku, maxs, ncodes
    cdef Py_ssize_t nrem
    cdef bint dist_ready, rank_ready, f, u, hashed, packed, open_ok, lt
    cdef double mk
    cdef const int8_t* codes
    cdef const RuleLayout* lay
    cdef uint8_t flags
    cdef uint64_t key, best_key
    # hot pointers as locals: stores through int64_t* could alias the Kernel's
    # Py_ssize_t fields, which would make GCC reload every k.field after each store
    cdef uint8_t* elig = k.elig
    cdef uint8_t* used = k.used
    cdef int32_t* deficit = k.deficit
    cdef const int32_t* prank = k.prio_rank
    cdef const int32_t* drank = k.drank
    cdef int32_t* cand = k.cand
    cdef uint8_t* cfill = k.cfill
    cdef uint64_t* pk = k.pk
    cdef int64_t* av = k.av
    cdef int sh_f, sh_p, sh_s, sh_n
    cdef const int32_t* oh
    cdef const int32_t* cm
    cdef const int32_t* sf
    cdef int64_t c64, nd

    # The stock rows of order o + PREFETCH_ORDERS are prefetched while order o runs.
    # (Written inline on purpose: GCC deletes calls to a helper whose only effect is
    # __builtin_prefetch, as it considers such a function side-effect free.)
    cdef Py_ssize_t pf = 0          # next line whose rows get prefetched
    cdef Py_ssize_t pf_end, base
    for o in range(k.n_orders):
        pf_end = k.ols[o + PREFETCH_ORDERS + 1] if o + PREFETCH_ORDERS < k.n_orders else k.ols[k.n_orders]
        while pf < pf_end:
            base = <Py_ssize_t>k.lsku[pf] * N
            prefetch(k.on_hand + base)
            prefetch(k.committed + base)
            prefetch(k.safety + base)
            prefetch(k.on_hand + base + N - 1)
            prefetch(k.committed + base + N - 1)
            prefetch(k.safety + base + N - 1)
            pf += 1
        order_start = n_out
        ls = k.ols[o]
        nl = k.ols[o + 1] - ls
        k.rejected[o] = 0
        if nl == 0:
            k.alloc_end[o] = <int32_t>n_out
            continue

        # distinct skus of the order -> slots; rem, need; av and deficit per slot x location
        nslot = 0
        hashed = nl > HASH_MIN_LINES
        for j in range(nl):
            s = find_slot(k, k.lsku[ls + j], &nslot, hashed)
            k.slot[j] = <int32_t>s
            k.rem[j] = k.lqty[ls + j]
            k.need[s] += k.rem[j]
            k.slot_nrem[s] += 1
        nrem = nl
        if hashed:
            for s in range(nslot):
                k.htab[k.slot_hpos[s]] = -1
        memset(deficit, 0, N * sizeof(int32_t))
        for s in range(nslot):
            idx = <Py_ssize_t>k.slot_sku[s] * N
            oh = k.on_hand + idx
            cm = k.committed + idx
            sf = k.safety + idx
            row = av + s * N
            nd = k.need[s]
            for l in range(N):
                c64 = cm[l]
                a = <int64_t>oh[l] - c64 - <int64_t>sf[l]
                if a > I32_MAX - c64:   # so that committed stays within int32
                    a = I32_MAX - c64
                if a < 0:
                    a = 0
                row[l] = a
                deficit[l] += <int32_t>(a < nd)

        memset(k.used, 0, N)
        n_used = 0
        for i in range(k.ous[o], k.ous[o + 1]):
            l = k.oused[i]
            if not k.used[l]:
                k.used[l] = 1
                n_used += 1
        dist_ready = False
        rank_ready = False

        for ri in range(k.ors[o], k.ors[o + 1]):
            if nrem == 0:
                break
            r = k.orules[ri]
            codes = k.rule_codes + r * k.sort_w
            ncodes = k.rule_ncodes[r]
            lay = k.rule_layout + r
            packed = lay.packed
            sh_f = lay.sh_fewest
            sh_p = lay.sh_prio
            sh_s = lay.sh_stock
            sh_n = lay.sh_nearest
            maxs = k.rule_maxship[r]
            mk = k.rule_max_km[r]
            if k.rule_dist[r] and not dist_ready:
                for l in range(N):
                    k.dist[l] = haversine_km(k.olat[o], k.olon[o], k.loc_lat[l], k.loc_lon[l])
                dist_ready = True
            if packed and lay.sh_nearest >= 0 and not rank_ready:
                rank_distances(k)
                rank_ready = True
            if isnan(mk):
                for l in range(N):
                    k.elig[l] = k.rule_loc_ok[r * N + l] == 1
            else:
                for l in range(N):
                    k.elig[l] = k.rule_loc_ok[r * N + l] == 1 and k.dist[l] != INFINITY and k.dist[l] <= mk

            if k.rule_split[r]:
                for j in range(nl):
                    if k.rem[j] <= 0:
                        continue
                    sl = k.slot[j]
                    row = k.av + sl * N
                    # key every candidate once, at line start
                    open_ok = maxs == 0 or n_used < maxs
                    ncand = 0
                    best = -1
                    best_key = 0xFFFFFFFFFFFFFFFFULL
                    if packed:
                        # packed_key() written out, with the rule's shifts in registers
                        for l in range(N):
                            if not elig[l] or not (open_ok or used[l]):
                                continue
                            a = row[l]
                            if a <= 0:
                                continue
                            f = deficit[l] == 0
                            key = <uint64_t>l
                            if sh_f >= 0:
                                key |= ((<uint64_t>(not f) << 1) | <uint64_t>(used[l] == 0)) << sh_f
                            if sh_p >= 0:
                                key |= (<uint64_t>prank[l]) << sh_p
                            if sh_s >= 0:
                                key |= (U32_MAX - <uint64_t>a) << sh_s
                            if sh_n >= 0:
                                key |= (<uint64_t>drank[l]) << sh_n
                            cand[ncand] = <int32_t>l
                            cfill[ncand] = f
                            pk[ncand] = key
                            lt = key < best_key      # branch-free running minimum (cmov)
                            best = ncand if lt else best
                            best_key = key if lt else best_key
                            ncand += 1
                    else:
                        for l in range(N):
                            if not elig[l] or not (open_ok or used[l]):
                                continue
                            a = row[l]
                            if a <= 0:
                                continue
                            f = deficit[l] == 0
                            cand[ncand] = <int32_t>l
                            cfill[ncand] = f
                            fill_key(k, codes, ncodes, ncand, l, f, a)
                            ncand += 1
                    # walk the candidates in key order (successive minimum selection)
                    while k.rem[j] > 0 and ncand > 0:
                        if best < 0:
                            best = pick_best(k, packed, codes, ncodes, ncand)
                        l = k.cand[best]
                        f = k.cfill[best]
                        ncand -= 1
                        if best != ncand:
                            move_cand(k, best, ncand, packed, ncodes)
                        best = -1
                        if maxs != 0 and not k.used[l] and n_used >= maxs:
                            continue
                        a = row[l]
                        q = k.rem[j] if k.rem[j] < a else a
                        if q <= 0:
                            continue
                        flags = (C_FILLS_ALL if f else 0) | (C_ALREADY_USED if k.used[l] else 0)
                        if not emit(k, &n_out, ls + j, l, q, r, flags):
                            return ERR_CAPACITY
                        take(k, sl, l, q)
                        k.rem[j] -= q
                        if k.rem[j] == 0:
                            nrem -= 1
                            k.slot_nrem[sl] -= 1
                        if not k.used[l]:
                            k.used[l] = 1
                            n_used += 1
            else:
                # one location must take every remaining line
                best = -1
                for l in range(N):
                    if not k.elig[l] or k.deficit[l] != 0:
                        continue
                    if maxs != 0 and not k.used[l] and n_used >= maxs:
                        continue
                    stock = 0
                    if lay.sh_stock >= 0 or not packed:
                        for s in range(nslot):
                            stock += k.slot_nrem[s] * k.av[s * N + l]
                    if packed:
                        key = packed_key(k, lay, l, True, lay.stock_max - <uint64_t>stock)
                        if best < 0 or key < best_key:
                            best_key = key
                            best = l
                    else:
                        c = 0 if best < 0 else 1
                        k.cand[c] = <int32_t>l
                        fill_key(k, codes, ncodes, c, l, True, stock)
                        if best < 0 or key_less(k, codes, ncodes, 1, 0):
                            move_cand(k, 0, c, False, ncodes)
                            best = l
                if best >= 0:
                    l = best
                    u = k.used[l]
                    flags = C_FILLS_ALL | (C_ALREADY_USED if u else 0)
                    for j in range(nl):
                        if k.rem[j] <= 0:
                            continue
                        q = k.rem[j]
                        if not emit(k, &n_out, ls + j, l, q, r, flags):
                            return ERR_CAPACITY
                        take(k, k.slot[j], l, q)
                        k.rem[j] = 0
                        k.slot_nrem[k.slot[j]] -= 1
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


cdef int bit_length(uint64_t v) noexcept:
    cdef int n = 0
    while v:
        n += 1
        v >>= 1
    return n


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

    # sort codes -> generic tables and packed-key layouts
    cdef Py_ssize_t w = sort_w if sort_w > 0 else 1
    cdef Py_ssize_t nr = n_rules if n_rules > 0 else 1
    cdef int8_t[:, ::1] codes = np.full((nr, w), -1, dtype=np.int8)
    cdef int32_t[::1] ncodes = np.zeros(nr, dtype=np.int32)
    cdef uint8_t[::1] rdist = np.zeros(nr, dtype=np.uint8)
    cdef RuleLayout[::1] layouts
    cdef int32_t[::1] prio_rank = np.ascontiguousarray(
        np.unique(np.asarray(loc_priority), return_inverse=True)[1].reshape(-1), dtype=np.int32)
    cdef int lbits = bit_length(<uint64_t>(n_loc - 1)) if n_loc > 1 else 0
    cdef int pbits = bit_length(<uint64_t>np.max(prio_rank)) if n_loc > 0 else 0
    cdef int mbits = bit_length(<uint64_t>max_lines)
    cdef int width, total, pos
    cdef int widths[4]
    cdef int order_of[4]
    cdef int ndistinct
    cdef RuleLayout* lay
    layout_buf = np.zeros(nr * sizeof(RuleLayout), dtype=np.uint8)
    layouts = <RuleLayout[:nr]><RuleLayout*><size_t>layout_buf.ctypes.data
    for r in range(n_rules):
        ncodes[r] = <int32_t>sort_w
        rdist[r] = not isnan(rule_max_km[r])
        for j in range(sort_w):
            code = rule_sorts[r, j]
            if code == -1:
                ncodes[r] = <int32_t>j
                break
            if code < 0 or code > 3:
                raise ValueError(f"rule_sorts[{r}, {j}] = {code}: expected 0..3 or -1")
            codes[r, j] = code
            if code == C_NEAREST:
                rdist[r] = 1
        lay = &layouts[r]
        lay.sh_fewest = lay.sh_nearest = lay.sh_prio = lay.sh_stock = -1
        widths[C_FEWEST] = 2
        widths[C_NEAREST] = lbits
        widths[C_PRIORITY] = pbits
        widths[C_MOST_STOCK] = 32 if rule_allow_split[r] else 32 + mbits
        total = lbits
        ndistinct = 0
        for j in range(ncodes[r]):
            code = codes[r, j]
            for i in range(ndistinct):
                if order_of[i] == code:
                    break
            else:
                order_of[ndistinct] = code
                ndistinct += 1
                total += widths[code]
        lay.packed = total <= 64 and not _force_generic
        lay.stock_max = (1ULL << widths[C_MOST_STOCK]) - 1 if widths[C_MOST_STOCK] <= 63 else 0
        pos = total
        for i in range(ndistinct):
            pos -= widths[order_of[i]]
            if order_of[i] == C_FEWEST:
                lay.sh_fewest = pos
            elif order_of[i] == C_NEAREST:
                lay.sh_nearest = pos
            elif order_of[i] == C_PRIORITY:
                lay.sh_prio = pos
            else:
                lay.sh_stock = pos

    # scratch
    cdef Py_ssize_t L = max_lines if max_lines > 0 else 1
    cdef Py_ssize_t N = n_loc if n_loc > 0 else 1
    cdef Py_ssize_t H = 1
    if L > HASH_MIN_LINES:
        while H < 2 * L:
            H *= 2
    cdef Kernel k
    cdef int err = ERR_OK
    cdef Py_ssize_t n_out = 0
    cdef void* bufs[24]
    cdef int nbufs = 0
    memset(bufs, 0, sizeof(bufs))
    try:
        k.rem = <int64_t*>_alloc(bufs, &nbufs, L * sizeof(int64_t))
        k.slot = <int32_t*>_alloc(bufs, &nbufs, L * sizeof(int32_t))
        k.slot_sku = <int32_t*>_alloc(bufs, &nbufs, L * sizeof(int32_t))
        k.slot_nrem = <int32_t*>_alloc(bufs, &nbufs, L * sizeof(int32_t))
        k.slot_hpos = <int32_t*>_alloc(bufs, &nbufs, L * sizeof(int32_t))
        k.need = <int64_t*>_alloc(bufs, &nbufs, L * sizeof(int64_t))
        k.av = <int64_t*>_alloc(bufs, &nbufs, L * N * sizeof(int64_t))
        k.htab = <int32_t*>_alloc(bufs, &nbufs, H * sizeof(int32_t))
        k.deficit = <int32_t*>_alloc(bufs, &nbufs, N * sizeof(int32_t))
        k.used = <uint8_t*>_alloc(bufs, &nbufs, N)
        k.elig = <uint8_t*>_alloc(bufs, &nbufs, N)
        k.dist = <double*>_alloc(bufs, &nbufs, N * sizeof(double))
        k.drank = <int32_t*>_alloc(bufs, &nbufs, N * sizeof(int32_t))
        k.dsort = <DistIdx*>_alloc(bufs, &nbufs, N * sizeof(DistIdx))
        k.cand = <int32_t*>_alloc(bufs, &nbufs, N * sizeof(int32_t))
        k.cfill = <uint8_t*>_alloc(bufs, &nbufs, N)
        k.pk = <uint64_t*>_alloc(bufs, &nbufs, N * sizeof(uint64_t))
        k.cdist = <double*>_alloc(bufs, &nbufs, N * sizeof(double))
        k.ckey = <int64_t*>_alloc(bufs, &nbufs, N * w * sizeof(int64_t))
        memset(k.htab, 0xFF, H * sizeof(int32_t))
        k.hmask = H - 1
        for i in range(N):
            k.dist[i] = INFINITY
            k.drank[i] = 0

        k.n_loc = n_loc
        k.n_orders = n_orders
        k.cap = cap
        k.sort_w = w
        k.on_hand = &on_hand[0, 0] if n_sku * n_loc > 0 else NULL
        k.committed = &committed[0, 0] if n_sku * n_loc > 0 else NULL
        k.safety = &safety[0, 0] if n_sku * n_loc > 0 else NULL
        k.loc_prio = &loc_priority[0] if n_loc > 0 else NULL
        k.prio_rank = &prio_rank[0] if n_loc > 0 else NULL
        k.loc_lat = &loc_lat[0] if n_loc > 0 else NULL
        k.loc_lon = &loc_lon[0] if n_loc > 0 else NULL
        k.rule_loc_ok = &rule_loc_ok[0, 0] if n_rules * n_loc > 0 else NULL
        k.rule_max_km = &rule_max_km[0] if n_rules > 0 else NULL
        k.rule_codes = &codes[0, 0]
        k.rule_ncodes = &ncodes[0]
        k.rule_dist = &rdist[0]
        k.rule_layout = &layouts[0]
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
        for i in range(nbufs):
            free(bufs[i])
    if err == ERR_CAPACITY:
        raise RuntimeError("allocate_batch: out_* capacity exceeded (committed partially updated)")
    if err == ERR_OUT_INDEX:
        raise OverflowError("allocate_batch: more than 2**31-1 allocations (committed partially updated)")
    return n_out


cdef void* _alloc(void** bufs, int* nbufs, size_t size) except NULL:
    cdef void* p = malloc(size if size > 0 else 1)
    if p == NULL:
        raise MemoryError()
    bufs[nbufs[0]] = p
    nbufs[0] += 1
    return p
