"""``-X importtime`` logs with bad input: every bad line is reported as malformed with
its line number, nothing raises, and what CPython really prints is read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.cli import main
from lambda_kit.imports.importtime import MAX_US, parse_importtime

HEADER = "import time: self [us] | cumulative | imported package"


def line(self_us: int | str, cum_us: int | str, name: str, depth: int = 0) -> str:
    return f"import time: {self_us:>9} | {cum_us:>10} | {' ' * (depth * 2)}{name}"


def test_module_names_that_are_not_identifiers_are_read() -> None:
    log = parse_importtime([
        HEADER,
        line(120, 120, "_sysconfigdata__linux_x86_64-linux-gnu", 1),
        line(30, 150, "sysconfig"),
    ])  # fmt: skip
    assert log.problems == []
    [root] = log.roots
    assert [c.name for c in root.children] == ["_sysconfigdata__linux_x86_64-linux-gnu"]


def test_a_real_log_with_sysconfig_reads_without_problems() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import sysconfig; sysconfig.get_config_vars()"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    log = parse_importtime(done.stderr.splitlines())
    assert log.problems == []
    names = {n.name for root in log.roots for n, _ in root.walk()}
    assert "sysconfig" in names


@pytest.mark.parametrize(
    "bad",
    [
        line("9" * 400, "9" * 400, "huge"),
        line(10**13, 10**13, "longer_than_a_day"),
        line(1, MAX_US + 1, "just_over"),
        line("1e400", "1e400", "float"),
        line("inf", "inf", "infinite"),
        line("NaN", "NaN", "nan"),
        line("-5", "10", "negative"),
        line("1_000", "1_000", "underscores"),
        line("١٢", "١٢", "arabic_digits"),
        line(10, 5, "cumulative_below_self"),
        line(1, 1, "two words"),
        line(1, 1, ""),
        "import time: 1 | 2",
        "import time: 1 | 2 | 3 | 4",
        "import time:",
    ],
)
def test_each_bad_line_is_malformed_with_its_line_number(bad: str) -> None:
    log = parse_importtime([HEADER, line(5, 5, "ok"), bad, line(7, 7, "fine")])
    assert len(log.problems) == 1, log.problems
    assert log.problems[0].startswith("line 3: ")
    assert [n.name for n in log.roots] == ["ok", "fine"]


def test_deeply_nested_json_is_not_a_recursion_error() -> None:
    deep = "{" + '"a":[' * 100_000 + "]" * 100_000 + "}"
    log = parse_importtime([deep, '{"message": "' + line(3, 3, "json") + '"}'])
    assert [n.name for n in log.roots] == ["json"]


# -- hypothesis: the parser never raises, and every line with the mark is read or reported
marked = st.builds(
    lambda prefix, body: prefix + "import time:" + body,
    st.text(max_size=20),
    st.text(max_size=80),
)
anything = st.one_of(st.text(max_size=120), marked)


@settings(max_examples=300, deadline=None)
@given(st.lists(anything, max_size=30))
def test_any_text_is_read_or_reported_never_raised(lines: list[str]) -> None:
    log = parse_importtime(lines)
    assert log.import_lines <= len(lines) * 4
    for problem in log.problems:
        number = int(problem.split(":", 1)[0].removeprefix("line "))
        assert 1 <= number <= len(lines)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 10**500),
    st.integers(0, 10**500),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)
def test_any_figures_and_name_are_a_node_or_a_problem(self_us: int, cum_us: int, name: str) -> None:
    text = line(self_us, cum_us, name)
    if "|" in name or "\n" in name or "\r" in name:
        return  # not one line of three fields
    log = parse_importtime([text])
    if log.problems:
        assert log.problems[0].startswith("line 1: ")
        return
    [root] = log.roots
    assert root.cumulative_ms == cum_us / 1000 and root.self_ms == self_us / 1000
    assert cum_us <= MAX_US and self_us <= cum_us and root.name == name.strip()


# -- the CLI: one line per malformed line, never a traceback
@pytest.mark.parametrize(
    "content",
    [
        "import time: " + "9" * 5000 + " | " + "9" * 5000 + " | huge\n",
        "{" * 200_000 + "\n",
        '{"message": ' * 50_000 + "\n",
        "\x00\xff\ufffd import time: | | |\n",
    ],
)
def test_from_log_never_answers_with_a_traceback(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "init.log"
    log.write_text(HEADER + "\n" + content + line(100, 100, "app") + "\n")
    assert main(["imports", "--from-log", str(log)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert ": 1 imports read" in captured.out  # the good line still counts


def test_from_log_reports_the_line_number_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "init.log"
    log.write_text("\n".join([HEADER, line(1, 1, "a"), line(10**15, 10**15, "huge"),
                              line(2, 2, "_sysconfigdata__linux_x86_64-linux-gnu")]) + "\n")  # fmt: skip
    assert main(["imports", "--from-log", str(log), "--json"]) == 0
    captured = capsys.readouterr()
    [err] = captured.err.splitlines()
    assert err.startswith(f"lambda-kit imports: {log} line 3: times must be at most")
    assert err.endswith("malformed line skipped")
    out = json.loads(captured.out)
    assert "_sysconfigdata__linux_x86_64-linux-gnu" in json.dumps(out)


def test_many_malformed_lines_are_counted_after_the_first_twenty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "init.log"
    log.write_text("\n".join([HEADER, *["import time: x | y | z"] * 500, line(1, 1, "a")]) + "\n")
    assert main(["imports", "--from-log", str(log)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 21 and err[-1].endswith("480 more malformed lines skipped")
