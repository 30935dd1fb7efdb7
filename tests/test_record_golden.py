"""The record's bytes for fixed inputs: unchanged by the restructure, and the same
whether or not the application imported orjson (one number format, always)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "golden"


def _lines(*args: str) -> bytes:
    out = subprocess.run(
        [sys.executable, str(HERE / "record_lines.py"), *args],
        capture_output=True,
        check=True,
        cwd=HERE.parent.parent,
    )
    return out.stdout


@pytest.mark.parametrize("args", [(), ("--orjson",)], ids=["plain", "orjson-imported"])
def test_the_records_bytes_for_fixed_inputs_are_the_golden_ones(args: tuple[str, ...]) -> None:
    got = _lines(*args).splitlines()
    want = (HERE / "record_lines.jsonl").read_bytes().splitlines()
    assert len(got) == len(want) == 8
    for g, w in zip(got, want, strict=True):
        assert g == w
