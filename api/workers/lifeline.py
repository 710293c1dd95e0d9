"""Processes that die with the one that started them (Linux PR_SET_PDEATHSIG): a kill -9 of
the writer process leaves no worker holding the port or its output, and a killed load test
leaves no server. The signal follows the THREAD that started the child: start from the main one."""
from __future__ import annotations

import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def _load_prctl():
    """libc's prctl, loaded before any fork: a child may not import between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        return ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except OSError:
        return None


prctl = _load_prctl()


def sigterm_on_parent_death() -> None:
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def die_with_parent(parent_pid: int) -> None:
    """SIGTERM when `parent_pid` dies; now if it already has (we were re-parented)."""
    sigterm_on_parent_death()
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signal.SIGTERM)
