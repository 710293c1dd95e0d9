"""Delivers the outbox after commit: every due email and webhook delivery, concurrently
within bounds, reporting each attempt back to the engine (which schedules retries)."""
from __future__ import annotations

import asyncio
import logging
import time

import aiohttp

from engine import Engine
from engine.domain.commands import DeliveryAttempt, EmailAttempt
from engine.domain.messages import EMAIL, WEBHOOK

from . import email, webhooks

log = logging.getLogger("oms.dispatch")
due_scan_items_max = 500
idle_poll_s = 1.0
concurrent_webhooks_max = 32
concurrent_emails_max = 4


class Dispatcher:
    def __init__(self, engine: Engine, smtp: email.SmtpConfig | None):
        self.engine = engine
        self.smtp = smtp
        self.wake = asyncio.Event()
        self.inflight: set[tuple[bytes, int]] = set()
        self.limits = {WEBHOOK: asyncio.Semaphore(concurrent_webhooks_max), EMAIL: asyncio.Semaphore(concurrent_emails_max)}
        self.tasks: set[asyncio.Task] = set()

    def poke(self, events: list[dict] | None = None) -> None:
        self.wake.set()

    async def run(self) -> None:
        async with aiohttp.ClientSession() as http:
            self.http = http
            while True:
                try:
                    self._start_due()
                except Exception:
                    log.exception("scanning the outbox failed")
                try:
                    await asyncio.wait_for(self.wake.wait(), idle_poll_s)
                except asyncio.TimeoutError:
                    pass
                self.wake.clear()

    def _start_due(self) -> None:
        now_ms = int(time.time() * 1000)
        read = self.engine.read
        for kind in (WEBHOOK, EMAIL) if self.smtp else (WEBHOOK,):
            for _, seq in read.due(kind, now_ms, due_scan_items_max):
                if (kind, seq) in self.inflight:
                    continue
                self.inflight.add((kind, seq))
                task = asyncio.create_task(self._attempt(kind, seq))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    async def _attempt(self, kind: bytes, seq: int) -> None:
        try:
            async with self.limits[kind]:
                report = await (self._webhook(seq) if kind == WEBHOOK else self._email(seq))
            if report is not None:
                await self.engine.run(report)
        except Exception:
            log.exception("delivering %s %d failed", kind.decode(), seq)
        finally:
            self.inflight.discard((kind, seq))
            self.wake.set()

    async def _webhook(self, seq: int) -> DeliveryAttempt | None:
        delivery = self.engine.read.delivery(seq)
        if delivery is None or delivery["status"] != "SCHEDULED":
            return None
        if delivery["webhook"] is not None and self.engine.read.webhook(delivery["webhook"]) is None:
            return DeliveryAttempt(seq, None, "the webhook was deleted")
        status, error = await webhooks.deliver(self.http, delivery, self.engine.read.event(delivery["event"]))
        return DeliveryAttempt(seq, status, error)

    async def _email(self, seq: int) -> EmailAttempt | None:
        record = self.engine.read.email(seq)
        if record is None or record["status"] != "SCHEDULED":
            return None
        try:
            await email.send(self.smtp, record)
        except Exception as exc:  # aiosmtplib raises SMTPException and OSError subclasses alike
            return EmailAttempt(seq, f"{type(exc).__name__}: {exc}"[:500])
        return EmailAttempt(seq)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
