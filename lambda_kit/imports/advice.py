"""Advice on an import tree, given only where something was measured.

Three kinds, each carrying the milliseconds it is about:

- ``compile``: modules compiled from source because no bytecode cache was usable
  (on Lambda the code directory is read-only, so this is paid on every cold start);
- ``unused``: a heavy module the target imports at module level but whose name
  its module-level code never uses (it could be imported where it is needed, or
  lazily with PEP 810's ``lazy import`` / ``__lazy_modules__`` on Python 3.15);
- ``lighter``: a known heavy package that has a lighter path.

    >>> [a["kind"] for a in advise(roots, target="app", file="app.py")]   # doctest: +SKIP
    ['unused', 'compile']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from lambda_kit.imports.tree import Node, total_ms

#: modules at least this heavy (ms, or this share of the total) get "unused" advice
HEAVY_MS = 10.0
HEAVY_SHARE = 0.05
#: a known heavy package gets "lighter" advice from this many ms on
LIGHTER_MS = 5.0
#: compiling without a bytecode cache gets advice from this many ms (all modules) on
COMPILE_MS = 1.0

# Known heavy imports and their lighter paths (facts from the projects' own docs).
LIGHTER: dict[str, str] = {
    "pkg_resources": "importlib.metadata / importlib.resources (pkg_resources scans every "
    "installed distribution at import; setuptools deprecates it)",
    "requests": "urllib3, which requests is built on, or http.client for a single call",
    "dateutil": "datetime.fromisoformat, which parses ISO 8601 since Python 3.11",
    "simplejson": "json from the standard library, or orjson",
    "jsonschema": "fastjsonschema, which compiles a schema to a function once",
    "pandas": "the csv module or pyarrow for reading and writing tables; import pandas only "
    "in the code path that needs it",
    "pytz": "zoneinfo from the standard library (Python 3.9+)",
    "yaml": "json for configuration that machines write",
    "aws_xray_sdk": "OpenTelemetry's API (lambda_kit's otel sink) if you already export spans",
}

_CO_NEWLOCALS = 0x0002
# what follows IMPORT_NAME while the names it binds are stored
_IMPORT_TAIL = ("IMPORT_FROM", "POP_TOP", "SWAP", "COPY", "ROT_TWO", "CACHE", "NOP")
_COMPREHENSIONS = ("<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>")


def advise(
    roots: Sequence[Node], *, target: str | None = None, file: str | None = None
) -> list[dict[str, Any]]:
    """Advice for the tree ``roots``; ``target``/``file`` name the profiled module.

    Each item: ``{"kind", "module", "ms", "message"}``, heaviest first within a kind.
    """
    out: list[dict[str, Any]] = []
    whole = total_ms(roots)
    target_node = _find(roots, target) if target else None
    if target_node is not None and file and file.endswith(".py"):
        out.extend(_unused(target_node, file, whole))
    out.extend(_lighter(roots))
    out.extend(_compiled(roots))
    return out


def _find(roots: Sequence[Node], name: str) -> Node | None:
    for root in roots:
        for node, _ in root.walk():
            if node.name == name:
                return node
    return None


def _compiled(roots: Sequence[Node]) -> list[dict[str, Any]]:
    nodes = [n for r in roots for n, _ in r.walk() if n.from_source]
    if not nodes:
        return []
    ms = sum(n.compile_ms for n in nodes)
    if ms < COMPILE_MS and any(n.compile_ms for n in nodes):  # measured, and not worth it
        return []
    dirs = sorted({_top_dir(n.file) for n in nodes if n.file})
    where = " ".join(dirs[:3]) + (" ..." if len(dirs) > 3 else "") if dirs else "."
    spent = f", {ms:.1f} ms of compiling" if ms else ""
    return [
        {
            "kind": "compile",
            "module": ", ".join(n.name for n in nodes[:5]) + (" ..." if len(nodes) > 5 else ""),
            "ms": round(ms, 3),
            "message": f"{len(nodes)} module(s) were compiled from source because no bytecode "
            f"cache was usable{spent}. On Lambda the code directory is read-only, so this is "
            f"paid on every cold start: run `python -m compileall -q {where}` when you build "
            f"the package.",
        }
    ]


def _top_dir(file: str) -> str:
    # the directory that holds the top-level package (or the module itself)
    path = os.path.dirname(file)
    while os.path.exists(os.path.join(path, "__init__.py")):
        path = os.path.dirname(path)
    return path or "."


def _lighter(roots: Sequence[Node]) -> list[dict[str, Any]]:
    seen: dict[str, Node] = {}
    for root in roots:
        for node, _ in root.walk():
            if node.name in LIGHTER and node.cumulative_ms >= LIGHTER_MS:
                seen.setdefault(node.name, node)
    return [
        {
            "kind": "lighter",
            "module": name,
            "ms": round(node.cumulative_ms, 3),
            "message": f"{name} costs {node.cumulative_ms:.1f} ms to import; lighter: "
            f"{LIGHTER[name]}.",
        }
        for name, node in sorted(seen.items(), key=lambda kv: -kv[1].cumulative_ms)
    ]


def _unused(target: Node, file: str, whole: float) -> list[dict[str, Any]]:
    try:
        with open(file, "rb") as f:
            code = compile(f.read(), file, "exec")
    except (OSError, SyntaxError, ValueError):
        return []
    bound, used = module_level_names(code)
    heavy = max(HEAVY_MS, HEAVY_SHARE * whole)
    out = []
    for child in sorted(target.children, key=lambda n: -n.cumulative_ms):
        if child.cumulative_ms < heavy:
            continue
        names = {
            name
            for module, name in bound
            if module == child.name
            or module.startswith(child.name + ".")
            or child.name.startswith(module + ".")
        }
        if not names or names & used:  # imported indirectly, or used at module level
            continue
        ms = child.cumulative_ms
        forms = lazy_forms(child.name, ms)
        shown = "; ".join(f"{f['form']} ({f['note']})" for f in forms)
        out.append(
            {
                "kind": "unused",
                "module": child.name,
                "ms": round(ms, 3),
                "forms": forms,
                "message": f"{child.name} ({ms:.1f} ms) is imported at module "
                f"level but the module-level code never uses "
                f"{', '.join(sorted(names))}: each of these takes it off init (the first call "
                f"that uses it pays it instead): {shown}.",
            }
        )
    return out


def lazy_forms(module: str, ms: float) -> list[dict[str, Any]]:
    """The ways to take ``module``'s import (``ms``) off init, and what each saves where.

    PEP 810 (accepted for Python 3.15): ``lazy import x`` defers the import to the first
    use of the name, but is a SyntaxError before 3.15; a module-level
    ``__lazy_modules__`` naming ``x`` makes the plain ``import x`` lazy on 3.15 and is
    ignored by older Pythons. Moving the import into the function works everywhere.
    The saving is the module's cumulative import time, as measured, unless another
    module-level import loads it anyway.

    >>> [f["saves_ms"] for f in lazy_forms("pandas", 120.0)]
    [120.0, 120.0, 120.0]
    """
    saved = round(ms, 3)
    return [
        {
            "form": "import it inside the function that uses it",
            "saves_ms": saved,
            "note": f"{ms:.1f} ms off init on every Python",
        },
        {
            "form": f"lazy import {module}",
            "saves_ms": saved,
            "note": f"{ms:.1f} ms off init on Python 3.15+; a SyntaxError before 3.15",
        },
        {
            "form": f"__lazy_modules__ = [{module!r}] above the import",
            "saves_ms": saved,
            "note": f"{ms:.1f} ms off init on Python 3.15+, 0 ms on older Pythons, which ignore it",
        },
    ]


def module_level_names(code: Any) -> tuple[set[tuple[str, str]], set[str]]:
    """What a module's top-level code imports and which names it reads.

    Returns ``{(imported module, bound name)}`` and the names loaded by code that
    runs at import (the module body, class bodies, comprehensions, decorators).
    """
    import dis

    bound: set[tuple[str, str]] = set()
    used: set[str] = set()
    todo = [code]
    while todo:
        co = todo.pop()
        module = None
        for ins in dis.get_instructions(co):
            op = ins.opname
            if op == "IMPORT_NAME":
                module = str(ins.argval)
            elif op in ("STORE_NAME", "STORE_GLOBAL"):
                if module is not None:
                    bound.add((module, str(ins.argval)))
            elif op in ("LOAD_NAME", "LOAD_GLOBAL", "LOAD_DEREF", "LOAD_CLASSDEREF"):
                used.add(str(ins.argval))
                module = None
            elif op not in _IMPORT_TAIL:
                module = None
        for const in co.co_consts:
            if hasattr(const, "co_code") and (
                not const.co_flags & _CO_NEWLOCALS or const.co_name in _COMPREHENSIONS
            ):
                todo.append(const)
    return bound, used
