"""`lambda-kit report` on a big file: lines per second against a plain awk pass, and RSS.

The subject reads a generated export of text REPORT lines (1 % cold starts,
durations with two decimals as Lambda prints them) through the same Scan that
`lambda-kit report FILE` uses; the baseline is `awk '/REPORT/ {n++}'` over the
same file in the same run. The JSON forms (the `filter-log-events` export, and
platform.report events) are measured the same way, each against awk counting the
same file's lines. The RSS benchmark runs the whole CLI in a fresh
process on a larger file and reads its peak resident set (VmHWM). Under
`make test` (benchmarks disabled) the files are small and each runs once.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import report_figure

from lambda_kit.prices import prices_for
from lambda_kit.report.files import Progress, read_files
from lambda_kit.report.scan import Scan


def _write_export(path: Path, lines: int, seed: int = 17, *, form: str = "text") -> Path:
    """Text REPORT lines; or (``export``) each as the "message" line of the indented JSON
    that `aws logs filter-log-events` prints; or (``platform``) as platform.report events."""
    rng = random.Random(seed)
    with path.open("w") as f:
        for _ in range(lines):
            ms = rng.lognormvariate(3.5, 0.8)
            init = f"Init Duration: {rng.uniform(150, 900):.2f} ms\t" if rng.random() < 0.01 else ""
            line = (
                f"REPORT RequestId: {rng.getrandbits(128):032x}\tDuration: {ms:.2f} ms\t"
                f"Billed Duration: {int(ms) + 1} ms\tMemory Size: 512 MB\t"
                f"Max Memory Used: {rng.randint(80, 120)} MB\t{init}"
            )
            if form == "platform":
                metrics = {"durationMs": round(ms, 2), "billedDurationMs": int(ms) + 1,
                           "memorySizeMB": 512, "maxMemoryUsedMB": rng.randint(80, 120)}
                event = {"time": "2026-11-24T10:00:00.000Z", "type": "platform.report",
                         "record": {"requestId": "r", "metrics": metrics, "status": "success"}}
                f.write(json.dumps(event, separators=(",", ":")) + "\n")
            elif form == "export":
                f.write(f'            "message": {json.dumps(line + chr(10))},\n')
            else:
                f.write(line + "\n")
    return path


@pytest.fixture(scope="module")
def export(tmp_path_factory, request):
    disabled = request.config.getoption("benchmark_disable", False)
    lines = 20_000 if disabled else 1_000_000
    return _write_export(tmp_path_factory.mktemp("report") / "export.log", lines), lines


def _scan(path: Path) -> Scan:
    prices = {a: prices_for("us-east-1", a) for a in ("x86_64", "arm64")}
    scan = Scan(prices)
    read_files([str(path)], scan, Progress(False, None))
    return scan


def _awk(path: Path, pattern: str = "REPORT") -> int:
    done = subprocess.run(
        [shutil.which("awk") or "awk", f"/{pattern}/ {{n++}} END {{print n+0}}", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


_SECONDS: dict[str, float] = {}


def test_report_lines_per_second(benchmark, export):
    path, lines = export
    benchmark.group = "report: a file of text REPORT lines"
    benchmark.extra_info.update(role="subject", case="lambda-kit report (Scan)")
    rounds = 1 if benchmark.disabled else 3
    scan = benchmark.pedantic(_scan, args=(path,), rounds=rounds, iterations=1)
    assert scan.total.invocations == lines and scan.fast_lines == lines
    if not benchmark.disabled:
        best = min(benchmark.stats.stats.data)
        _SECONDS["scan"] = best
        report_figure(
            f"[report] lambda-kit report: {lines / best:,.0f} REPORT lines/s ({best:.3f} s for {lines:,})"
        )


def test_report_baseline_awk(benchmark, export):
    path, lines = export
    benchmark.group = "report: a file of text REPORT lines"
    benchmark.extra_info.update(role="baseline", case="awk '/REPORT/ {n++}'")
    rounds = 1 if benchmark.disabled else 3
    assert benchmark.pedantic(_awk, args=(path,), rounds=rounds, iterations=1) == lines
    if not benchmark.disabled:
        best = min(benchmark.stats.stats.data)
        report_figure(f"[report] awk: {lines / best:,.0f} lines/s ({best:.3f} s)")
        if "scan" in _SECONDS:
            report_figure(
                f"[report] ratio lambda-kit report / awk: {_SECONDS['scan'] / best:.1f}x the time"
            )


@pytest.mark.parametrize("form", ["export", "platform"])
def test_report_json_forms_lines_per_second(benchmark, tmp_path, form):
    lines = 20_000 if benchmark.disabled else 500_000
    path = _write_export(tmp_path / "events.json", lines, form=form)
    benchmark.group = f"report: {form} JSON lines"
    rounds = 1 if benchmark.disabled else 3
    scan = benchmark.pedantic(_scan, args=(path,), rounds=rounds, iterations=1)
    assert scan.total.invocations == lines and scan.fast_lines == lines
    # awk over the same file in the same run, timed the same way (best of the rounds)
    pattern = "REPORT" if form == "export" else "platform\\.report"
    assert _awk(path, pattern) == lines
    awk = min(_timed(_awk, path, pattern) for _ in range(rounds))
    if not benchmark.disabled:
        best = min(benchmark.stats.stats.data)
        what = {"export": "filter-log-events JSON", "platform": "platform.report events"}[form]
        report_figure(
            f"[report] {what}: {lines / best:,.0f} REPORT lines/s; awk {lines / awk:,.0f} lines/s;"
            f" {best / awk:.1f}x awk's time"
        )


def _timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def test_report_peak_rss_on_a_large_file(benchmark, tmp_path, request):
    disabled = benchmark.disabled
    lines = 20_000 if disabled else 3_000_000
    path = _write_export(tmp_path / "large.log", lines, seed=3)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forked copy of
    # this (large) pytest process, VmHWM belongs to the new process's own memory
    code = (
        "import sys; from lambda_kit.cli import main; "
        f"rc = main(['report', {str(path)!r}, '--json']); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]; "
        "sys.stderr.write(hwm.split()[1]); sys.exit(rc)"
    )

    def run() -> int:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return int(done.stderr.strip().splitlines()[-1])

    start = time.perf_counter()
    kib = benchmark.pedantic(run, rounds=1, iterations=1)
    elapsed = time.perf_counter() - start
    assert kib > 0
    size_mb = path.stat().st_size / 1e6
    report_figure(
        f"[report] peak RSS {kib / 1024:.1f} MB reading {size_mb:,.0f} MB ({lines:,} lines) "
        f"in {elapsed:.2f} s, interpreter start included"
    )
