"""Lazy-import advice for Python 3.15 (PEP 810) beside moving the import into the function."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lambda_kit.imports.advice import advise, lazy_forms
from lambda_kit.imports.tree import Node


def _tree() -> list[Node]:
    heavy = Node("heavy", cumulative_ms=42.5, self_ms=42.5)
    app = Node("app", cumulative_ms=50.0, self_ms=7.5)
    app.children = [heavy]
    return [app]


def test_an_unused_heavy_import_shows_the_three_forms_with_what_each_saves(tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text("import heavy\n\ndef handler(e, c):\n    return heavy.x\n")
    (item,) = advise(_tree(), target="app", file=str(app))
    forms = {f["form"]: f for f in item["forms"]}
    assert set(forms) == {
        "import it inside the function that uses it",
        "lazy import heavy",
        "__lazy_modules__ = ['heavy'] above the import",
    }
    assert all(f["saves_ms"] == 42.5 for f in item["forms"])
    assert "0 ms on older Pythons" in forms["__lazy_modules__ = ['heavy'] above the import"]["note"]
    assert "a SyntaxError before 3.15" in forms["lazy import heavy"]["note"]
    assert "lazy import heavy" in item["message"] and "42.5 ms" in item["message"]


def test_a_used_import_gets_no_lazy_advice(tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text("import heavy\nclient = heavy.connect()\n")
    assert advise(_tree(), target="app", file=str(app)) == []


def test_the_lazy_modules_form_runs_unchanged_on_this_python(tmp_path: Path):
    # what the advice tells a user to write must work on the Pythons lambda_kit supports
    (tmp_path / "slowmod.py").write_text("VALUE = 7\n")
    (tmp_path / "app.py").write_text(
        "__lazy_modules__ = ['slowmod']\nimport slowmod\n\ndef handler():\n    return slowmod.VALUE\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import app; print(app.handler())"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip
    assert done.stdout.strip() == "7", done.stderr


def test_the_lazy_keyword_is_said_to_need_3_15_where_it_does_not_parse():
    try:
        compile("lazy import json\n", "<advice>", "exec")
        parses = True
    except SyntaxError:
        parses = False
    note = lazy_forms("json", 3.0)[1]["note"]
    assert parses == (sys.version_info >= (3, 15))
    assert "SyntaxError before 3.15" in note
