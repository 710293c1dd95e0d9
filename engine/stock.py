"""Stock quantities as dense numpy arrays indexed [sku index, location index].

The writer owns one StockTable; the kernels read and update it in place. Capacity grows
by doubling so that indices stay stable and arrays stay C-contiguous for the kernels.
"""
from __future__ import annotations

import time

import numpy as np

FIELDS = ("on_hand", "committed", "safety", "incoming")  # as stored, one row per sku
DENSE = ("on_hand", "committed", "safety")  # in memory as arrays; incoming is sparse (few levels have any)
sku_capacity_initial = 1024
loc_capacity_initial = 1


class StockTable:
    def __init__(self) -> None:
        self.n_sku = 0
        self.n_loc = 0
        self.touched: set[tuple[int, int]] = set()  # levels changed by the current command
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
        return max(0, int(self.on_hand[s, l]) - int(self.committed[s, l]) - int(self.safety[s, l]))

    def touch(self, s: int, l: int) -> None:
        self.updated_s[s, l] = int(time.time())
        self.touched.add((s, l))

    def levels(self, keys: list[tuple[int, int]]) -> list[dict[str, int]]:
        """The levels of many (sku, location) at once: one numpy gather per field."""
        skus = np.fromiter((s for s, _ in keys), dtype=np.int64, count=len(keys))
        locs = np.fromiter((l for _, l in keys), dtype=np.int64, count=len(keys))
        on_hand, committed, safety = (getattr(self, f)[skus, locs].tolist() for f in DENSE)
        return [
            {"onHand": h, "committed": c, "available": max(0, h - c - f), "safetyStock": f, "incoming": self.incoming_at(s, l)}
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

    def rows_bytes(self, skus: list[int]) -> list[bytes]:
        """The stored rows of many skus at once (one numpy pass instead of one per sku)."""
        n = self.n_loc
        index = np.asarray(skus, dtype=np.int64)
        block = np.empty((len(skus), (len(FIELDS) + 1) * n), dtype=np.int64)
        for i, f in enumerate(DENSE):
            block[:, i * n : (i + 1) * n] = getattr(self, f)[index, :n]
        block[:, len(DENSE) * n : (len(DENSE) + 1) * n] = 0
        for row, s in enumerate(skus):
            for l, units in self.incoming.get(s, {}).items():
                block[row, len(DENSE) * n + l] = units
        block[:, len(FIELDS) * n :] = self.updated_s[index, :n]
        return [row.tobytes() for row in block]

    def load_rows(self, rows: list[tuple[bytes, bytes]]) -> None:
        """Stored (u32 sku key, row) pairs into the arrays, one numpy block per row width: rows
        written before a location was added are narrower. (Row by row took seconds at 100k skus.)"""
        widths = {len(raw) for _, raw in rows}
        groups = [rows] if len(widths) == 1 else [[row for row in rows if len(row[1]) == w] for w in widths]
        for group in groups:
            self._load_block(group)

    def _load_block(self, rows: list[tuple[bytes, bytes]]) -> None:
        words = len(rows[0][1]) // 8
        n = words // (len(FIELDS) + 1)
        if n == 0:
            return
        skus = np.frombuffer(b"".join(key for key, _ in rows), dtype=">u4").astype(np.int64)
        block = np.frombuffer(b"".join(raw for _, raw in rows), dtype=np.int64).reshape(len(rows), words)
        # keys ascend and are unique: ending at len - 1 means every sku from 0, a slice (no gather)
        at = slice(0, len(skus)) if skus[-1] == len(skus) - 1 else skus
        for i, name in enumerate(DENSE):
            getattr(self, name)[at, :n] = block[:, i * n : (i + 1) * n]
        due = block[:, len(DENSE) * n : (len(DENSE) + 1) * n]
        for row, l in zip(*np.nonzero(due)) if due.any() else ():
            self.incoming.setdefault(int(skus[row]), {})[int(l)] = int(due[row, l])
        self.updated_s[at, :n] = block[:, len(FIELDS) * n :]


def decode_row(raw: bytes) -> dict[str, np.ndarray]:
    """A stored row as {field: int64 array over locations}, for readers."""
    values = np.frombuffer(raw, dtype=np.int64)
    n = len(values) // (len(FIELDS) + 1)
    out = {f: values[i * n : (i + 1) * n] for i, f in enumerate(FIELDS)}
    out["updated_s"] = values[len(FIELDS) * n :]
    return out


def _grown(capacity: int, needed: int) -> int:
    while capacity < needed:
        capacity *= 2
    return capacity
