"""What every part of the read side shares: a short read transaction per call, paging."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterator

from ..storage.store import ReadTxn, Store, seq_key, u64


def iso_from_s(seconds: int) -> str | None:
    return datetime.fromtimestamp(int(seconds), timezone.utc).isoformat() if seconds else None


class ReadBase:
    def __init__(self, store: Store):
        self.store = store
        self.sku_names: dict[int, str] = {}  # sku index -> sku: an index never changes once given

    def txn(self) -> ReadTxn:
        return self.store.read()

    def _records(self, db: str, after: int | None, first: int, match: Callable[[dict], bool]) -> tuple[list[dict], bool]:
        with self.txn() as r:
            rows = (r.get(db, k) for k, _ in r.scan(db, start=u64((after or 0) + 1)))
            return page(({**x, "cursor": str(x["seq"])} for x in rows if match(x)), first)


def index_keys(r: ReadTxn, db: str, value: str, start: int) -> Iterator[bytes]:
    prefix = value.encode() + b"\0"
    for key, _ in r.scan(db, prefix, seq_key(value, start)):
        yield key[len(prefix):]


def after_key(cursor: str | None) -> bytes | None:
    return None if cursor is None else cursor.encode() + b"\0"


def page(rows: Iterator[dict], first: int) -> tuple[list[dict], bool]:
    """The first `first` rows, and whether there are more."""
    found = []
    for row in rows:
        if len(found) == first:
            return found, True
        found.append(row)
    return found, False


def locations_in(r: ReadTxn) -> list[dict]:
    return sorted((r.get("locations", k) for k, _ in r.scan("locations")), key=lambda l: l["idx"])
