"""When Python's cyclic garbage collector runs in the engine.

The writer's state (catalog, stock, queues) lives as long as the process: full collections
walked it for nothing (28% of placement time, in 100-140 ms pauses, at 20k skus), so it is
frozen out of them. A batch, and a load at start, keep what they build alive to their end
(refcounting frees it then): collecting inside them only walked and promoted it."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside; cycles made meanwhile wait for the next one after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def freeze_survivors() -> None:
    """Collects what is not frozen yet (small, once the rest is), then freezes what survives:
    no garbage is ever frozen."""
    gc.collect()
    gc.freeze()
