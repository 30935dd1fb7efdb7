"""Profiles a target's import in fresh interpreters (``lambda-kit imports TARGET``).

The child interpreter loads the profiler's own file by path (not the
``lambda_kit`` package, which would otherwise be imported before the target and
hide its cost), starts it, imports the target and writes the entries as JSON.
``PYTHONDONTWRITEBYTECODE=1`` keeps each run seeing the bytecode caches as they
were, as on Lambda's read-only code directory.

    >>> profile = profile_target("json", runs=3)         # doctest: +SKIP
    >>> profile.total_ms                                  # doctest: +SKIP
    2.41
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from lambda_kit.imports.tree import Node, from_entries, total_ms

PROFILER_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profiler.py")

_CHILD = r"""
import sys
path, module, attr, where, out = sys.argv[1:6]
ext, boot = sys.modules["_frozen_importlib_external"], sys.modules["_frozen_importlib"]
loader = ext.SourceFileLoader("_lambda_kit_cli_profiler", path)
prof = boot.module_from_spec(boot.spec_from_loader(loader.name, loader))
loader.exec_module(prof)
if where:
    sys.path.insert(0, where)
p = prof.ImportProfiler().start()
try:
    __import__(module)
    if attr:
        getattr(sys.modules[module], attr)
except BaseException as exc:
    p.stop()
    import traceback
    # the target's own frames: not this script's, the import system's or the profiler's
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(("<string>", "<frozen ")) and f.filename != path]
    sys.stderr.write("Traceback (most recent call last):\n")
    sys.stderr.write("".join(traceback.format_list(frames)))
    sys.stderr.write("".join(traceback.format_exception_only(type(exc), exc)))
    sys.exit(3)
p.stop()
import json
entries = [{"name": e.name, "parent": e.parent, "start_ns": e.start_ns, "end_ns": e.end_ns,
            "file": e.file, "from_source": e.from_source, "compile_ns": e.compile_ns}
           for e in p.entries()]
with open(out, "w") as f:
    json.dump({"entries": entries}, f)
"""


class TargetError(Exception):
    """The target did not import; ``detail`` holds the child's traceback."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class Profile:
    """The fastest of several runs: its tree, its entries, and every run's total."""

    __slots__ = ("entries", "file", "module", "roots", "runs_ms")

    def __init__(
        self, module: str, roots: list[Node], entries: list[dict[str, Any]], runs_ms: list[float]
    ) -> None:
        self.module = module
        self.roots = roots
        self.entries = entries
        self.runs_ms = runs_ms
        self.file = next((e.get("file") for e in entries if e["name"] == module), None)

    @property
    def total_ms(self) -> float:
        """The chosen run's total import time."""
        return total_ms(self.roots)


def parse_target(target: str) -> tuple[str, str, str]:
    """``(module, attribute, directory to put on sys.path)`` for a target.

    A target is a module name (``app``, ``pkg.app``), a ``.py`` file, or
    ``MODULE:HANDLER``.
    """
    if target.endswith(".py") or os.sep in target:
        if not os.path.isfile(target):
            raise TargetError(f"{target}: no such file")
        where, name = os.path.split(os.path.abspath(target))
        return name[:-3] if name.endswith(".py") else name, "", where
    module, _, attr = target.partition(":")
    if not module or not all(p.isidentifier() for p in module.split(".")):
        raise TargetError(f"{target!r} is not a module name, a .py file or MODULE:HANDLER")
    if attr and not attr.isidentifier():
        raise TargetError(f"{attr!r} is not a handler name")
    return module, attr, ""


def profile_runs(target: str, *, runs: int = 5, python: str | None = None) -> list[list[Any]]:
    """The profiler's entries (as dicts) from ``runs`` fresh interpreters importing ``target``.

    Raises ``TargetError`` (with the child's traceback) when the target does not import.
    """
    module, attr, where = parse_target(target)
    env = dict(os.environ, LAMBDA_KIT_PROFILE_IMPORTS="0", PYTHONDONTWRITEBYTECODE="1")
    out_runs: list[list[Any]] = []
    with tempfile.TemporaryDirectory(prefix="lambda-kit-imports-") as tmp:
        out = os.path.join(tmp, "profile.json")
        for _ in range(max(1, runs)):
            proc = subprocess.run(
                [python or sys.executable, "-c", _CHILD, PROFILER_FILE, module, attr, where, out],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                raise TargetError(f"{target} did not import", proc.stderr)
            with open(out, encoding="utf-8") as f:
                out_runs.append(json.load(f)["entries"])
    return out_runs


def profile_target(target: str, *, runs: int = 5, python: str | None = None) -> Profile:
    """Import ``target`` in ``runs`` fresh interpreters; keep the fastest run.

    Raises ``TargetError`` (with the child's traceback) when the target does not import.
    """
    module = parse_target(target)[0]
    all_runs = profile_runs(target, runs=runs, python=python)
    totals = [total_ms(from_entries(entries)) for entries in all_runs]
    best = all_runs[totals.index(min(totals))]
    return Profile(module, from_entries(best), best, totals)
