"""Where the cold start goes: the import profiler, the cold start's ``init`` key, and readers.

This package's own module is on the cold path: ``import lambda_kit`` calls
``start()`` on Lambda (the profiler, ``profiler``, then times every import), and
at the first invocation the profiler stops and ``init`` is added to that
invocation's record; both hooks (``lambda_kit._hooks``) then take themselves
off, so warm invocations pay nothing at all. It lives here rather than in a
module of its own because each module on the cold path costs ~0.04 ms of every
cold start.

    "init": {"total_ms": 812.4,
             "phases": {"runtime_ms": 95.1, "imports_ms": 688.0, "module_code_ms": 21.3,
                        "other_ms": 8.0},
             "top_imports": [{"module": "boto3", "cumulative_ms": 402.2, "self_ms": 1.9}]}

``total_ms`` is the record's ``init_duration_ms``; the phases add up to it.

The rest loads on first use: ``tree`` (the import tree, slowest first, as text or
JSON), ``advice`` (what to do about it), ``importtime`` (CPython's
``-X importtime`` log, also as copied from CloudWatch), ``page`` (the
self-contained HTML page), ``runner`` (profiles a target in a fresh interpreter).

    >>> from lambda_kit import imports
    >>> profile = imports.profile_target("json")          # doctest: +SKIP
    >>> print(imports.render_text(profile.roots))           # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys

from lambda_kit import _hooks, environment, settings
from lambda_kit._current import current
from lambda_kit._hooks import problem
from lambda_kit.imports.profiler import ImportProfiler, active

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ImportProfiler",
    "active",
    "advise",
    "init_summary",
    "parse_importtime",
    "profile_target",
    "render_text",
    "start",
    "stop",
    "tree_from_entries",
    "write_html",
]

_LAZY = {
    "parse_importtime": "lambda_kit.imports.importtime",
    "tree_from_entries": "lambda_kit.imports.tree",
    "render_text": "lambda_kit.imports.tree",
    "advise": "lambda_kit.imports.advice",
    "write_html": "lambda_kit.imports.page",
    "profile_target": "lambda_kit.imports.runner",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'lambda_kit.imports' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


DEFAULT_TOP_IMPORTS = 10

_profiler: ImportProfiler | None = None


def handler_module() -> str | None:
    """The handler's module from ``_HANDLER`` (``src/app.handler`` -> ``src.app``)."""
    raw = os.environ.get(settings.HANDLER, "").strip()
    module, dot, _ = raw.rpartition(".")
    return module.replace("/", ".") if dot and module else None


def start(since_ns: int | None = None) -> ImportProfiler:
    """Start the import profiler (or adopt one the exec wrapper started) and hook it up.

    ``since_ns`` (a ``perf_counter_ns`` value) is when ``import lambda_kit`` began:
    lambda_kit starts the profiler after its own modules, which then show as one
    import, ``lambda_kit``, from that moment (timing each of them would cost more
    than it tells).

    >>> from lambda_kit.imports import start
    >>> profiler = start()
    """
    global _profiler
    profiler = active()
    if profiler is None:
        profiler = ImportProfiler(watch=handler_module())
        profiler.start()
        if since_ns is not None:
            package = sys.modules.get("lambda_kit")
            profiler.add_finished("lambda_kit", since_ns, getattr(package, "__file__", None))
    elif profiler.watch is None:
        profiler.watch = handler_module()
    profiler.on_watch_end = _handler_imported
    _profiler = profiler
    _hooks.add_start(_at_first_invocation)
    return profiler


def stop() -> None:
    """Stop the profiler now (also done at the first invocation)."""
    if _profiler is not None:
        _profiler.stop()


def _handler_imported(end_ns: int) -> None:
    profiler = _profiler
    if profiler is not None:
        environment.mark_init_end(profiler.started_wall_ns + (end_ns - profiler.started_ns))


def _at_first_invocation() -> None:
    """``on_start`` hook: at the first invocation, stop the profiler and put ``init`` on
    the invocation (a note, which the record writes in its place), then take itself
    off so that warm invocations do not call it at all (the wrapper runs a snapshot of
    the registry: removing ours skips nobody)."""
    _hooks.remove_start(_at_first_invocation)
    profiler = _profiler
    if profiler is None:
        return
    stop()
    call = current.get()
    if call is None or call.count != 1:
        return
    top = settings.env_int(settings.TOP_IMPORTS, DEFAULT_TOP_IMPORTS, low=0, high=1000)
    try:
        init = init_summary(
            profiler,
            None if call.init_ms is None else round(call.init_ms, 3),
            environment.get().process_start_ns,
            top=top,
            handler=profiler.watch,
        )
    except Exception as exc:  # the record goes out without it
        problem(f"could not summarise the init phase: {exc!r}")
        return
    call.notes = {"init": init} if call.notes is None else {**call.notes, "init": init}


def _union_ns(intervals: list[tuple[int, int]], low: int, high: int) -> int:
    """Total length of the union of intervals, clipped to [low, high]."""
    total = 0
    reach = low
    for a, b in sorted(intervals):
        a = max(a, reach)
        b = min(b, high)
        if b > a:
            total += b - a
            reach = b
    return total


def init_summary(
    profiler: Any, total_ms: float | None, process_start_ns: int, *, top: int, handler: str | None
) -> dict[str, Any]:
    """The ``init`` dict: phases that add up to ``total_ms``, and the slowest imports.

    Times are placed on the process's clock: ``process_start_ns`` is wall-clock
    (``time.time_ns``); the profiler's ``perf_counter_ns`` times are moved onto it
    through the moment it started.
    """
    entries = profiler.entries()
    shift = profiler.started_wall_ns - process_start_ns - profiler.started_ns
    # one pass: the roots, each module's children's time, and which subtrees were
    # compiled from source (this runs in the first invocation: keep it linear)
    kids_ns = [0] * len(entries)
    compiled = bytearray(len(entries))
    roots = []
    for e in entries:
        if not e.end_ns:
            continue
        parent = e.parent
        if parent < 0:
            roots.append(e)
        else:
            kids_ns[parent] += e.end_ns - e.start_ns
        if e.from_source:
            i = e.index
            while i >= 0 and not compiled[i]:
                compiled[i] = 1
                i = entries[i].parent
    watched = next((e for e in roots if handler is not None and e.name == handler), None)
    # the handler module's own code is module_code; its imports are imports
    tops = [e for e in roots if e is not watched]
    inside: list[Any] = []
    if watched is not None:
        inside = [e for e in entries if e.parent == watched.index and e.end_ns]
        tops += inside

    def span(e: Any) -> tuple[int, int]:
        return (e.start_ns + shift, e.end_ns + shift)

    start_rel = profiler.started_wall_ns - process_start_ns
    # import start offsets only mean something from a known process start
    top_imports = _top_imports(
        tops, kids_ns, compiled, top, shift if total_ms is not None else None
    )
    if total_ms is None:  # SnapStart: the process's age says nothing about init
        imports_ns = _union_ns([span(e) for e in tops], 0, 1 << 62)
        return {"phases": {"imports_ms": round(imports_ns / 1e6, 3)}, "top_imports": top_imports}
    end_rel = int(total_ms * 1_000_000)
    runtime_ms = min(max(start_rel / 1e6, 0.0), total_ms)
    imports_ms = min(
        _union_ns([span(e) for e in tops], max(start_rel, 0), end_rel) / 1e6, total_ms - runtime_ms
    )
    if watched is not None:
        a, b = span(watched)
        inner = _union_ns([span(c) for c in inside], a, b)
        module_ms = (min(b, end_rel) - max(a, 0) - inner) / 1e6
    else:
        # the profiler started inside the handler module (its first line): what is
        # not imports from there to the end of init is that module's own code
        module_ms = total_ms - runtime_ms - imports_ms
    module_ms = min(max(module_ms, 0.0), total_ms - runtime_ms - imports_ms)
    phases = {
        "runtime_ms": round(runtime_ms, 3),
        "imports_ms": round(imports_ms, 3),
        "module_code_ms": round(module_ms, 3),
    }
    phases["other_ms"] = round(max(0.0, total_ms - sum(phases.values())), 3)
    return {"total_ms": total_ms, "phases": phases, "top_imports": top_imports}


def _top_imports(
    tops: list[Any], kids_ns: list[int], compiled: bytearray, n: int, shift: int | None = None
) -> list[Any]:
    """The ``n`` slowest top-level packages (``a`` and ``a.b`` imported at top count as ``a``).

    With ``shift`` (profiler clock to nanoseconds since the process started), each
    also says when its first import began: ``start_ms`` from the process start, so
    that a trace can draw it where it happened.
    """
    groups: dict[str, list[int]] = {}
    for e in tops:
        key = e.name.partition(".")[0]
        cum = e.end_ns - e.start_ns
        g = groups.get(key)
        if g is None:
            g = groups[key] = [0, 0, 0, e.start_ns]
        g[0] += cum
        g[1] += max(cum - kids_ns[e.index], 0)
        g[2] |= compiled[e.index]
        g[3] = min(g[3], e.start_ns)
    ranked = sorted(groups.items(), key=lambda kv: -kv[1][0])[:n]
    out: list[dict[str, Any]] = []
    for name, (cum_ns, self_ns, from_source, first_ns) in ranked:
        item: dict[str, Any] = {
            "module": name,
            "cumulative_ms": round(cum_ns / 1e6, 3),
            "self_ms": round(self_ns / 1e6, 3),
        }
        if shift is not None:
            item["start_ms"] = round(max(first_ns + shift, 0) / 1e6, 3)
        if from_source:
            item["from_source"] = True
        out.append(item)
    return out
