"""`lambda-kit demo` (what `make demo` runs): cold then warm, an error, a timeout, the costs."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests._invoke_helpers import REPO


@pytest.fixture(scope="module")
def demo():
    run = subprocess.run(
        [sys.executable, "-m", "lambda_kit", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"},
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def _table(out):
    rows = {}
    for line in out.splitlines():
        m = re.match(r"(\S+ #\d \((?:cold|warm)\))\s+(\w+)\s+(\S+)\s+([\d.]+)\s+(\d+)", line)
        if m:
            rows[m.group(1)] = m.groups()[1:]
    return rows


def test_the_heavy_handler_is_cold_then_warm(demo):
    rows = _table(demo)
    cold, warm = rows["heavy.py #1 (cold)"], rows["heavy.py #2 (warm)"]
    assert cold[0] == warm[0] == "success"
    assert float(cold[1]) > 0 and warm[1] == "-"
    assert int(cold[3]) > int(warm[3])  # the cold start bills its init


def test_the_failing_handler_shows_its_error(demo):
    assert _table(demo)["failing.py #1 (cold)"][0] == "error"
    assert '"errorType": "OrderNotFound"' in demo


def test_the_slow_handler_times_out_and_the_next_start_is_cold(demo):
    rows = _table(demo)
    assert rows["slow.py #1 (cold)"][0] == "timeout"
    assert rows["slow.py #2 (cold)"][0] == "success"
    assert "Task timed out after 1.00 seconds" in demo


def test_every_line_fits_the_terminal(demo):
    assert max(len(line) for line in demo.splitlines()) <= 100


def test_the_cold_start_shows_where_its_init_went(demo):
    # the heavy example imports heavy_sdk: the first record's init names it
    [line] = [x for x in demo.splitlines() if "init ms:" in x and "heavy_sdk" in x]
    assert re.search(r"imports [\d.]+", line) and "slowest import heavy_sdk" in line


def test_demo_with_a_folder_without_the_examples_is_one_line_and_exit_2(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "lambda_kit", "demo", "--examples", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert (run.returncode, run.stderr) == (2, f"lambda-kit: no heavy.py in {tmp_path} (--examples DIR)\n")
