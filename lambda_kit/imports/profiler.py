"""The import profiler's core: it times every module the import system loads.

It stands in for ``importlib._bootstrap._find_and_load``, the one function
through which every import of a module not yet in ``sys.modules`` passes:
``import x``, ``from x import y``, ``importlib.import_module``, a package's
parent import. CPython's own ``-X importtime`` times exactly that call, so the
figures and the tree are CPython's (a parent package imported as part of
``import a.b`` counts inside ``a.b``). A module already imported never reaches
it, so a warm invocation pays nothing even while the profiler runs; a cold
import pays one Python call and one small object (measured in
``benchmarks/bench_imports.py``). Each thread keeps its own stack of imports in
progress, so imports in several threads build a correct tree.

This module is self-contained on purpose: it imports nothing but ``sys``,
``time`` and ``_thread`` (all loaded before any user code), so that
``import lambda_kit`` can start it for well under a millisecond, and so that
``lambda-kit imports`` can run it in a fresh interpreter *before* anything else
(it executes this file by path, without importing the ``lambda_kit`` package).

    >>> p = ImportProfiler().start()
    >>> import json
    >>> p.stop()
    >>> [e.name for e in p.entries()]      # doctest: +SKIP
    ['json', 'json.decoder', 're', ...]

Where CPython calls it: ``import_find_and_load`` in Python/import.c looks
``_find_and_load`` up on the import system's module at each call (3.11-3.13).
"""

from __future__ import annotations

import sys
import time
from _thread import allocate_lock, get_ident

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_perf_ns = time.perf_counter_ns

#: marks our stand-in (and the compiler hook), whichever copy of this module made it
MARKER = "_lambda_kit_import_profiler"

_bootstrap: Any = sys.modules.get("_frozen_importlib")
_external = sys.modules.get("_frozen_importlib_external")
_SourceLoader: Any = getattr(_external, "SourceLoader", None)


class Entry:
    """One imported module: name, parent (index or -1), times in ``perf_counter_ns``.

    ``from_source`` is True when the module was compiled from its ``.py`` because no
    usable bytecode cache was found (on Lambda, paid on every cold start);
    ``compile_ns`` is how long compiling it took; ``file`` is its ``__file__``.
    """

    __slots__ = (
        "compile_ns", "end_ns", "file", "from_source", "index", "name", "parent",
        "start_ns", "thread",
    )  # fmt: skip

    def __init__(self, name: str, parent: int, start_ns: int, thread: int) -> None:
        self.name = name
        self.parent = parent
        self.start_ns = start_ns
        self.thread = thread
        self.end_ns = 0
        self.index = -1
        self.file: str | None = None
        self.from_source = False
        self.compile_ns = 0  # time spent compiling it, when from_source


class ImportProfiler:
    """Records every import while it is started.

    ``watch`` names a module (the Lambda handler's) whose end of import is reported to
    ``on_watch_end(end_ns)`` (a ``perf_counter_ns`` value).

        >>> p = ImportProfiler().start()
        >>> import colorsys
        >>> p.stop()
        >>> p.entries()[0].name
        'colorsys'
    """

    def __init__(self, watch: str | None = None, on_watch_end: Any = None) -> None:
        self.watch = watch
        self.on_watch_end = on_watch_end
        self.started_ns = 0  # perf_counter_ns at start
        self.started_wall_ns = 0  # time.time_ns at the same moment
        self.stopped_ns = 0
        self.running = False
        self._entries: list[Entry] = []
        self._lock = allocate_lock()  # an entry's index is its place in _entries
        self._stacks: dict[int, list[Entry]] = {}  # thread -> imports in progress
        self._saved_find_and_load: Any = None
        self._saved_source_to_code: Any = None

    # -- control --------------------------------------------------------------------
    def start(self) -> ImportProfiler:
        """Stand in for the import system's ``_find_and_load``; returns ``self``."""
        if self.running or _bootstrap is None:
            return self
        self.started_wall_ns = time.time_ns()
        self.started_ns = _perf_ns()
        self.running = True
        self._saved_find_and_load = _bootstrap._find_and_load
        _bootstrap._find_and_load = self._make_find_and_load(self._saved_find_and_load)
        if _SourceLoader is not None:
            original = _SourceLoader.__dict__.get("source_to_code")
            if original is not None and not getattr(original, MARKER, None):
                self._saved_source_to_code = original
                _SourceLoader.source_to_code = self._make_source_to_code(original)
        return self

    def stop(self) -> None:
        """Give the import system its own function back; what was recorded stays readable.

        When something else replaced it after us, ours stays in its chain but only
        passes calls through."""
        if not self.running:
            return
        self.running = False
        self.stopped_ns = _perf_ns()
        if getattr(_bootstrap._find_and_load, MARKER, None) is self:
            _bootstrap._find_and_load = self._saved_find_and_load
        if self._saved_source_to_code is not None:
            _SourceLoader.source_to_code = self._saved_source_to_code
            self._saved_source_to_code = None

    def add_finished(self, name: str, since_ns: int, file: str | None = None) -> Entry:
        """Record ``name`` as an import that ran from ``since_ns`` until now, before the
        profiler started (``import lambda_kit`` starts it after its own modules); the
        profiler's start moves back to ``since_ns``, so that time counts as imports."""
        now = _perf_ns()
        entry = Entry(name, -1, since_ns, get_ident())
        entry.end_ns = now
        entry.file = file
        self._record(entry)
        if since_ns < self.started_ns:
            self.started_wall_ns -= self.started_ns - since_ns
            self.started_ns = since_ns
        return entry

    def entries(self) -> list[Entry]:
        """The imports recorded so far, in the order they started loading."""
        return list(self._entries)

    # -- the stand-in -------------------------------------------------------------------
    def _make_find_and_load(self, original: Any) -> Any:
        modules = sys.modules
        stacks = self._stacks

        def _find_and_load(name: str, import_: Any) -> Any:
            # already there: another thread is importing it; that thread records it
            if not self.running or name in modules:
                return original(name, import_)
            tid = get_ident()
            stack = stacks.get(tid)
            if stack is None:
                stack = stacks[tid] = []
            entry = Entry(name, stack[-1].index if stack else -1, _perf_ns(), tid)
            self._record(entry)
            stack.append(entry)
            try:
                module = original(name, import_)
            except ModuleNotFoundError as exc:
                entry.end_ns = _perf_ns()
                self._close(stack, entry)
                if exc.name == name:  # nothing by that name: no import to show
                    self._discard(entry)
                raise
            except BaseException:
                entry.end_ns = _perf_ns()
                self._close(stack, entry)
                raise
            entry.end_ns = end = _perf_ns()
            self._close(stack, entry)
            try:  # noqa: SIM105 (contextlib is not loaded yet on the cold path)
                entry.file = getattr(module, "__file__", None)
            except Exception:  # an object standing in for a module, whose __getattr__ raises
                pass
            if name == self.watch and self.on_watch_end is not None:
                try:  # noqa: SIM105 (contextlib is not loaded yet on the cold path)
                    self.on_watch_end(end)
                except Exception:  # never let a callback break an import
                    pass
            return module

        setattr(_find_and_load, MARKER, self)
        return _find_and_load

    def _record(self, entry: Entry) -> None:
        with self._lock:  # two threads must not take the same index
            entry.index = len(self._entries)
            self._entries.append(entry)

    def _discard(self, entry: Entry) -> None:
        # only when nothing was recorded after it (indices are places in the list); a
        # parent package found on the way keeps it, as in CPython's log
        with self._lock:
            if self._entries and self._entries[-1] is entry:
                self._entries.pop()

    @staticmethod
    def _close(stack: list[Entry], entry: Entry) -> None:
        if stack and stack[-1] is entry:
            stack.pop()
        elif entry in stack:  # something above it never finished: close it here too
            while stack:
                top = stack.pop()
                if not top.end_ns:
                    top.end_ns = entry.end_ns
                if top is entry:
                    break

    def _current(self) -> Entry | None:
        stack = self._stacks.get(get_ident())
        return stack[-1] if stack else None

    def _make_source_to_code(self, original: Any) -> Any:
        current = self._current

        def source_to_code(loader: Any, data: Any, path: Any, *args: Any, **kw: Any) -> Any:
            entry = current()
            if entry is None:
                return original(loader, data, path, *args, **kw)
            entry.from_source = True
            t0 = _perf_ns()
            try:
                return original(loader, data, path, *args, **kw)
            finally:
                entry.compile_ns += _perf_ns() - t0

        setattr(source_to_code, MARKER, True)
        return source_to_code


def active() -> ImportProfiler | None:
    """The running profiler, whichever copy of this module started it."""
    profiler = getattr(getattr(_bootstrap, "_find_and_load", None), MARKER, None)
    return profiler if profiler is not None and profiler.running else None
