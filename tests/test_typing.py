"""The public API type-checks in users' code (``mypy --strict`` on a user module)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent / "typing"


def _mypy(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), str(path)],
        capture_output=True, text=True, cwd=HERE.parent.parent,
    )  # fmt: skip


def test_decorated_handlers_reuse_logger_and_metrics_keep_their_types(tmp_path: Path) -> None:
    proc = _mypy(HERE / "user_module.py", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_catches_a_wrong_use_of_each_typed_name(tmp_path: Path) -> None:
    proc = _mypy(HERE / "wrong_types.py", tmp_path)
    wrong = (HERE / "wrong_types.py").read_text().splitlines()
    expected = {n for n, line in enumerate(wrong, start=1) if "# E:" in line}
    reported = {
        int(line.split(":")[1]) for line in proc.stdout.splitlines() if ": error:" in line
    }
    assert proc.returncode == 1
    assert reported == expected, proc.stdout
