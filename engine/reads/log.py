"""The event log, automation rules, webhooks, and the outbox's emails and deliveries."""
from __future__ import annotations


from ..storage.event_log import EventReader
from ..storage.store import OUTBOX_KEY, loads, u64
from .base import ReadBase, page


class LogReads(ReadBase):
    def events(self, after: int | None, first: int, types: list[str] | None = None, order: int | None = None,
               channel: str | None = None) -> tuple[list[dict], bool]:
        """The event log in commit order; cursors are sequence numbers."""
        wanted = set(types or ()) or None
        with self.txn() as r:
            start = (after or 0) + 1
            log = EventReader(r)
            rows = log.since(start) if order is None else log.of_order(order, start)
            return page((e for e in rows if (wanted is None or e["type"] in wanted)
                          and (channel is None or e["channel"] == channel)), first)

    def last_event_seq(self) -> int:
        with self.txn() as r:
            return (r.get("meta", b"counters") or {}).get("event", 0)

    def rules(self) -> list[dict]:
        with self.txn() as r:
            rows = [loads(v) for _, v in r.scan("rules")]
        return sorted(rows, key=lambda x: (-x["priority"], x["seq"]))

    def rule(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("rules", u64(seq))

    def webhooks(self) -> list[dict]:
        with self.txn() as r:
            return [loads(v) for _, v in r.scan("webhooks")]

    def webhook(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("webhooks", u64(seq))

    def emails(self, after: int | None, first: int, to: str | None = None, order: int | None = None,
               status: str | None = None) -> tuple[list[dict], bool]:
        return self._records("emails", after, first, lambda e: (to is None or e["to"] == to)
                             and (order is None or e["order"] == order) and (status is None or e["status"] == status))

    def email(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("emails", u64(seq))

    def deliveries(self, after: int | None, first: int, webhook: int | None = None, status: str | None = None) -> tuple[list[dict], bool]:
        return self._records("deliveries", after, first, lambda d: (webhook is None or d["webhook"] == webhook)
                             and (status is None or d["status"] == status))

    def delivery(self, seq: int) -> dict | None:
        with self.txn() as r:
            return r.get("deliveries", u64(seq))

    def event(self, seq: int) -> dict | None:
        with self.txn() as r:
            return EventReader(r).event(seq)

    def due(self, kind: bytes, now_ms: int, limit: int, after: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        """(due ms, sequence) of outbox entries of one kind due by now, oldest first, after `after`."""
        start = None if after is None else OUTBOX_KEY.pack(kind, after[0], after[1] + 1)
        with self.txn() as r:
            found = []
            for key, _ in r.scan("outbox", kind, start):
                _, due, seq = OUTBOX_KEY.unpack(key)
                if due > now_ms or len(found) == limit:
                    break
                found.append((due, seq))
            return found

    def next_due_ms(self, kind: bytes) -> int | None:
        with self.txn() as r:
            for key, _ in r.scan("outbox", kind):
                return OUTBOX_KEY.unpack(key)[1]
        return None

    def outbox_backlog(self) -> int:
        with self.txn() as r:
            return r.txn.stat(self.store.db["outbox"])["entries"]
