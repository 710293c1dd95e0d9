"""The durable outbox: emails and webhook deliveries, written in the same commit as the
event that caused them; dispatchers send after commit and report each attempt back."""
from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import datetime, timedelta

from ..domain import limits
from ..domain.messages import EMAIL, WEBHOOK, subject
from ..storage.store import OUTBOX_KEY, u64

if TYPE_CHECKING:
    from ..domain.state import EngineState
    from ..storage.tx import WriteTx

def _due_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _schedule(tx: WriteTx, kind: bytes, seq: int, at: datetime, previous: datetime | None = None) -> None:
    if previous is not None:
        tx.delete("outbox", OUTBOX_KEY.pack(kind, _due_ms(previous), seq))
    tx.put_raw("outbox", OUTBOX_KEY.pack(kind, _due_ms(at), seq), b"")


def queue_email(state: EngineState, tx: WriteTx, template: str, to: str | None, context: dict, order: int | None,
                delay_s: int = 0) -> dict:
    seq = state.next("email")
    due = tx.now + timedelta(seconds=delay_s) if delay_s else tx.now
    due_iso = due.isoformat() if delay_s else tx.now_iso
    record = {
        "seq": seq, "to": to or "", "subject": subject(template, context), "template": template,
        "order": order, "status": "SCHEDULED" if to else "FAILED", "scheduledFor": due_iso,
        "nextAttemptAt": due_iso, "sentAt": None, "attempts": 0,
        "lastError": None if to else "no recipient: give params.to or a customer email", "context": context,
    }
    tx.put("emails", u64(seq), record)
    if to:
        _schedule(tx, EMAIL, seq, due)
    return record


def queue_delivery(state: EngineState, tx: WriteTx, event: dict, url: str, secret: str, webhook: int | None = None,
                   rule: int | None = None, delay_s: int = 0) -> dict:
    seq = state.next("delivery")
    due = tx.now + timedelta(seconds=delay_s)
    record = {
        "seq": seq, "webhook": webhook, "rule": rule, "url": url, "secret": secret, "event": event["seq"],
        "eventType": event["type"], "status": "SCHEDULED", "attempts": 0, "responseStatus": None,
        "lastAttemptAt": None, "lastError": None, "nextAttemptAt": due.isoformat(),
    }
    tx.put("deliveries", u64(seq), record)
    _schedule(tx, WEBHOOK, seq, due)
    return record


def backoff_s(attempts: int) -> int:
    """1 s after the first failed attempt, doubling."""
    return 2 ** (attempts - 1)


def record_attempt(tx: WriteTx, db: str, kind: bytes, record: dict, error: str | None, response_status: int | None = None) -> dict:
    """One send attempt's outcome: SENT, or retried with backoff, or FAILED after the last attempt."""
    previous = datetime.fromisoformat(record["nextAttemptAt"])
    tx.delete("outbox", OUTBOX_KEY.pack(kind, _due_ms(previous), record["seq"]))
    record["attempts"] += 1
    record["lastError"] = error
    if kind == WEBHOOK:
        record.update(responseStatus=response_status, lastAttemptAt=tx.now_iso)
    if error is None:
        record["status"] = "SENT"
        if kind == EMAIL:
            record["sentAt"] = tx.now_iso
    elif record["attempts"] >= limits.delivery_attempts_max:
        record["status"] = "FAILED"
    else:
        due = tx.now + timedelta(seconds=backoff_s(record["attempts"]))
        record["nextAttemptAt"] = due.isoformat()
        _schedule(tx, kind, record["seq"], due)
    tx.put(db, u64(record["seq"]), record)
    return record


def retry_now(tx: WriteTx, db: str, kind: bytes, record: dict) -> dict:
    """Sends again as soon as a dispatcher can, whatever the status, with the same id."""
    previous = datetime.fromisoformat(record["nextAttemptAt"])
    record.update(status="SCHEDULED", nextAttemptAt=tx.now_iso)
    if record["attempts"] >= limits.delivery_attempts_max:
        record["attempts"] = limits.delivery_attempts_max - 1  # one more attempt
    _schedule(tx, kind, record["seq"], tx.now, previous)
    tx.put(db, u64(record["seq"]), record)
    return record
