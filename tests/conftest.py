"""Every server the suite starts (in this process or as a subprocess) checks each compiled
answer against graphql-core's (api/graphql/compiled/equivalence.py); the run fails if any
differed, so the whole corpus of documents and variables the suite sends is the check."""
from __future__ import annotations

import collections
import os
import tempfile
from pathlib import Path

import orjson
import pytest

from api.graphql.compiled.equivalence import CHECK_ENV

_CHECKED: dict = {}


def pytest_configure(config: pytest.Config) -> None:
    if CHECK_ENV not in os.environ:
        folder = tempfile.mkdtemp(prefix="oms-equivalence-")
        os.environ[CHECK_ENV] = _CHECKED["path"] = str(Path(folder) / "answers.jsonl")


def compiled_answers() -> list[dict]:
    path = Path(os.environ[CHECK_ENV])
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    lines = compiled_answers()
    _CHECKED["outcomes"] = collections.Counter(line["outcome"] for line in lines)
    _CHECKED["different"] = [line for line in lines if line.get("same") is False]
    if _CHECKED["different"] and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    outcomes, different = _CHECKED.get("outcomes"), _CHECKED.get("different", [])
    if outcomes:
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        terminalreporter.write_line(f"prepared documents: {summary}; {len(different)} compiled answers differed")
    for line in different[:5]:
        terminalreporter.write_line(f"DIFFERENT {line['label']}: compiled {line['compiled'][:300]}", red=True)
        terminalreporter.write_line(f"          generic  {line['generic'][:300]}", red=True)
    if "path" in _CHECKED:
        Path(_CHECKED["path"]).unlink(missing_ok=True)
        Path(_CHECKED["path"]).parent.rmdir()
