"""Stock quantities as dense numpy arrays indexed [sku index, location index].

The writer owns one StockTable; the kernels read and update it in place. Capacity grows
by doubling so that indices stay stable and arrays stay C-contiguous for the kernels.
"""
from __future__ import annotations

import numpy as np

DENSE = ("on_hand", "committed", "safety")  # in memory as arrays; incoming is sparse (few levels have any)
sku_capacity_initial = 1024
loc_capacity_initial = 1


def available(on_hand: int, committed: int, safety: int) -> int:
    """What a level can still promise: on hand less committed less safety stock, never below 0."""
    return max(0, on_hand - committed - safety)


def available_array(on_hand: np.ndarray, committed: np.ndarray, safety: np.ndarray) -> np.ndarray:
    """`available` over arrays of levels (int64, so that the subtraction cannot wrap)."""
    return np.maximum(0, on_hand.astype(np.int64) - committed - safety)


def level_view(on_hand: int, committed: int, safety: int, incoming: int) -> dict[str, int]:
    """A level's quantities as events, rules and the API show them."""
    return {"onHand": on_hand, "committed": committed, "available": available(on_hand, committed, safety),
            "safetyStock": safety, "incoming": incoming}


class StockTable:
    def __init__(self) -> None:
        self.n_sku = 0
        self.n_loc = 0
        self.touched: set[tuple[int, int]] = set()  # levels changed by the current command
        self.unstamped: set[tuple[int, int]] = set()  # of those, the ones whose updated_s is due
        self.incoming: dict[int, dict[int, int]] = {}  # sku -> location -> units due on open purchase orders
        self._alloc(sku_capacity_initial, loc_capacity_initial)

    def _alloc(self, sku_cap: int, loc_cap: int) -> None:
        old = {f: getattr(self, f, None) for f in DENSE + ("updated_s",)}
        for name, dtype in [(f, np.int32) for f in DENSE] + [("updated_s", np.uint32)]:
            array = np.zeros((sku_cap, loc_cap), dtype=dtype)
            previous = old[name]
            if previous is not None:
                array[: previous.shape[0], : previous.shape[1]] = previous
            setattr(self, name, array)

    @property
    def shape(self) -> tuple[int, int]:
        return self.on_hand.shape

    def ensure(self, n_sku: int, n_loc: int) -> None:
        sku_cap, loc_cap = self.shape
        if n_sku > sku_cap or n_loc > loc_cap:
            # Rows double (untouched rows cost no memory); columns grow exactly: spare columns
            # would be resident in every row (10 locations in 16 columns: 1.6x the memory).
            self._alloc(_grown(sku_cap, n_sku), max(loc_cap, n_loc))
        self.n_sku = max(self.n_sku, n_sku)
        self.n_loc = max(self.n_loc, n_loc)

    def available(self, s: int, l: int) -> int:
        return available(int(self.on_hand[s, l]), int(self.committed[s, l]), int(self.safety[s, l]))

    def touch(self, s: int, l: int) -> None:
        """A changed level: its event follows the command, its updatedAt is stamped then."""
        self.touched.add((s, l))
        self.unstamped.add((s, l))

    def stamp(self, now_s: int) -> None:
        """updatedAt of every level touched since the last stamp (one numpy assignment: one
        per level cost more than the allocation it followed)."""
        if self.unstamped:
            skus, locs = zip(*self.unstamped)
            self.updated_s[list(skus), list(locs)] = now_s
            self.unstamped.clear()

    def levels(self, keys: list[tuple[int, int]]) -> list[dict[str, int]]:
        """The levels of many (sku, location) at once: one numpy gather per field."""
        skus = np.fromiter((s for s, _ in keys), dtype=np.int64, count=len(keys))
        locs = np.fromiter((l for _, l in keys), dtype=np.int64, count=len(keys))
        on_hand, committed, safety = (getattr(self, f)[skus, locs].tolist() for f in DENSE)
        return [
            level_view(h, c, f, self.incoming_at(s, l))
            for (s, l), h, c, f in zip(keys, on_hand, committed, safety)
        ]

    def incoming_at(self, s: int, l: int) -> int:
        return self.incoming.get(s, {}).get(l, 0)

    def add_incoming(self, s: int, l: int, delta: int) -> None:
        levels = self.incoming.setdefault(s, {})
        levels[l] = levels.get(l, 0) + delta
        if levels[l] == 0:
            del levels[l]
            if not levels:
                del self.incoming[s]


def _grown(capacity: int, needed: int) -> int:
    while capacity < needed:
        capacity *= 2
    return capacity
