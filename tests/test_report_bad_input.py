"""`lambda-kit report` on bad input: one line per fault, never a traceback, never a bad
figure (issue 13 item 4): each case names the line, and the good lines around it give
exactly the figures they give alone."""

import gzip
import json
import tracemalloc

import pytest

from lambda_kit.cli import main
from lambda_kit.report.files import Progress
from lambda_kit.report.scan import MAX_LINE_BYTES

GOOD = (
    "REPORT RequestId: {i}\tDuration: 27.55 ms\tBilled Duration: 28 ms\tMemory Size: 1024 MB"
    "\tMax Memory Used: 472 MB"
)
FIELDS = "\tBilled Duration: 28 ms\tMemory Size: 1024 MB\tMax Memory Used: 472 MB"


def no_constants(name):
    raise AssertionError(f"{name} in --json")


def run(capsys, *argv):
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def report_json(capsys, path, *argv):
    code, out, err = run(capsys, str(path), "--json", *argv)
    return code, (json.loads(out, parse_constant=no_constants) if out else None), err


BAD = {
    "inf": ("REPORT RequestId: 1\tDuration: inf ms" + FIELDS, "Duration is not a number: 'inf'"),
    "1e400": ("REPORT RequestId: 1\tDuration: 1e400 ms" + FIELDS, "Duration is not a number"),
    "NaN": ("REPORT RequestId: 1\tDuration: NaN ms" + FIELDS, "Duration is not a number: 'NaN'"),
    "negative": ("REPORT RequestId: 1\tDuration: -4 ms" + FIELDS, "Duration must not be negative"),
    "20-digit memory": (
        GOOD.format(i=1).replace("1024 MB", "12345678901234567890 MB"),
        "Memory Size is out of range: 12345678901234567890 MB",
    ),
    "memory below 128": (GOOD.format(i=1).replace("1024 MB", "64 MB"), "Memory Size is out of range"),
    "a duration of 3 hours": (
        "REPORT RequestId: 1\tDuration: 10800000 ms" + FIELDS, "Duration is out of range"
    ),
    "deeply nested JSON": (
        '{"type": "invocation", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "not valid JSON (JSON nested too deeply)",
    ),
    "platform NaN": (
        '{"type":"platform.report","record":{"metrics":{"durationMs":NaN,"billedDurationMs":1,'
        '"memorySizeMB":128,"maxMemoryUsedMB":1}}}',
        "metrics.durationMs is not a number: nan",
    ),
    "platform 1e400": (
        '{"type":"platform.report","record":{"metrics":{"durationMs":1e400,"billedDurationMs":1,'
        '"memorySizeMB":128,"maxMemoryUsedMB":1}}}',
        "metrics.durationMs is not a number: inf",
    ),
    "record cost Infinity": (
        '{"type":"invocation","duration_ms":1,"billed_duration_ms":1,"function_memory_size":128,'
        '"cost_usd":Infinity}',
        "cost_usd is not a number: inf",
    ),
    "platform JSON that does not parse": (
        '{"type":"platform.report","record":{"metrics":{"durationMs":01}}}', "not valid JSON"
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_line_is_named_and_the_figures_are_the_good_lines_alone(capsys, tmp_path, case):
    line, reason = BAD[case]
    good = [GOOD.format(i=i) for i in range(3)]
    mixed = tmp_path / "mixed.log"
    mixed.write_text("\n".join([good[0], line, *good[1:]]) + "\n")
    alone = tmp_path / "alone.log"
    alone.write_text("\n".join(good) + "\n")
    code, got, err = report_json(capsys, mixed)
    assert code == 0
    assert f"{mixed}:2: malformed REPORT line ({reason}" in err
    assert got["malformed_lines"] == 1 and got["invocations"] == 3
    _, want, _ = report_json(capsys, alone)
    for key in ("lines", "malformed_lines"):
        got.pop(key), want.pop(key)
    assert got == want


def test_a_record_whose_function_name_is_an_object_is_malformed_when_grouping(capsys, tmp_path):
    path = tmp_path / "records.log"
    record = {"type": "invocation", "duration_ms": 3.2, "billed_duration_ms": 4,
              "function_memory_size": 256, "function_name": "orders"}
    path.write_text(json.dumps(record) + "\n" + json.dumps({**record, "function_name": {"a": 1}}) + "\n")
    code, got, err = report_json(capsys, path, "--group-by", "function")
    assert code == 0
    assert "records.log:2: malformed REPORT line (function_name is not a string: dict)" in err
    assert list(got["groups"]) == ["orders"] and got["invocations"] == 1


def test_only_the_first_20_malformed_lines_are_shown_then_counted(capsys, tmp_path):
    path = tmp_path / "bad.log"
    path.write_text((BAD["inf"][0] + "\n") * 25 + GOOD.format(i=1) + "\n")
    code, got, err = report_json(capsys, path)
    assert code == 0 and got["malformed_lines"] == 25
    assert err.count("malformed REPORT line") == 20
    assert "5 more malformed lines not shown" in err
    assert f"{path}:20:" in err and f"{path}:21:" not in err


def test_a_truncated_gz_keeps_what_was_read_names_the_file_and_exits_2(capsys, tmp_path):
    lines = 200_000
    data = gzip.compress(("".join(GOOD.format(i=i) + "\n" for i in range(lines))).encode())
    path = tmp_path / "cut.log.gz"
    path.write_bytes(data[: len(data) // 2])
    code, got, err = report_json(capsys, path)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"lambda-kit report: {path}: stopped after ")
    assert "truncated .gz" in line
    assert 0 < got["invocations"] < lines and got["partial"] is True
    assert got["invocations"] == got["lines"]  # whole lines only: the cut one is not counted
    assert got["unreadable"] == [line.removeprefix("lambda-kit report: ")]


def test_a_corrupt_gz_is_one_line_and_exit_2_and_the_next_file_is_read(capsys, tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"\x1f\x8b not gzip at all" * 10)
    good = tmp_path / "good.log"
    good.write_text(GOOD.format(i=1) + "\n")
    code, out, err = run(capsys, str(bad), str(good), "--json")
    got = json.loads(out, parse_constant=no_constants)
    assert code == 2 and got["invocations"] == 1
    [line] = err.splitlines()
    assert line.startswith(f"lambda-kit report: {bad}: stopped after 0 lines: ")


def test_a_corrupt_gz_alone_says_only_that(capsys, tmp_path):
    bad = tmp_path / "bad.gz"
    bad.write_bytes(b"plain text, not gzip\n")
    code, out, err = run(capsys, str(bad))
    assert code == 2 and out == ""
    assert err == f"lambda-kit report: {bad}: stopped after 0 lines: corrupt .gz (Not a gzipped file (b'pl'))\n"


def test_a_line_over_the_limit_is_malformed_and_memory_stays_bounded(capsys, tmp_path):
    path = tmp_path / "long.log"
    with path.open("w") as f:
        f.write(GOOD.format(i=1) + "\n")
        f.write("REPORT RequestId: x " + "a" * (MAX_LINE_BYTES + 3_000_000) + "\n")
        f.write(GOOD.format(i=2) + "\n")
        f.write("b" * (MAX_LINE_BYTES + 10))  # and one without an end
    tracemalloc.start()
    try:
        code, got, err = report_json(capsys, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0 and got["invocations"] == 2 and got["malformed_lines"] == 2
    assert f"{path}:2: malformed REPORT line (line too long: over 4 MB)" in err
    assert f"{path}:4: malformed REPORT line (line too long" in err
    assert peak < 2 * MAX_LINE_BYTES + (4 << 20)


def test_the_progress_bar_says_rate_and_eta():
    bar = Progress(True, total_bytes=1000)
    start = bar._start
    assert bar.line(250, 500_000, start + 1.0) == (
        "[#######                       ]  25% 500,000 lines, 500k lines/s, ETA 0:03"
    )
    assert bar.line(1000, 2_000_000, start + 1.0).endswith("100% 2,000,000 lines, 2.0M lines/s")
    stdin = Progress(True, total_bytes=None)
    assert stdin.line(5_000_000, 10, stdin._start + 2.0) == "5.0 MB, 10 lines, 5 lines/s"
    slow = Progress(True, total_bytes=100)
    assert slow.line(5, 0, slow._start + 3600).endswith("5% 0 lines, ETA 19:00:00")


def test_the_progress_bar_on_the_command_line_has_the_rate(capsys, tmp_path):
    path = tmp_path / "ok.log"
    path.write_text(GOOD.format(i=1) + "\n")
    _, _, err = run(capsys, str(path), "--progress")
    assert "100% 1 lines, " in err and " lines/s" in err
