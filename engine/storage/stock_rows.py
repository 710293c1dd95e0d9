"""Stock as stored: one row per sku, int64 words [on_hand | committed | safety | incoming |
updated_s] over its locations. Rows written before a location was added are narrower."""
from __future__ import annotations

import numpy as np

from ..domain.stock import DENSE, StockTable

FIELDS = ("on_hand", "committed", "safety", "incoming")


def encode_rows(table: StockTable, skus: list[int]) -> list[bytes]:
    """The stored rows of many skus at once (one numpy pass instead of one per sku)."""
    n = table.n_loc
    index = np.asarray(skus, dtype=np.int64)
    block = np.empty((len(skus), (len(FIELDS) + 1) * n), dtype=np.int64)
    for i, f in enumerate(DENSE):
        block[:, i * n : (i + 1) * n] = getattr(table, f)[index, :n]
    block[:, len(DENSE) * n : (len(DENSE) + 1) * n] = 0
    for row, s in enumerate(skus):
        for l, units in table.incoming.get(s, {}).items():
            block[row, len(DENSE) * n + l] = units
    block[:, len(FIELDS) * n :] = table.updated_s[index, :n]
    return [row.tobytes() for row in block]


def load_rows(table: StockTable, rows: list[tuple[bytes, bytes]]) -> None:
    """Stored (u32 sku key, row) pairs into the arrays, one numpy block per row width: rows
    written before a location was added are narrower. (Row by row took seconds at 100k skus.)"""
    widths = {len(raw) for _, raw in rows}
    groups = [rows] if len(widths) == 1 else [[row for row in rows if len(row[1]) == w] for w in widths]
    for group in groups:
        _load_block(table, group)


def _load_block(table: StockTable, rows: list[tuple[bytes, bytes]]) -> None:
    words = len(rows[0][1]) // 8
    n = words // (len(FIELDS) + 1)
    if n == 0:
        return
    skus = np.frombuffer(b"".join(key for key, _ in rows), dtype=">u4").astype(np.int64)
    block = np.frombuffer(b"".join(raw for _, raw in rows), dtype=np.int64).reshape(len(rows), words)
    # keys ascend and are unique: ending at len - 1 means every sku from 0, a slice (no gather)
    at = slice(0, len(skus)) if skus[-1] == len(skus) - 1 else skus
    for i, name in enumerate(DENSE):
        getattr(table, name)[at, :n] = block[:, i * n : (i + 1) * n]
    due = block[:, len(DENSE) * n : (len(DENSE) + 1) * n]
    for row, l in zip(*np.nonzero(due)) if due.any() else ():
        table.incoming.setdefault(int(skus[row]), {})[int(l)] = int(due[row, l])
    table.updated_s[at, :n] = block[:, len(FIELDS) * n :]


def decode_row(raw: bytes) -> dict[str, np.ndarray]:
    """A stored row as {field: int64 array over locations}, for readers."""
    values = np.frombuffer(raw, dtype=np.int64)
    n = len(values) // (len(FIELDS) + 1)
    out = {f: values[i * n : (i + 1) * n] for i, f in enumerate(FIELDS)}
    out["updated_s"] = values[len(FIELDS) * n :]
    return out
