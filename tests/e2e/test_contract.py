"""The served schema keeps the public contract (what is not served yet may be missing)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED = PROJECT_ROOT.parent / "shared"
CHECKER = SHARED / "tools" / "check_contract.py"


def test_served_schema_keeps_the_contract():
    if not SHARED.is_dir():
        pytest.skip(f"the shared folder {SHARED} (sibling of the project root) does not exist")
    assert CHECKER.is_file(), f"{CHECKER} is missing"
    done = subprocess.run([sys.executable, str(CHECKER), "--partial"], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"check_contract.py --partial exited {done.returncode}:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
