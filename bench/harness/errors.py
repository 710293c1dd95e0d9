"""The one exception the harness raises for a run that cannot go on (bad target, setup failed)."""
from __future__ import annotations


class BenchError(Exception):
    """The run cannot continue; the message says why (printed without a traceback)."""
