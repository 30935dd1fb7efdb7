"""benchmarks/coldstart_tax.py (make coldstart) runs from the repository and reports each figure.

Only that it measures: the figures themselves are for `make coldstart` to print, never
asserted against a bound here (a busy machine must not fail the suite).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "coldstart_tax.py")


def test_coldstart_tax_measures_lambda_kit_and_powertools_in_both_interpreters():
    proc = subprocess.run(
        [sys.executable, SCRIPT, "--rounds", "1", "--json"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr  # 1: a target missed, still measured
    end = proc.stdout.rindex("}") + 1
    figures = json.loads(proc.stdout[:end])
    assert set(figures) == {"runtime", "boto3"}
    for interpreter, tax in figures.items():
        assert set(tax) == {"bare", "lambda_kit", "powertools"}
        assert tax["bare"] > 0
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(f"cold-start tax ({interpreter})")]
        assert len(lines) == 1 and "the target" in lines[0]


def test_coldstart_tax_rejects_zero_rounds():
    proc = subprocess.run([sys.executable, SCRIPT, "--rounds", "0"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--rounds must be at least 1" in proc.stderr
