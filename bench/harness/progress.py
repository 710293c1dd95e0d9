"""A one-line progress bar on stderr (`\\r`, no dependency): elapsed time, operations and
the current rate (over the last second), against a duration or an operation total."""
from __future__ import annotations

import asyncio
import sys
import time
from collections import deque
from typing import Callable

refresh_s = 0.25
bar_width = 24


class Progress:
    def __init__(self, label: str, count: Callable[[], int], unit: str = "ops",
                 duration_s: float | None = None, total: int | None = None, stream=None):
        self.label = label
        self.count = count
        self.unit = unit
        self.duration_s = duration_s
        self.total = total
        self.stream = stream or sys.stderr
        self.started = 0.0
        self.samples: deque[tuple[float, int]] = deque()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> "Progress":
        self.started = time.perf_counter()
        self._task = asyncio.create_task(self._refresh())
        return self

    async def __aexit__(self, *exc) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self.render(final=True)
        self.stream.write("\n")
        self.stream.flush()

    async def _refresh(self) -> None:
        while True:
            self.render()
            await asyncio.sleep(refresh_s)

    def render(self, final: bool = False) -> None:
        now = time.perf_counter()
        elapsed, done = now - self.started, self.count()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > 1.0:
            self.samples.popleft()
        then, before = self.samples[0]
        rate = (done - before) / (now - then) if now - then > 0.05 else 0.0
        if final:
            rate = done / elapsed if elapsed > 0 else 0.0
        if self.total:
            fraction = done / self.total
        elif self.duration_s:
            fraction = elapsed / self.duration_s
        else:
            fraction = 0.0
        filled = int(bar_width * min(1.0, max(0.0, fraction)))
        bar = "#" * filled + "." * (bar_width - filled)
        self.stream.write(f"\r{self.label:<12} [{bar}] {elapsed:6.1f} s  {done:>10,} {self.unit}  "
                          f"{rate:>10,.0f} {self.unit}/s{' (mean)' if final else '       '}")
        self.stream.flush()
