"""Reading CPython's -X importtime log, as written and as copied from CloudWatch."""

from __future__ import annotations

import json
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.imports.importtime import parse_importtime
from lambda_kit.imports.tree import Node

HEADER = "import time: self [us] | cumulative | imported package"


def line(self_us: int, cum_us: int, name: str, depth: int) -> str:
    # CPython's own format: "import time: %9ld | %10ld | %*s%s"
    return f"import time: {self_us:9d} | {cum_us:10d} | {' ' * (depth * 2)}{name}"


SAMPLE = [
    HEADER,
    line(300, 300, "json.scanner", 2),
    line(500, 800, "json.decoder", 1),
    line(200, 200, "json.encoder", 1),
    line(100, 1100, "json", 0),
    line(50, 50, "colorsys", 0),
]


def shape(nodes: list[Node]) -> list[tuple[str, float, float, list]]:  # type: ignore[type-arg]
    return [(n.name, n.cumulative_ms, n.self_ms, shape(n.children)) for n in nodes]


def test_children_logged_before_their_parent_are_nested_under_it():
    log = parse_importtime(SAMPLE)
    assert shape(log.roots) == [
        (
            "json",
            1.1,
            0.1,
            [
                ("json.decoder", 0.8, 0.5, [("json.scanner", 0.3, 0.3, [])]),
                ("json.encoder", 0.2, 0.2, []),
            ],
        ),
        ("colorsys", 0.05, 0.05, []),
    ]
    assert log.problems == []


def test_a_real_cpython_log_reads_without_problems():
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import json, email.parser"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    log = parse_importtime(err.splitlines())
    names = {n.name for r in log.roots for n, _ in r.walk()}
    assert {"json", "json.decoder", "email.parser", "email.feedparser"} <= names
    assert log.problems == []
    assert log.import_lines == len(err.splitlines()) - 1  # all but the header


def test_cloudwatch_prefixes_before_import_time_are_ignored():
    prefixed = [
        f"2025-03-01T10:00:00.123Z\t7f9c3a1e-1111-2222-3333-444455556666\t{x}" for x in SAMPLE
    ]
    assert shape(parse_importtime(prefixed).roots) == shape(parse_importtime(SAMPLE).roots)


def test_json_wrapped_lines_are_read_through_their_message():
    wrapped = [json.dumps({"timestamp": "2025-03-01T10:00:00Z", "message": x}) for x in SAMPLE]
    insights = [json.dumps({"@timestamp": "t", "@message": x}) for x in SAMPLE]
    assert shape(parse_importtime(wrapped).roots) == shape(parse_importtime(SAMPLE).roots)
    assert shape(parse_importtime(insights).roots) == shape(parse_importtime(SAMPLE).roots)


def test_other_log_lines_are_not_imports_and_not_problems():
    lines = ["START RequestId: abc Version: $LATEST", *SAMPLE, "REPORT RequestId: abc"]
    log = parse_importtime(lines)
    assert log.problems == [] and len(log.roots) == 2


def test_a_malformed_line_is_reported_with_its_number_and_skipped():
    lines = [*SAMPLE[:3], "import time:   abc |  12 |   broken", *SAMPLE[3:]]
    log = parse_importtime(lines)
    assert len(log.problems) == 1
    assert log.problems[0].startswith("line 4: times must be whole microseconds")
    assert [n.name for n in log.roots] == ["json", "colorsys"]


def test_odd_indentation_is_a_problem_not_a_guess():
    log = parse_importtime([HEADER, "import time:    1 |    1 |    odd"])
    assert log.problems and "indentation" in log.problems[0]
    assert log.runs == []


def test_an_empty_log_has_no_runs():
    log = parse_importtime([])
    assert log.runs == [] and log.roots == [] and log.problems == []


def test_each_header_starts_a_new_run():
    log = parse_importtime([*SAMPLE, *SAMPLE])
    assert len(log.runs) == 2
    assert shape(log.runs[0]) == shape(log.runs[1])


def test_siblings_are_laid_out_one_after_another_for_the_chart():
    log = parse_importtime(SAMPLE)
    json_node, colorsys = log.roots
    assert (json_node.start_ms, colorsys.start_ms) == (0.0, 1.1)
    decoder, encoder = json_node.children
    assert (decoder.start_ms, encoder.start_ms) == (0.0, 0.8)


# a random import tree, written as CPython would, reads back as the same tree
names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
trees = st.recursive(
    st.tuples(names, st.integers(0, 10**6), st.just([])),
    lambda kids: st.tuples(names, st.integers(0, 10**6), st.lists(kids, max_size=4)),
    max_leaves=30,
)


def to_log(node: tuple, depth: int, out: list[str]) -> int:  # type: ignore[type-arg]
    name, self_us, kids = node
    cum = self_us + sum(to_log(k, depth + 1, out) for k in kids)
    out.append(line(self_us, cum, name, depth))
    return cum


def as_shape(node: tuple) -> tuple:  # type: ignore[type-arg]
    name, self_us, kids = node
    cum_us = self_us + sum(_cum(k) for k in kids)
    return (name, cum_us / 1000, self_us / 1000, [as_shape(k) for k in kids])


def _cum(node: tuple) -> int:  # type: ignore[type-arg]
    return node[1] + sum(_cum(k) for k in node[2])


@settings(max_examples=60, deadline=None)
@given(st.lists(trees, min_size=1, max_size=4))
def test_any_tree_written_as_cpython_does_reads_back_the_same(roots):
    out = [HEADER]
    for r in roots:
        to_log(r, 0, out)
    assert shape(parse_importtime(out).roots) == [as_shape(r) for r in roots]
