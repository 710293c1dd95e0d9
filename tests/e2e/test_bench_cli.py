"""`oms bench` end to end: every scenario runs for about 2 s with small parameters through
`python -m bench.cli` (its own server on a temporary directory), writes --json, and its
correctness check passes; the server and the directory are gone afterwards, also after
Ctrl-C; --url/--no-setup drive a server someone else started."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

run_timeout_s = 120  # a loaded CI machine runs setup, load and checks slower
small = ["--duration", "2", "--concurrency", "4", "--skus", "50"]
SCENARIOS = {
    "place": small,
    "place-batch": [*small, "--batch", "50"],
    "hot-sku": small,
    "mixed": [*small, "--read-ratio", "0.5"],
    "fanout": [*small, "--subscribers", "5", "--rate", "25"],
    "recovery": [*small, "--orders", "2000"],
}
UNITS = {"fanout": "deliveries/s", "mixed": "operations/s"}


def bench_command(args: list[str], json_path: Path) -> list[str]:
    return [sys.executable, "-m", "bench.cli", *args, "--json", str(json_path)]


def bench(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess, dict | None]:
    out = tmp_path / "result.json"
    out.unlink(missing_ok=True)
    done = subprocess.run(bench_command(args, out), cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=run_timeout_s)
    return done, (json.loads(out.read_text()) if out.exists() else None)


def server_dir(stderr: str) -> Path | None:
    found = re.search(r"starting a server on (\S+) \.\.\.", stderr)
    return Path(found.group(1)) if found else None


def assert_result_shape(result: dict, scenario: str) -> None:
    assert result["scenario"] == scenario
    assert result["duration_s"] > 0 and result["operations"] > 0
    assert result["throughput_per_s"] == pytest.approx(result["operations"] / result["duration_s"], rel=0.01)
    assert result["unit"] == UNITS.get(scenario, "orders/s")
    latency = result["latency_ms"]
    assert set(latency) == {"p50", "p95", "p99", "max"}
    assert 0 <= latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert isinstance(result["errors"], int)
    assert set(result["check"]) == {"name", "passed", "detail"}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_scenario_runs_and_its_check_passes(scenario, tmp_path):
    done, result = bench([scenario, *SCENARIOS[scenario]], tmp_path)

    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert result is not None
    assert_result_shape(result, scenario)
    assert result["check"]["passed"] is True, result["check"]
    assert result["errors"] == 0, result["error_kinds"]
    assert "throughput" in done.stdout and "p99" in done.stdout and result["check"]["name"] in done.stdout
    assert "(mean)" in done.stderr  # the progress bar's last state
    assert "server metrics: not available" in done.stdout or "the server's view" in done.stdout
    directory = server_dir(done.stderr)
    assert directory is not None and not directory.exists(), "the temporary data directory was not deleted"
    if scenario in ("place", "place-batch", "hot-sku"):  # the writer's own cost, from GET /metrics
        assert 0 < result["extra"]["writer_us_per_order"] < 1e6 and "writer us per order" in done.stdout
    if scenario == "hot-sku":
        assert result["extra"]["units_allocated_this_run"] == result["extra"]["hot_units_in_stock"]
        assert result["expected_refusals"] > 0  # the REJECT channel refused once the stock ran out
    if scenario == "fanout":
        assert result["operations"] == result["extra"]["events"] * 5
    if scenario == "recovery":
        assert len(result["extra"]["ready_ms"]) == 3 and result["extra"]["orders_stored"] == 2000


def test_ctrl_c_stops_the_server_and_deletes_its_directory(tmp_path):
    # as a terminal's foreground job: a suite run as a background job (CI scripts, `&`) hands its
    # children SIGINT ignored, and Python then installs no KeyboardInterrupt for it
    proc = subprocess.Popen([sys.executable, "-m", "bench.cli", "place", "--duration", "60", "--concurrency", "2",
                             "--skus", "20"], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        stderr = ""
        deadline = time.monotonic() + 30
        while "place " not in stderr and time.monotonic() < deadline:  # the progress bar: the load is on
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                break
            stderr += chunk.decode(errors="replace")
        directory = server_dir(stderr)
        assert directory is not None and directory.exists()
        proc.send_signal(signal.SIGINT)
        out, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 130, rest[-2000:]
    assert not directory.exists()


def test_drives_a_running_server_and_reuses_its_data_with_no_setup(server, tmp_path):
    target = ["--url", server.base_url, "--token", server.token, "--duration", "1", "--concurrency", "2", "--skus", "30"]
    done, first = bench(["place", *target], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert first["check"]["passed"] is True and "starting a server" not in done.stderr

    done, again = bench(["hot-sku", *target, "--no-setup"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert again["check"]["passed"] is True and "setup:" not in done.stderr

    done, _ = bench(["place", *target[:-2], "--skus", "31", "--no-setup"], tmp_path)
    assert done.returncode == 2 and "run once without --no-setup first" in done.stderr


def test_recovery_keeps_its_data_dir_and_a_second_run_only_times_restarts(tmp_path):
    kept = tmp_path / "kept"
    args = ["recovery", *small, "--orders", "1000", "--data-dir", str(kept)]
    done, first = bench(args, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (kept / "data" / "data.mdb").exists() and (kept / "recovery.json").exists()

    done, again = bench([*args, "--restarts", "2"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "reusing" in done.stderr and "setup:" not in done.stderr and "orders/s" not in done.stderr  # no fill
    assert again["check"]["passed"] is True and again["extra"]["fill_reused"] is True
    assert len(again["extra"]["ready_ms"]) == 2 and again["extra"]["orders_stored"] == first["extra"]["orders_stored"] == 1000
    assert kept.exists()
