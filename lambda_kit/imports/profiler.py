"""The import profiler's core: a ``sys.meta_path`` finder that times every import.

It sits first on ``sys.meta_path``, asks the finders behind it for the spec,
and wraps the spec's loader so that ``create_module``/``exec_module`` are timed.
So ``import x``, ``from x import y``, ``importlib.import_module`` and lazy
imports are all seen. Each thread keeps its own stack of imports in progress,
so imports in several threads build a correct tree.

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

Timing follows CPython's ``-X importtime``: a module's time runs from the
lookup of its spec to the end of its module code; a parent package imported as
part of ``import a.b`` counts inside ``a.b`` (as CPython reports it).
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
_getframe = sys._getframe

#: marks our finder on sys.meta_path, whichever copy of this module made it
MARKER = "_lambda_kit_import_profiler"


def _code_of(module: Any, name: str) -> Any:
    func = getattr(module, name, None)
    return getattr(func, "__code__", None)


# The import system's own frames, to recognise "parent package imported as part of a
# dotted import" (CPython nests it inside the dotted name). None where unknown.
_bootstrap = sys.modules.get("_frozen_importlib")
_CALL_REMOVED = _code_of(_bootstrap, "_call_with_frames_removed")
_GCD_IMPORT = _code_of(_bootstrap, "_gcd_import")
_LOAD_UNLOCKED = _code_of(_bootstrap, "_find_and_load_unlocked")
_external = sys.modules.get("_frozen_importlib_external")
_SourceLoader: Any = getattr(_external, "SourceLoader", None)
_SourceFileLoader: Any = getattr(_external, "SourceFileLoader", None)


class Entry:
    """One imported module: name, parent (index or -1), times in ``perf_counter_ns``.

    ``from_source`` is True when the module was compiled from its ``.py`` because no
    usable bytecode cache was found (on Lambda, paid on every cold start);
    ``compile_ns`` is how long compiling it took.
    """

    __slots__ = (
        "_adopt",
        "_loader",
        "_owner",
        "_proxy_spec",
        "_saved_create",
        "_saved_exec",
        "compile_ns",
        "end_ns",
        "file",
        "from_source",
        "index",
        "name",
        "parent",
        "pushed",
        "start_ns",
        "thread",
    )

    def __init__(self, owner: ImportProfiler, name: str, start_ns: int, file: Any) -> None:
        self._owner = owner
        self.name = name
        self.start_ns = start_ns
        self.end_ns = 0
        self.file = file if isinstance(file, str) else None
        self.from_source = False
        self.compile_ns = 0  # time spent compiling it, when from_source
        self.parent = -1
        self.index = -1
        self.pushed = False
        self.thread = 0
        self._adopt: str | None = None  # the dotted import this is the parent package of
        self._loader: Any = None
        self._saved_exec: Any = None
        self._saved_create: Any = None
        self._proxy_spec: Any = None

    # -- the loader methods we stand in for -----------------------------------------
    def create_module(self, spec: Any) -> Any:
        """Times the loader's ``create_module`` (extension modules do their work here)."""
        create = self._saved_create
        self._unpatch("create_module")
        self._owner._push(self)
        try:
            return create(spec)
        except BaseException:
            self._owner._pop(self)
            self._restore_proxy(None)
            raise

    def exec_module(self, module: Any) -> None:
        """Times the loader's ``exec_module``: the module's own code and its imports."""
        run = self._saved_exec
        self._unpatch("exec_module")
        self._unpatch("create_module")
        if not self.pushed:
            self._owner._push(self)
        try:
            run(module)
        finally:
            self._owner._pop(self)
            self._restore_proxy(module)

    def _unpatch(self, attr: str) -> None:
        loader = self._loader
        if self._proxy_spec is None and loader is not None:
            try:  # noqa: SIM105 (contextlib is not loaded yet on the cold path)
                loader.__dict__.pop(attr, None)
            except AttributeError:
                pass

    def _restore_proxy(self, module: Any) -> None:
        spec = self._proxy_spec
        if spec is None:
            return
        self._proxy_spec = None
        spec.loader = self._loader
        if module is not None and getattr(module, "__loader__", None) is not self._loader:
            try:  # noqa: SIM105 (contextlib is not loaded yet on the cold path)
                module.__loader__ = self._loader
            except (AttributeError, TypeError):
                pass


class _Proxy:
    """Stands in for a loader that cannot take instance attributes (a class, or slots)."""

    __slots__ = ("_entry", "_loader")

    def __init__(self, loader: Any, entry: Entry) -> None:
        self._loader = loader
        self._entry = entry

    def create_module(self, spec: Any) -> Any:
        create = getattr(self._loader, "create_module", None)
        self._entry._saved_create = create if create is not None else _no_module
        return self._entry.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._entry._saved_exec = self._loader.exec_module
        self._entry.exec_module(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def _no_module(spec: Any) -> None:
    return None


class _ThreadState:
    __slots__ = ("adoptable", "stack")

    def __init__(self) -> None:
        self.stack: list[Entry] = []
        self.adoptable: list[Entry] = []


class ImportProfiler:
    """A ``sys.meta_path`` finder that records every import while it is started.

    ``watch`` names a module (the Lambda handler's) whose end of import is reported to
    ``on_watch_end(end_ns)`` (a ``perf_counter_ns`` value).

        >>> p = ImportProfiler().start()
        >>> import colorsys
        >>> p.stop()
        >>> p.entries()[0].name
        'colorsys'
    """

    _lambda_kit_import_profiler = True

    def __init__(self, watch: str | None = None, on_watch_end: Any = None) -> None:
        self.watch = watch
        self.on_watch_end = on_watch_end
        self.started_ns = 0  # perf_counter_ns at start
        self.started_wall_ns = 0  # time.time_ns at the same moment
        self.stopped_ns = 0
        self.running = False
        self._entries: list[Entry] = []
        self._lock = allocate_lock()  # an entry's index is its place in _entries
        self._threads: dict[int, _ThreadState] = {}
        self._saved_source_to_code: Any = None

    # -- control --------------------------------------------------------------------
    def start(self) -> ImportProfiler:
        """Put the finder first on ``sys.meta_path``; returns ``self``."""
        if self.running:
            return self
        self.started_wall_ns = time.time_ns()
        self.started_ns = _perf_ns()
        self.running = True
        if _SourceLoader is not None:
            original = _SourceLoader.__dict__.get("source_to_code")
            if original is not None and not getattr(original, MARKER, False):
                self._saved_source_to_code = original
                _SourceLoader.source_to_code = self._make_source_to_code(original)
        sys.meta_path.insert(0, self)
        return self

    def stop(self) -> None:
        """Take the finder off ``sys.meta_path``; what was recorded stays readable."""
        if not self.running:
            return
        self.running = False
        self.stopped_ns = _perf_ns()
        try:  # noqa: SIM105 (contextlib is not loaded yet on the cold path)
            sys.meta_path.remove(self)
        except ValueError:
            pass
        if self._saved_source_to_code is not None:
            _SourceLoader.source_to_code = self._saved_source_to_code
            self._saved_source_to_code = None

    def entries(self) -> list[Entry]:
        """The imports recorded so far, in the order they started loading."""
        return list(self._entries)

    # -- the finder -------------------------------------------------------------------
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        """Finds the spec with the finders behind us and wraps its loader to time it."""
        start = _perf_ns()
        spec = None
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            if find is None:  # a legacy finder: let the import system handle the rest
                return None
            spec = find(fullname, path, target)
            if spec is not None:
                break
        if spec is None or not self.running:
            return spec
        entry = Entry(self, fullname, start, spec.origin)
        try:
            # parent package imported by `import a.b`: frames 4-6 are the import system's
            code = _getframe(4).f_code
            up = 5
            if code is _GCD_IMPORT:
                code = _getframe(5).f_code
                up = 6
            if code is _CALL_REMOVED:
                frame = _getframe(up)
                if frame.f_code is _LOAD_UNLOCKED:  # rare: once per package, so f_locals is fine
                    child = frame.f_locals.get("name")
                    entry._adopt = child if isinstance(child, str) else None
        except ValueError:
            pass
        loader = spec.loader
        if loader is None:  # a namespace package: nothing to run, only the lookup to time
            self._push(entry)
            self._pop(entry)
            return spec
        entry._loader = loader
        d = None if isinstance(loader, type) else getattr(loader, "__dict__", None)
        if d is not None:
            # a loader shared by several modules (a zipimporter) may still carry our patch
            # from a lookup that never loaded (importlib.util.find_spec): drop it
            for attr in ("exec_module", "create_module"):
                if isinstance(getattr(d.get(attr), "__self__", None), Entry):
                    del d[attr]
        if d is None or "exec_module" in d or "create_module" in d:
            entry._proxy_spec = spec
            spec.loader = _Proxy(loader, entry)
            return spec
        entry._saved_exec = loader.exec_module
        d["exec_module"] = entry.exec_module
        if type(loader) is not _SourceFileLoader:  # only these never create the module
            create = getattr(loader, "create_module", None)
            entry._saved_create = create if create is not None else _no_module
            d["create_module"] = entry.create_module
        return spec

    # -- bookkeeping --------------------------------------------------------------------
    def _push(self, entry: Entry) -> None:
        tid = get_ident()
        state = self._threads.get(tid)
        if state is None:
            state = self._threads[tid] = _ThreadState()
        stack = state.stack
        parent = stack[-1].index if stack else -1
        entry.parent = parent
        entry.thread = tid
        entry.pushed = True
        self._record(entry)
        adoptable = state.adoptable
        if adoptable:
            prefix = entry.name
            for done in adoptable:
                if done.parent == parent and done._adopt == prefix:
                    done.parent = entry.index
                    if done.start_ns < entry.start_ns:
                        entry.start_ns = done.start_ns
            adoptable.clear()
        stack.append(entry)

    def _record(self, entry: Entry) -> None:
        with self._lock:  # two threads must not take the same index
            entry.index = len(self._entries)
            self._entries.append(entry)

    def _pop(self, entry: Entry) -> None:
        entry.end_ns = end = _perf_ns()
        state = self._threads.get(entry.thread)
        if state is None:
            return
        stack = state.stack
        if stack and stack[-1] is entry:
            stack.pop()
        elif entry in stack:  # something above it never finished: close it here too
            while stack:
                top = stack.pop()
                if not top.end_ns:
                    top.end_ns = end
                if top is entry:
                    break
        child = entry._adopt
        if child is None:
            if state.adoptable:
                state.adoptable.clear()
        elif child in sys.modules:
            # the package imported the dotted module itself, so no lookup will follow:
            # stand in for it now, around the package, as CPython's log shows it
            outer = Entry(self, child, entry.start_ns, None)
            outer.end_ns = end
            outer.parent = entry.parent
            outer.thread = entry.thread
            outer.pushed = True
            self._record(outer)
            entry.parent = outer.index
        else:
            state.adoptable.append(entry)
        if entry.name == self.watch and self.on_watch_end is not None:
            try:  # noqa: SIM105 (contextlib is not loaded yet on the cold path)
                self.on_watch_end(end)
            except Exception:  # never let a callback break an import
                pass

    def _current(self) -> Entry | None:
        state = self._threads.get(get_ident())
        if state is None or not state.stack:
            return None
        return state.stack[-1]

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
    """The profiler on ``sys.meta_path``, whichever copy of this module started it."""
    for finder in sys.meta_path:
        if getattr(finder, MARKER, False):
            return finder  # type: ignore[return-value]
    return None
