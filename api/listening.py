"""How `oms serve` names the address it listens on, and why it could not."""
from __future__ import annotations

import errno
import os


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def listen_failure(host: str, port: int, exc: OSError) -> str:
    reason = os.strerror(exc.errno) if exc.errno and exc.errno > 0 else exc.strerror or str(exc)  # < 0: getaddrinfo's
    advice = "; choose another port with --port" if exc.errno == errno.EADDRINUSE else ""
    # "address already in use": tests/e2e/conftest.py and bench/harness/server.py then retry another port
    return f"cannot listen on {address(host, port)}: {reason.lower()}{advice}"
