"""The `oms` command line itself: a busy port, the moment it announces it is serving, --help."""
from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.harness.scenarios import SCENARIOS

from .conftest import PROJECT_ROOT, free_port, ready_timeout_s, stop_timeout_s


def _env() -> dict:
    return {**os.environ, "OMS_ADMIN_TOKEN": secrets.token_urlsafe(16), "PYTHONUNBUFFERED": "1"}


def _oms(*args: str) -> list[str]:
    return [sys.executable, "-m", "api.cli", *args]


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_1(tmp_path: Path):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(_oms("serve", "--data-dir", str(tmp_path / "data"), "--port", str(port)),
                              cwd=PROJECT_ROOT, env=_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=ready_timeout_s)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    assert "serving" not in output.lower(), output  # it never listened
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output  # no log lines, no warnings: just the reason
    assert lines[0] in done.stderr, output
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0] and "--port" in lines[0], lines
    # the harnesses (tests/e2e/conftest.py, bench/harness/server.py) retry another port on this phrase
    assert "address already in use" in lines[0].lower()


def test_serve_on_data_of_a_newer_format_says_so_in_one_line_and_exits_1(tmp_path: Path):
    from engine import Engine
    from engine.storage.migration import FORMAT, FORMAT_KEY
    from engine.storage.store import dumps

    with Engine.open(tmp_path / "data") as engine:  # given a data directory a later release wrote
        with engine.store.env.begin(write=True) as txn:
            txn.put(FORMAT_KEY, dumps(FORMAT + 1), db=engine.store.db["meta"])
    done = subprocess.run(_oms("serve", "--data-dir", str(tmp_path / "data"), "--port", str(free_port())),
                          cwd=PROJECT_ROOT, env=_env(), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=ready_timeout_s)
    output = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines == [f"oms serve: {tmp_path / 'data'} holds data format {FORMAT + 1}, newer than this release reads "
                     f"({FORMAT}): run the release that wrote it, or a newer one"], output

def test_serve_listens_when_it_says_it_serves(tmp_path: Path):
    port = free_port()
    proc = subprocess.Popen(_oms("serve", "--data-dir", str(tmp_path / "data"), "--port", str(port)),
                            cwd=PROJECT_ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + ready_timeout_s
        seen = []
        for line in proc.stdout:  # the server only ever prints a line or two: the pipe cannot fill
            seen.append(line)
            if "serving" in line:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass  # connected at once: it was listening before it said so
                assert f"http://127.0.0.1:{port}/graphql" in line, line
                break
            assert time.monotonic() < deadline, seen
        else:
            pytest.fail(f"exited with {proc.wait()} without announcing: {seen}")
        proc.terminate()
        assert proc.wait(stop_timeout_s) == 0  # SIGTERM is a graceful stop
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()


def _option_blocks(help_text: str) -> dict[str, str]:
    """{'--flag': its whole block (the flag line and its indented continuation)} of the options section."""
    blocks: dict[str, str] = {}
    current = None
    for line in help_text.splitlines():
        match = re.match(r"^  (-\w, )?(--[\w-]+)", line)
        if match:
            current = match.group(2)
            blocks[current] = line
        elif current is not None and line.startswith("    "):
            blocks[current] += " " + line.strip()
        else:
            current = None
    return blocks


def _boolean_flags(help_text: str) -> set[str]:
    """Flags that take no value: `--flag` followed directly by two spaces, end of line or a comma."""
    return {m.group(1) for m in re.finditer(r"^  (?:-\w, )?(--[\w-]+)(?=  |$)", help_text, re.M)}


@pytest.mark.parametrize("command", [("serve",)] + [("bench", name) for name in sorted(SCENARIOS)],
                         ids=lambda c: " ".join(c))
def test_every_option_has_help_and_its_default(command):
    done = subprocess.run(_oms(*command, "--help"), cwd=PROJECT_ROOT, env=_env(), capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    blocks = _option_blocks(done.stdout)
    assert len(blocks) > 2, done.stdout
    flags_without_value = _boolean_flags(done.stdout)
    for flag, block in blocks.items():
        if flag == "--help":
            continue
        text = re.sub(r"^\s*(-\w, )?--[\w-]+( [A-Z_]+)?", "", block).strip()
        assert text, f"{flag} has no help text:\n{done.stdout}"
        if flag not in flags_without_value:
            assert "default" in block.lower(), f"{flag} shows no default:\n{block}"
