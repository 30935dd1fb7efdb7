"""Reads CPython's own import-time log (``-X importtime``, ``PYTHONPROFILEIMPORTTIME=1``).

Each line is ``import time: <self us> | <cumulative us> | <2*depth spaces><module>``,
written when a module's import ends, so children come before their parent.
Lines copied from CloudWatch work too: a prefix before ``import time:`` (a
timestamp, a request id) is ignored, and a line holding a JSON object is read
through its ``message`` (or ``@message``, ``msg``, ``log``) field. A line that
says ``import time:`` but cannot be read is reported with its line number and
skipped; other lines (START, REPORT, the function's own logs) are not ours.

    >>> log = parse_importtime(["import time:       120 |        450 | json",
    ...                         "import time:       330 |        330 |   json.decoder"][::-1])
    >>> [(n.name, n.cumulative_ms) for n in log.roots]
    [('json', 0.45)]

Format source: CPython ``Python/import.c`` (``import_find_and_load``) and the
``-X importtime`` entry of the command-line docs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lambda_kit.imports.tree import Node

MARK = "import time:"
#: no import takes a day: a larger figure is a corrupt line, not a time (and 10**400 us
#: would not even fit in a float once turned into ms)
MAX_US = 86_400 * 1_000_000
_MESSAGE_KEYS = ("message", "@message", "msg", "log")


class ParsedLog:
    """The tree read from a log, what could not be read, and how many runs it held.

    ``roots`` is the first run's tree (a log holds one run per header line, e.g.
    several cold starts copied from CloudWatch); ``runs`` holds all of them.
    """

    __slots__ = ("import_lines", "problems", "runs")

    def __init__(self) -> None:
        self.runs: list[list[Node]] = []
        self.problems: list[str] = []
        self.import_lines = 0

    @property
    def roots(self) -> list[Node]:
        """The first run's top-level imports (empty when the log held none)."""
        return self.runs[0] if self.runs else []


class _Run:
    __slots__ = ("nodes", "pending")

    def __init__(self) -> None:
        self.pending: dict[int, list[Node]] = {}
        self.nodes = 0

    def add(self, node: Node, depth: int) -> None:
        node.children = self.pending.pop(depth + 1, [])
        self.pending.setdefault(depth, []).append(node)
        self.nodes += 1

    def finish(self) -> list[Node]:
        roots = self.pending.pop(0, [])
        for depth in sorted(self.pending):  # a cut-off log: its open imports become roots
            roots.extend(self.pending[depth])
        _lay_out(roots, 0.0)
        return roots


def _lay_out(nodes: list[Node], start: float) -> None:
    # CPython gives no start times: siblings follow each other from the parent's start
    for node in nodes:
        node.start_ms = start
        _lay_out(node.children, start)
        start += node.cumulative_ms


def _messages(line: str) -> list[str]:
    """The text lines a raw log line stands for (unwrapping a JSON object)."""
    brace = line.find("{")
    if brace >= 0:
        try:
            obj: Any = json.loads(line[brace:])
        except (ValueError, RecursionError):  # not JSON, or nested too deep to be a log line
            obj = None
        if isinstance(obj, dict):
            for key in _MESSAGE_KEYS:
                value = obj.get(key)
                if isinstance(value, str):
                    return value.replace("\r", "\n").splitlines()
            return []
    return [line]


def _parse_line(text: str) -> tuple[Node, int] | str | None:
    """A node and its depth; a reason (str) when malformed; None for a header or cached."""
    rest = text[text.index(MARK) + len(MARK) :]
    parts = rest.split("|")
    if len(parts) != 3:
        return f"expected 3 fields separated by '|', found {len(parts)}"
    self_s, cum_s, name_part = parts[0].strip(), parts[1].strip(), parts[2].rstrip()
    if self_s.startswith("self") or self_s == "cached":  # the header; 3.13's cached modules
        return None
    if not _whole(self_s) or not _whole(cum_s):
        return f"times must be whole microseconds, found {self_s[:20]!r} and {cum_s[:20]!r}"
    if len(self_s) > 12 or len(cum_s) > 12 or int(cum_s) > MAX_US:
        return f"times must be at most {MAX_US} us (a day), found {self_s[:20]} and {cum_s[:20]}"
    self_us, cum_us = int(self_s), int(cum_s)
    if cum_us < self_us:
        return f"cumulative ({cum_us}) must be at least self ({self_us})"
    name = name_part.strip()
    # CPython prints the name it imported, which need not be an identifier
    # (``_sysconfigdata__linux_x86_64-linux-gnu`` is on every Linux CPython): any text
    # without spaces names a module
    if not name or not name.isprintable() or any(c.isspace() for c in name):
        return f"{name[:80]!r} is not a module name"
    indent = len(name_part) - len(name_part.lstrip(" ")) - 1  # one space follows the '|'
    if indent < 0 or indent % 2:
        return f"indentation of {indent} spaces is not a nesting level (2 per level)"
    node = Node(name, cumulative_ms=cum_us / 1000, self_ms=self_us / 1000)
    return node, indent // 2


def _whole(text: str) -> bool:
    # ASCII digits only: int() would also take "1_000", "+5" and other scripts' digits
    return text.isascii() and text.isdigit()


def parse_importtime(lines: Iterable[str]) -> ParsedLog:
    """Read an ``-X importtime`` log (lines of text) into trees, one per run.

    >>> parse_importtime(open("init.log")).roots      # doctest: +SKIP
    """
    out = ParsedLog()
    run: _Run | None = None
    for number, raw in enumerate(lines, 1):
        for text in _messages(raw.rstrip("\r\n")):
            if MARK not in text:
                continue
            parsed = _parse_line(text)
            if isinstance(parsed, str):
                out.problems.append(f"line {number}: {parsed}: {text.strip()[:120]!r}")
                continue
            if parsed is None:
                if "self" in text and run is not None and run.nodes:
                    out.runs.append(run.finish())  # a new header: a new process
                    run = None
                continue
            out.import_lines += 1
            if run is None:
                run = _Run()
            run.add(*parsed)
    if run is not None and run.nodes:
        out.runs.append(run.finish())
    return out
