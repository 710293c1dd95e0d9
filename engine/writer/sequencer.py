"""The single writer: takes every waiting command, applies them in arrival order, commits
them in ONE LMDB write transaction, and only then answers the callers."""
from __future__ import annotations

import gc
import logging
import queue
import threading
import time
from datetime import datetime, timezone
from concurrent.futures import Future
from typing import Callable

import lmdb

from ..domain import limits
from .answers import Answer, deliver
from .apply import apply_batch
from .collector import collector_paused, freeze_survivors
from ..domain.commands import (
    CreateWebhook, DeleteRule, DeleteWebhook, InstallDefaults, PlaceOrders, SaveRule, SetRoutingPolicy, UpsertChannel, UpsertLocation,
    UpsertProducts,
)
from ..domain.errors import CommitFailed
from ..domain.state import EngineState
from ..storage.loading import load_state
from ..storage.store import Store
from ..storage.tx import WriteTx

log = logging.getLogger("oms.sequencer")
_STOP = object()


# Commands that add to the writer's long-lived state (catalog, policies, rules, webhooks):
# after them the new objects are frozen too (collector.py).
STATE_GROWING = (UpsertProducts, UpsertLocation, UpsertChannel, SetRoutingPolicy, SaveRule, DeleteRule, InstallDefaults,
                 CreateWebhook, DeleteWebhook)


class Overloaded(Exception):
    """The writer's queue is full: the caller should shed the request."""


class ApplyFailed(Exception):
    """A command raised while being applied (before any commit): retry its batch-mates alone."""


class Sequencer:
    def __init__(self, store: Store):
        self.store = store
        self.state = _load(store)
        gc.freeze()  # the state and everything imported so far (collector.py)
        self.listeners: list[Callable[[list[dict], set[int]], None]] = []
        self.commit_observers: list[Callable[[int, float], None]] = []  # (commands, seconds) per commit
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="oms-writer", daemon=True)
        # placing_s / placed_orders over commits holding only placements: the writer's cost per order
        self.stats = {"batches": 0, "commands": 0, "last_batch": 0, "last_commit_ms": 0.0, "placing_s": 0.0, "placed_orders": 0}
        if not self.state.defaults_installed:
            installed: Future = Future()
            self._commit([(InstallDefaults(), installed)])  # before the writer thread exists
            installed.result()
        self._thread.start()

    def _reload(self) -> None:
        """Memory equals disk again; the state it replaces is unfrozen so that it is collected."""
        self.state = None
        gc.unfreeze()
        self.state = _load(self.store)
        freeze_survivors()

    def submit(self, command: object, answer: Answer | None = None) -> Answer:
        """Queues a command; its answer (a new Future unless given) is set after its commit."""
        if self._queue.qsize() >= limits.sequencer_queue_max:
            raise Overloaded(f"more than {limits.sequencer_queue_max} commands waiting")
        answer = Future() if answer is None else answer
        self._queue.put((command, answer))
        return answer

    def depth(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        """Finishes every command already submitted, then stops the writer."""
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            stop = item is _STOP
            batch = [] if stop else [item]
            while len(batch) < limits.sequencer_batch_max:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    continue
                batch.append(item)
            if batch:
                self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list, isolate: bool = True) -> None:
        commands = [command for command, _ in batch]
        started = time.perf_counter()
        try:
            results = self._write(commands)
        except Exception as exc:
            self._reload()
            if isolate and len(batch) > 1 and isinstance(exc, ApplyFailed):
                for item in batch:  # a command that raises must not take its batch-mates down
                    self._commit([item], isolate=False)
                return
            cause = exc.__cause__ if isinstance(exc, ApplyFailed) else exc
            log.error("batch of %d commands failed", len(batch), exc_info=cause)
            failure = CommitFailed(f"not stored: {type(cause).__name__}: {cause}")
            deliver([(answer, failure, True) for _, answer in batch])
            return
        results, events, changed_orders = results
        elapsed_s = time.perf_counter() - started
        self.stats.update(batches=self.stats["batches"] + 1, commands=self.stats["commands"] + len(batch),
                          last_batch=len(batch), last_commit_ms=elapsed_s * 1000)
        if all(type(c) is PlaceOrders for c in commands):
            self.stats["placing_s"] += elapsed_s
            self.stats["placed_orders"] += sum(len(c.orders) for c in commands)
        for observe in self.commit_observers:
            observe(len(batch), elapsed_s)
        if any(isinstance(c, STATE_GROWING) for c in commands):
            freeze_survivors()
        deliver([(answer, result, False) for (_, answer), result in zip(batch, results)])
        for listener in self.listeners:
            try:
                listener(events, changed_orders)
            except Exception:
                log.exception("an event listener failed")

    def _write(self, commands: list) -> list:
        for attempt in range(8):
            txn = self.store.env.begin(write=True)
            tx = WriteTx(self.store, txn, datetime.now(timezone.utc))
            try:
                try:
                    with collector_paused():
                        results = apply_batch(self.state, tx, commands)
                except lmdb.MapFullError:
                    raise
                except Exception as exc:
                    raise ApplyFailed(str(exc)) from exc
                txn.commit()
                return results, tx.events, tx.changed_orders
            except lmdb.MapFullError:
                txn.abort()
                self.store.grow()
                self._reload()
            except BaseException:
                txn.abort()
                raise
        raise CommitFailed("the database map could not grow enough")


def _load(store: Store) -> EngineState:
    with collector_paused():
        return load_state(store)
