"""The README's Tour runs as written: its shell blocks, in order, in one bash, against a real
server started by its own first block (on a free port and a temporary directory)."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT, free_port

pytestmark = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="the Tour needs curl and jq")

tour_timeout_s = 120
# Every answer the Tour's gql helper receives is appended to $TOUR_ANSWERS, one JSON per line.
RECORD_ANSWERS = """
eval "readme_$(declare -f gql)"
gql() { readme_gql "$@"; printf '%s\\n' "$ANSWER" >> "$TOUR_ANSWERS"; }
"""


def tour_blocks() -> list[str]:
    readme = PROJECT_ROOT.joinpath("README.md").read_text()
    tour = readme.split("\n## Tour\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)```", tour, flags=re.S)


def tour_script(port: int, data_dir: Path) -> str:
    first, *rest = tour_blocks()
    assert "oms serve --data-dir /tmp/oms-tour --port 8080 &" in first and "gql()" in first
    first = first.replace("/tmp/oms-tour", str(data_dir)).replace("8080", str(port))
    return "set -euo pipefail\n" + first + RECORD_ANSWERS + "\n".join(rest)


def user_errors(value: object) -> list:
    if isinstance(value, dict):
        found = list(value.get("userErrors") or [])
        return found + [e for v in value.values() for e in user_errors(v)]
    if isinstance(value, list):
        return [e for v in value for e in user_errors(v)]
    return []


def run_tour(tmp_path: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    answers = tmp_path / "answers.jsonl"
    env = {**os.environ, "TOUR_ANSWERS": str(answers), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env.pop("OMS_ADMIN_TOKEN", None)
    output = tmp_path / "output.txt"
    with open(output, "wb") as out:  # a file, not a pipe: the server the Tour leaves running would hold a pipe open
        proc = subprocess.Popen(["bash", "-c", tour_script(free_port(), tmp_path / "data")], cwd=tmp_path, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=tour_timeout_s)
        finally:
            stop_group(proc.pid)
    lines = answers.read_text().splitlines() if answers.exists() else []
    done = subprocess.CompletedProcess(proc.args, proc.returncode, output.read_text(errors="replace"))
    return done, [json.loads(l) for l in lines]


def stop_group(pgid: int) -> None:
    """The Tour leaves its server running in the background: SIGTERM it, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        try:
            subprocess.run(["bash", "-c", f"while kill -0 -{pgid} 2>/dev/null; do sleep 0.1; done"], timeout=15)
            return
        except subprocess.TimeoutExpired:
            continue


def answer_with(answers: list[dict], field: str) -> dict:
    found = [a["data"][field] for a in answers if field in (a.get("data") or {})]
    assert found, field
    return found[-1]


@pytest.mark.slow
def test_the_tour_runs_as_written(tmp_path):
    # given the README's Tour, when it runs block after block in one shell
    done, answers = run_tour(tmp_path)
    # then every step succeeded: no GraphQL error and no user error anywhere
    assert done.returncode == 0, done.stdout[-4000:]
    assert len(answers) >= 17, done.stdout[-4000:]
    assert [a for a in answers if a.get("errors") or "data" not in a] == []
    assert [e for a in answers for e in user_errors(a)] == []
    # and the walk it tells did happen: a kit split over two parcels, held and released, shipped, returned, restocked
    placed = next(a["data"]["orderPlace"]["order"] for a in answers if "orderPlace" in a["data"])
    assert sorted(s["location"] for s in placed["shipments"]) == ["east", "west"]
    assert answer_with(answers, "hold")["order"]["status"] == "ON_HOLD"
    assert answer_with(answers, "release")["order"]["shipments"][-1]["status"] == "PENDING"
    assert answer_with(answers, "deliver")["shipment"]["order"]["status"] == "DELIVERED"
    assert answer_with(answers, "refund")["return"]["status"] == "REFUNDED"
    restocks = {(kind, c["node"]["location"]) for kind in ("mugs", "lids")
                for c in answer_with(answers, kind)["edges"] if c["node"]["reason"] == "RETURN_RESTOCK"}
    assert restocks == {("mugs", "east"), ("lids", "west")}
    assert answer_with(answers, "purchaseOrderReceive")["purchaseOrder"]["status"] == "PARTIALLY_RECEIVED"
