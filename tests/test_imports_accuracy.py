"""Accuracy, with CPython as ground truth: boto3 under our profiler and -X importtime.

Each fresh interpreter imports boto3 once with both on: CPython's own
``-X importtime`` and our profiler time the very same imports, so the load of
a shared machine slows both alike and the comparison is about what each one
measures (best of several runs per module). Every module that takes over 5 ms
under CPython must be in our tree, under the same parent, with a cumulative
time within 25% of CPython's. (Each side's bookkeeping is inside the other's
times: a few microseconds per nested module, see benchmarks/bench_imports.py;
that benchmark also compares the two in separate interpreters.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lambda_kit.imports.importtime import parse_importtime
from lambda_kit.imports.runner import PROFILER_FILE
from lambda_kit.imports.tree import Node, from_entries

pytest.importorskip("boto3")  # in the dev extra; a bare install has nothing to compare

RUNS = 3
THRESHOLD_MS = 5.0
TOLERANCE = 0.25

CHILD = r"""
import json, sys
ext, boot = sys.modules["_frozen_importlib_external"], sys.modules["_frozen_importlib"]
loader = ext.SourceFileLoader("_accuracy_profiler", sys.argv[1])
prof = boot.module_from_spec(boot.spec_from_loader(loader.name, loader))
loader.exec_module(prof)
p = prof.ImportProfiler().start()
import boto3
p.stop()
with open(sys.argv[2], "w") as f:
    json.dump([{"name": e.name, "parent": e.parent, "start_ns": e.start_ns, "end_ns": e.end_ns}
               for e in p.entries()], f)
"""

Best = dict[str, tuple[float, str | None]]


def index(roots: list[Node], under: str) -> Best:
    """module -> (cumulative ms, parent name) for the subtree of ``under``."""
    out: Best = {}

    def visit(node: Node, parent: str | None) -> None:
        out[node.name] = (node.cumulative_ms, parent)
        for child in node.children:
            visit(child, node.name)

    for root in roots:
        for node, _ in root.walk():
            if node.name == under:
                visit(node, None)
                return out
    return out


def best_of(runs: list[Best]) -> Best:
    best: Best = {}
    for run in runs:
        for name, (ms, parent) in run.items():
            if name not in best or ms < best[name][0]:
                best[name] = (ms, parent)
    return best


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Best, Best]:
    tmp: Path = tmp_path_factory.mktemp("accuracy")
    ours, theirs = [], []
    for _ in range(RUNS):
        log, entries = tmp / "importtime.log", tmp / "entries.json"
        with log.open("w") as err:  # a file, not a pipe: no waiting on a reader while timing
            subprocess.run(
                [sys.executable, "-X", "importtime", "-c", CHILD, PROFILER_FILE, str(entries)],
                stderr=err,
                check=True,
                env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"),
            )
        with log.open() as f:
            theirs.append(index(parse_importtime(f).roots, "boto3"))
        ours.append(index(from_entries(json.loads(entries.read_text())), "boto3"))
    return best_of(ours), best_of(theirs)


def heavy(theirs: Best) -> list[str]:
    return [name for name, (ms, _) in theirs.items() if ms > THRESHOLD_MS]


def test_the_comparison_covers_many_modules(both):
    _, theirs = both
    assert len(heavy(theirs)) >= 10  # boto3 has plenty: the comparison is not empty


def test_every_module_over_5_ms_under_cpython_is_in_our_tree(both):
    ours, theirs = both
    assert [name for name in heavy(theirs) if name not in ours] == []


def test_cumulative_times_over_5_ms_agree_within_25_percent(both):
    ours, theirs = both
    off = {
        name: (round(theirs[name][0], 1), round(ours[name][0], 1))
        for name in heavy(theirs)
        if name in ours and abs(ours[name][0] - theirs[name][0]) > TOLERANCE * theirs[name][0]
    }
    assert off == {}, "(CPython ms, ours ms)"


def test_parent_links_of_modules_over_5_ms_match(both):
    ours, theirs = both
    differ = {
        name: (theirs[name][1], ours[name][1])
        for name in heavy(theirs)
        if name in ours and ours[name][1] != theirs[name][1]
    }
    assert differ == {}, "(CPython's parent, ours)"


def test_our_times_are_close_to_cpythons_not_just_within_tolerance(both):
    # the same intervals, timed twice: the median module differs by a few percent at most
    ours, theirs = both
    gaps = sorted(abs(ours[n][0] - theirs[n][0]) / theirs[n][0] for n in heavy(theirs) if n in ours)
    assert gaps[len(gaps) // 2] < 0.05
