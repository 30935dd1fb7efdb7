"""The in-process import profiler: what it records, and that it leaves the import system as it was."""

from __future__ import annotations

import importlib
import importlib.util
import py_compile
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from lambda_kit.imports.profiler import ImportProfiler, active
from tests._imports_helpers import write_modules


@pytest.fixture
def modroot(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, str]]:
    """A directory on sys.path and a unique prefix for module names in it."""
    prefix = f"lkp_{request.node.name[:30].replace('[', '_').replace(']', '_')}_"
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    try:
        yield tmp_path, prefix
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith(prefix)]:
            del sys.modules[name]


def profile(fn: object) -> ImportProfiler:
    p = ImportProfiler().start()
    try:
        fn()  # type: ignore[operator]
    finally:
        p.stop()
    return p


def by_name(p: ImportProfiler) -> dict[str, object]:
    return {e.name: e for e in p.entries()}


def test_an_import_statement_is_recorded_with_its_file(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}a": "X = 1\n"})
    p = profile(lambda: importlib.import_module(f"{pre}a") and None)
    (entry,) = [e for e in p.entries() if e.name == f"{pre}a"]
    assert entry.file == str(root / f"{pre}a.py")
    assert entry.end_ns > entry.start_ns
    assert entry.parent == -1


def test_nested_imports_link_each_module_to_its_importer(modroot):
    root, pre = modroot
    write_modules(
        root,
        {f"{pre}a": f"import {pre}b\n", f"{pre}b": f"from {pre}c import X\n", f"{pre}c": "X = 1\n"},
    )
    p = profile(lambda: importlib.import_module(f"{pre}a"))
    entries = p.entries()
    names = [e.name for e in entries]
    a, b, c = (entries[names.index(f"{pre}{x}")] for x in "abc")
    assert (a.parent, b.parent, c.parent) == (-1, a.index, b.index)


def test_cumulative_time_covers_the_children(modroot):
    root, pre = modroot
    write_modules(
        root, {f"{pre}a": f"import {pre}b\nimport time\ntime.sleep(0.01)\n", f"{pre}b": "pass\n"}
    )
    p = profile(lambda: importlib.import_module(f"{pre}a"))
    e = by_name(p)
    a, b = e[f"{pre}a"], e[f"{pre}b"]
    assert a.start_ns <= b.start_ns and b.end_ns <= a.end_ns  # type: ignore[attr-defined]
    assert a.end_ns - a.start_ns >= 10_000_000  # type: ignore[attr-defined]


def test_a_dotted_import_nests_the_parent_packages_as_cpython_does(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}p.q.r": "pass\n", f"{pre}p.q": "", f"{pre}p": ""})
    p = profile(lambda: __import__(f"{pre}p.q.r"))
    e = by_name(p)
    pkg, sub, leaf = e[f"{pre}p"], e[f"{pre}p.q"], e[f"{pre}p.q.r"]
    assert leaf.parent == -1  # type: ignore[attr-defined]
    assert sub.parent == leaf.index  # type: ignore[attr-defined]
    assert pkg.parent == sub.index  # type: ignore[attr-defined]
    assert leaf.start_ns <= pkg.start_ns  # type: ignore[attr-defined]


def test_from_package_import_submodule_is_a_child_of_the_importer(modroot):
    root, pre = modroot
    write_modules(
        root, {f"{pre}p": "", f"{pre}p.s": "pass\n", f"{pre}user": f"from {pre}p import s\n"}
    )
    p = profile(lambda: importlib.import_module(f"{pre}user"))
    e = by_name(p)
    assert e[f"{pre}p.s"].parent == e[f"{pre}user"].index  # type: ignore[attr-defined]
    assert e[f"{pre}p"].parent == e[f"{pre}user"].index  # type: ignore[attr-defined]


def test_import_module_and_lazy_imports_inside_functions_are_seen(modroot):
    root, pre = modroot
    write_modules(
        root,
        {
            f"{pre}lazy": f"def load():\n    import {pre}late\n    return {pre}late\n",
            f"{pre}late": "pass\n",
        },
    )

    def go() -> None:
        importlib.import_module(f"{pre}lazy").load()

    p = profile(go)
    assert {f"{pre}lazy", f"{pre}late"} <= set(by_name(p))


def test_a_module_compiled_without_bytecode_cache_is_marked(modroot, monkeypatch):
    root, pre = modroot
    write_modules(root, {f"{pre}fresh": "pass\n", f"{pre}cached": "pass\n"})
    # give "cached" its .pyc first, then import both with no cache writing
    py_compile.compile(str(root / f"{pre}cached.py"), doraise=True)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)

    def go() -> None:
        importlib.import_module(f"{pre}fresh")
        importlib.import_module(f"{pre}cached")

    e = by_name(profile(go))
    assert e[f"{pre}fresh"].from_source is True  # type: ignore[attr-defined]
    assert e[f"{pre}fresh"].compile_ns > 0  # type: ignore[attr-defined]
    assert e[f"{pre}cached"].from_source is False  # type: ignore[attr-defined]
    assert e[f"{pre}cached"].compile_ns == 0  # type: ignore[attr-defined]


def test_the_loader_is_left_as_it_was_after_the_import(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}m": "pass\n"})
    profile(lambda: importlib.import_module(f"{pre}m"))
    mod = sys.modules[f"{pre}m"]
    assert type(mod.__loader__).__name__ == "SourceFileLoader"
    assert "exec_module" not in vars(mod.__loader__)
    assert mod.__spec__.loader is mod.__loader__


def test_builtin_and_extension_modules_keep_their_own_loader(modroot):
    for name in ("_bisect", "_csv", "audioop"):
        sys.modules.pop(name, None)
    p = profile(lambda: [importlib.import_module(n) for n in ("_bisect", "_csv")])
    assert {"_bisect", "_csv"} <= set(by_name(p))
    assert not type(sys.modules["_csv"].__loader__).__name__.startswith("_Proxy")
    assert not type(sys.modules["_bisect"].__spec__.loader).__name__.startswith("_Proxy")


def test_a_failing_import_leaves_the_stack_clean(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}bad": "raise RuntimeError('boom')\n", f"{pre}ok": "pass\n"})

    def go() -> None:
        with pytest.raises(RuntimeError):
            importlib.import_module(f"{pre}bad")
        importlib.import_module(f"{pre}ok")

    e = by_name(profile(go))
    assert e[f"{pre}bad"].end_ns > 0  # type: ignore[attr-defined]
    assert e[f"{pre}ok"].parent == -1  # type: ignore[attr-defined]


def test_a_missing_module_still_raises_module_not_found(modroot):
    _, pre = modroot

    def go() -> None:
        with pytest.raises(ModuleNotFoundError) as info:
            importlib.import_module(f"{pre}nowhere")
        assert info.value.name == f"{pre}nowhere"

    assert f"{pre}nowhere" not in by_name(profile(go))


def test_find_spec_alone_is_not_recorded_as_an_import(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}probe": "pass\n"})
    p = profile(lambda: importlib.util.find_spec(f"{pre}probe"))
    assert f"{pre}probe" not in by_name(p)


def test_threads_importing_at_once_each_get_their_own_branch(modroot):
    root, pre = modroot
    mods = {}
    for t in "xy":
        for i in range(4):
            nxt = f"import {pre}{t}{i + 1}\n" if i < 3 else ""
            mods[f"{pre}{t}{i}"] = f"{nxt}import time\ntime.sleep(0.003)\n"
    write_modules(root, mods)
    barrier = threading.Barrier(2)

    def worker(t: str) -> None:
        barrier.wait()
        importlib.import_module(f"{pre}{t}0")

    def go() -> None:
        threads = [threading.Thread(target=worker, args=(t,)) for t in "xy"]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

    p = profile(go)
    entries = p.entries()
    e = {x.name: x for x in entries}
    for t in "xy":
        assert e[f"{pre}{t}0"].parent == -1
        for i in range(1, 4):
            child, parent = e[f"{pre}{t}{i}"], e[f"{pre}{t}{i - 1}"]
            assert child.parent == parent.index
            assert child.thread == parent.thread


def test_stop_gives_the_import_system_its_functions_back():
    boot = sys.modules["_frozen_importlib"]
    external = sys.modules["_frozen_importlib_external"]
    original = external.SourceLoader.__dict__["source_to_code"]
    find_and_load = boot._find_and_load
    p = ImportProfiler().start()
    assert boot._find_and_load is not find_and_load and active() is p
    assert external.SourceLoader.__dict__["source_to_code"] is not original
    p.stop()
    assert boot._find_and_load is find_and_load and active() is None
    assert external.SourceLoader.__dict__["source_to_code"] is original


def test_a_stand_in_installed_after_ours_survives_our_stop(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}later": "pass\n"})
    boot = sys.modules["_frozen_importlib"]
    find_and_load = boot._find_and_load
    p = ImportProfiler().start()
    ours = boot._find_and_load
    seen: list[str] = []

    def theirs(name, import_):
        seen.append(name)
        return ours(name, import_)

    boot._find_and_load = theirs
    try:
        p.stop()
        assert boot._find_and_load is theirs  # not clobbered
        importlib.import_module(f"{pre}later")  # ours only passes it through now
        assert seen == [f"{pre}later"] and f"{pre}later" not in by_name(p)
    finally:
        boot._find_and_load = find_and_load


def test_a_module_already_imported_costs_nothing_and_is_not_recorded(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}once": "pass\n"})
    importlib.import_module(f"{pre}once")
    p = profile(lambda: importlib.import_module(f"{pre}once") and __import__(f"{pre}once"))
    assert p.entries() == []


def test_a_missing_submodule_keeps_its_parent_package_as_cpython_logs_it(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}pkg": "pass\n"})

    def go() -> None:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"{pre}pkg.missing")

    e = by_name(profile(go))
    assert e[f"{pre}pkg"].parent == e[f"{pre}pkg.missing"].index  # type: ignore[attr-defined]


def test_the_watched_module_reports_the_end_of_its_import(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}handler": "pass\n"})
    seen: list[int] = []
    p = ImportProfiler(watch=f"{pre}handler", on_watch_end=seen.append).start()
    try:
        importlib.import_module(f"{pre}handler")
    finally:
        p.stop()
    assert seen == [by_name(p)[f"{pre}handler"].end_ns]  # type: ignore[attr-defined]


def test_a_package_that_imports_the_requested_submodule_itself_nests_like_cpython(modroot):
    root, pre = modroot
    write_modules(root, {f"{pre}p": f"from {pre}p import inner\n", f"{pre}p.inner": "pass\n"})
    p = profile(lambda: __import__(f"{pre}p.inner"))
    outer, pkg, inner = (
        next(e for e in p.entries() if e.name == n and cond(e))
        for n, cond in (
            (f"{pre}p.inner", lambda e: e.parent == -1),
            (f"{pre}p", lambda e: True),
            (f"{pre}p.inner", lambda e: e.parent != -1),
        )
    )
    assert pkg.parent == outer.index and inner.parent == pkg.index
    assert outer.start_ns <= pkg.start_ns and pkg.end_ns <= outer.end_ns


def test_many_threads_importing_at_once_keep_one_index_per_entry(modroot):
    root, pre = modroot
    threads_n, depth = 6, 15
    mods = {}
    for t in range(threads_n):
        for i in range(depth):
            nxt = f"import {pre}t{t}_{i + 1}\n" if i < depth - 1 else ""
            mods[f"{pre}t{t}_{i}"] = nxt
    write_modules(root, mods)
    barrier = threading.Barrier(threads_n)

    def worker(t: int) -> None:
        barrier.wait()
        importlib.import_module(f"{pre}t{t}_0")

    def go() -> None:
        ths = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
        for th in ths:
            th.start()
        for th in ths:
            th.join()

    entries = profile(go).entries()
    assert [e.index for e in entries] == list(range(len(entries)))
    mine = [e for e in entries if e.name.startswith(pre)]
    assert len(mine) == threads_n * depth
    for e in mine:
        if not e.name.endswith("_0"):
            parent = entries[e.parent]
            assert parent.thread == e.thread
            assert parent.name.split("_")[-2:-1] == e.name.split("_")[-2:-1]  # same chain


def test_a_zip_loader_looked_up_but_never_loaded_does_not_mislabel_later_imports(tmp_path):
    import zipfile

    pre = "lkzip_"
    archive = tmp_path / "mods.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"{pre}probe.py", "pass\n")
        z.writestr(f"{pre}real.py", "pass\n")
    sys.path.insert(0, str(archive))
    importlib.invalidate_caches()
    try:

        def go() -> None:
            importlib.util.find_spec(f"{pre}probe")  # looked up, never loaded
            importlib.import_module(f"{pre}real")

        names = [e.name for e in profile(go).entries()]
        assert names.count(f"{pre}real") == 1 and f"{pre}probe" not in names
        assert "exec_module" not in vars(sys.modules[f"{pre}real"].__loader__)
    finally:
        sys.path.remove(str(archive))
        for name in (f"{pre}probe", f"{pre}real"):
            sys.modules.pop(name, None)


def test_a_module_that_replaces_itself_with_an_odd_object_still_imports(modroot):
    root, pre = modroot
    write_modules(
        root,
        {
            f"{pre}odd": (
                "import sys\n"
                "class Odd:\n"
                "    def __getattr__(self, name):\n"
                "        raise RuntimeError('no ' + name)\n"
                "sys.modules[__name__] = Odd()\n"
            )
        },
    )
    p = profile(lambda: importlib.import_module(f"{pre}odd"))
    entry = by_name(p)[f"{pre}odd"]
    assert entry.end_ns > entry.start_ns and entry.file is None  # type: ignore[attr-defined]
