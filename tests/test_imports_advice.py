"""Advice on an import tree: only where something was measured, and only what is worth it."""

from __future__ import annotations

from pathlib import Path

from lambda_kit.imports.advice import advise, module_level_names
from lambda_kit.imports.tree import Node


def node(name: str, ms: float, *kids: Node, **kw: object) -> Node:
    n = Node(name, cumulative_ms=ms, self_ms=ms - sum(k.cumulative_ms for k in kids), **kw)  # type: ignore[arg-type]
    n.children = list(kids)
    return n


def test_compiling_that_cost_next_to_nothing_gets_no_advice():
    tree = [node("app", 5.0, node("dep", 4.0, from_source=True, compile_ms=0.2))]
    assert [a for a in advise(tree) if a["kind"] == "compile"] == []


def test_compiling_that_cost_a_millisecond_or_more_gets_advice():
    tree = [node("app", 9.0, node("dep", 8.0, from_source=True, compile_ms=3.0, file="/x/dep.py"))]
    (item,) = [a for a in advise(tree) if a["kind"] == "compile"]
    assert item["ms"] == 3.0 and "python -m compileall -q /x" in item["message"]


def test_a_known_heavy_package_gets_its_lighter_path_only_when_it_was_slow():
    slow = [node("app", 30.0, node("requests", 25.0))]
    fast = [node("app", 5.0, node("requests", 2.0))]
    assert [a["module"] for a in advise(slow) if a["kind"] == "lighter"] == ["requests"]
    assert [a for a in advise(fast) if a["kind"] == "lighter"] == []


def test_a_heavy_import_used_only_inside_functions_is_named(tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text("import heavy\nimport light\n\ndef handler(e, c):\n    return heavy.x\n")
    tree = [node("app", 60.0, node("heavy", 50.0), node("light", 1.0))]
    items = advise(tree, target="app", file=str(app))
    assert [(a["kind"], a["module"]) for a in items] == [("unused", "heavy")]


def test_a_heavy_import_used_by_module_level_code_is_not_named(tmp_path: Path):
    app = tmp_path / "app.py"
    app.write_text("import heavy\nclient = heavy.connect()\n")
    tree = [node("app", 60.0, node("heavy", 50.0))]
    assert advise(tree, target="app", file=str(app)) == []


def test_module_level_names_follow_aliases_from_imports_and_class_bodies():
    src = (
        "import json, os.path\n"
        "import xml.etree.ElementTree as ET\n"
        "from email import parser as p, message\n"
        "import boto3\n"
        "x = json.dumps(1)\n"
        "class A:\n"
        "    y = ET\n"
        "def f():\n"
        "    return boto3\n"
    )
    bound, used = module_level_names(compile(src, "m.py", "exec"))
    assert bound == {
        ("json", "json"),
        ("os.path", "os"),
        ("xml.etree.ElementTree", "ET"),
        ("email", "p"),
        ("email", "message"),
        ("boto3", "boto3"),
    }
    assert {"json", "ET"} <= used and "boto3" not in used
