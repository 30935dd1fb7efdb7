"""`lambda-kit report`: streaming files and stdin, JSON shape, grouping, bad input, progress."""

import gzip
import io
import json
import pathlib
import sys
import tracemalloc

import pytest

from lambda_kit.cli import main
from lambda_kit.report import cli as report_cli

CORPUS = [
    json.loads(line)
    for line in (pathlib.Path(__file__).parent / "fixtures" / "report_corpus.jsonl").open()
]
LINES = [row["line"] for row in CORPUS]
REPORTS = sum(1 for row in CORPUS if "expect" in row)
MALFORMED = sum(1 for row in CORPUS if "malformed" in row)
SKIPPED = sum(1 for row in CORPUS if row.get("samples") == 0)


@pytest.fixture
def logfile(tmp_path):
    path = tmp_path / "export.log"
    path.write_text("\n".join(LINES) + "\n")
    return path


def run(capsys, *argv):
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_promised_keys_and_counts(capsys, logfile):
    code, out, _ = run(capsys, str(logfile), "--json")
    data = json.loads(out)
    assert code == 0
    for key in (
        "invocations",
        "cold_starts",
        "timeouts",
        "errors",
        "billed_gb_s",
        "cost_usd",
        "skipped_lines",
        "malformed_lines",
        "duration_ms",
        "init_duration_ms",
    ):
        assert key in data
    assert data["invocations"] == REPORTS
    assert data["malformed_lines"] == MALFORMED
    assert data["skipped_lines"] == SKIPPED
    assert data["timeouts"] == 2 and data["out_of_memory"] == 1
    assert set(data["duration_ms"]) == {"p50", "p90", "p99", "max"}
    assert data["duration_ms"]["max"] == 900000.0


def test_malformed_lines_are_named_with_their_line_number(capsys, logfile):
    _, _, err = run(capsys, str(logfile))
    number = next(i for i, row in enumerate(CORPUS, start=1) if row["id"] == "bad-number")
    assert f"{logfile}:{number}: malformed REPORT line (Duration is not a number" in err


def test_the_text_report_says_cost_memory_and_advice(capsys, logfile):
    code, out, _ = run(capsys, str(logfile))
    assert code == 0
    assert f"invocations        {REPORTS}" in out
    assert "cost (as billed)" in out and "cost (our rules)" in out
    assert "recommendation" in out and "headroom" in out


def test_nothing_to_report_says_so_and_exits_non_zero(capsys, tmp_path):
    path = tmp_path / "app.log"
    path.write_text("START RequestId: 1 Version: $LATEST\nhello\n")
    code, out, err = run(capsys, str(path))
    assert code == 1 and out == ""
    assert "nothing to report" in err and "2 lines (2 skipped, 0 malformed)" in err


def test_a_missing_file_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, str(tmp_path / "nope.log"))
    assert code == 2 and "no such file" in err


def test_stdin_is_read_with_a_dash(capsys, monkeypatch):
    data = ("\n".join(LINES) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code, out, _ = run(capsys, "-", "--json")
    assert code == 0 and json.loads(out)["invocations"] == REPORTS


def test_gzip_exports_are_read(capsys, tmp_path):
    path = tmp_path / "export.log.gz"
    with gzip.open(path, "wt") as f:
        f.write("\n".join(LINES) + "\n")
    _code, out, _ = run(capsys, str(path), "--json")
    assert json.loads(out)["invocations"] == REPORTS


def test_our_records_and_report_lines_mix(capsys, tmp_path):
    record = {
        "type": "invocation",
        "duration_ms": 3.2,
        "billed_duration_ms": 4,
        "function_memory_size": 256,
        "max_memory_used_mb": 70,
        "status": "success",
        "cost_usd": 2.2e-7,
        "architecture": "arm64",
        "function_name": "orders",
        "timestamp": "2026-11-24T01:02:03.456Z",
    }
    path = tmp_path / "mixed.log"
    path.write_text(json.dumps(record) + "\n" + LINES[0] + "\n")
    _, out, _ = run(capsys, str(path), "--json", "--group-by", "function")
    data = json.loads(out)
    assert data["invocations"] == 2
    assert data["recorded_cost_usd"] == pytest.approx(2.2e-7)
    assert set(data["groups"]) == {"orders", "unknown"}
    assert data["groups"]["orders"]["cost_usd"] == pytest.approx(
        0.2e-6 + 0.25 * 0.004 * 0.0000133334, rel=1e-6
    )


def test_group_by_day_uses_each_lines_timestamp(capsys, logfile):
    _, out, _ = run(capsys, str(logfile), "--json", "--group-by", "day")
    groups = json.loads(out)["groups"]
    assert {"2019-06-19", "2023-06-02", "2024-06-17", "unknown"} <= set(groups)
    assert sum(g["invocations"] for g in groups.values()) == REPORTS


def test_group_by_hour_keys_are_hours(capsys, logfile):
    _, out, _ = run(capsys, str(logfile), "--json", "--group-by", "hour")
    assert "2023-06-02T11:00" in json.loads(out)["groups"]


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys, tmp_path):
    path = tmp_path / "ok.log"
    path.write_text(LINES[0] + "\n")
    _, _, err = run(capsys, str(path))
    assert err == ""


def test_progress_bar_when_asked(capsys, tmp_path):
    path = tmp_path / "ok.log"
    path.write_text(LINES[0] + "\n")
    _, _, err = run(capsys, str(path), "--progress")
    assert "100%" in err and "1 lines" in err


def test_memory_stays_flat_as_the_input_grows(tmp_path):
    line = (LINES[0] + "\n").encode()

    def peak(n):
        path = tmp_path / f"big{n}.log"
        path.write_bytes(line * n)
        args = report_cli.argparse.Namespace(
            files=[str(path)],
            json=True,
            group_by=None,
            arch="x86_64",
            region="us-east-1",
            no_init_billing=False,
            progress=False,
        )
        tracemalloc.start()
        out = io.StringIO()
        real = sys.stdout
        sys.stdout = out
        try:
            assert report_cli.run(args) == 0
        finally:
            sys.stdout = real
            _, top = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert json.loads(out.getvalue())["invocations"] == n
        return top

    small, large = peak(2_000), peak(20_000)
    assert large < small * 1.5 + 64 * 1024


def test_ctrl_c_prints_what_was_read_so_far():
    import os
    import signal
    import subprocess

    proc = subprocess.Popen(
        [sys.executable, "-m", "lambda_kit", "report", "-", "--json", "--progress"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    proc.stdin.write((LINES[0] + "\n").encode() * 50_000)  # the pipe then stays open
    proc.stdin.flush()
    seen = b""
    while b" lines" not in seen:  # the progress bar says lines were counted: interrupt then
        chunk = os.read(proc.stderr.fileno(), 4096)
        assert chunk, "the reader exited early"
        seen += chunk
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 130, err
    data = json.loads(out)
    assert data["partial"] is True and 0 < data["invocations"] <= 50_000
    assert b"interrupted: partial results" in err and b"Traceback" not in err
