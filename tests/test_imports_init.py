"""The cold-start record's ``init`` key, in fresh interpreters run as Lambda would."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_kit.imports import init_summary
from tests._imports_helpers import clean_env, records, run_python, write_modules

# a handler module: lambda_kit first, two dependencies (one heavy), 40 ms of its own code
APP = {
    "heavydep": "import time\ntime.sleep(0.06)\nimport lightdep\n",
    "lightdep": "X = 1\n",
    "app": (
        "import lambda_kit\n"
        "import heavydep\n"
        "from lambda_kit import _hooks\n"
        "_hooks.add_record(lambda record, first: record.update(later_hook=True))\n"
        "import time\n"
        "time.sleep(0.04)\n"
        "from lambda_kit import instrument\n"
        "@instrument(service='t')\n"
        "def handler(event, context):\n"
        "    import sys\n"
        "    return [type(f).__name__ for f in sys.meta_path]\n"
    ),
}

# stands in for the runtime client: import the handler's module, invoke it three times
RUNTIME = (
    "import importlib, json, sys\n"
    "from lambda_kit import _hooks\n"
    "m = importlib.import_module('app')\n"
    "for _ in range(3):\n"
    "    finders = m.handler({}, None)\n"
    "print(json.dumps({'finders': finders, 'on_start': len(_hooks.on_start),"
    " 'on_record': len(_hooks.on_record)}))\n"
)

ON_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "fn", "_HANDLER": "app.handler"}


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    return write_modules(tmp_path, APP)


def run_app(app_dir: Path, wrapper: bool = False, **env: str):  # type: ignore[no-untyped-def]
    proc = run_python(RUNTIME, app_dir, clean_env(**env), wrapper=wrapper)
    assert proc.returncode == 0, proc.stderr
    tail = proc.stdout.splitlines()[-1]
    import json

    return records(proc.stdout), json.loads(tail), proc.stderr


def test_the_first_record_has_init_with_phases_that_add_up_to_init_duration(app_dir):
    recs, _, _ = run_app(app_dir, **ON_LAMBDA)
    init = recs[0]["init"]
    assert init["total_ms"] == recs[0]["init_duration_ms"]
    phases = init["phases"]
    assert set(phases) == {"runtime_ms", "imports_ms", "module_code_ms", "other_ms"}
    assert all(v >= 0 for v in phases.values())
    assert abs(sum(phases.values()) - init["total_ms"]) <= 1.0


def test_the_handler_modules_own_code_is_module_code_not_imports(app_dir):
    init = run_app(app_dir, **ON_LAMBDA)[0][0]["init"]
    assert init["phases"]["imports_ms"] >= 60  # heavydep's sleep
    assert init["phases"]["module_code_ms"] >= 40  # app's own sleep


def test_top_imports_lists_the_slowest_dependency_first(app_dir):
    top = run_app(app_dir, **ON_LAMBDA)[0][0]["init"]["top_imports"]
    assert top[0]["module"] == "heavydep"
    assert top[0]["cumulative_ms"] >= 60  # its sleep
    assert top[0]["cumulative_ms"] >= top[0]["self_ms"] > 0
    assert [t["cumulative_ms"] for t in top] == sorted(
        (t["cumulative_ms"] for t in top), reverse=True
    )


def test_top_imports_length_comes_from_the_environment(app_dir):
    top = run_app(app_dir, LAMBDA_KIT_TOP_IMPORTS="1", **ON_LAMBDA)[0][0]["init"]["top_imports"]
    assert [t["module"] for t in top] == ["heavydep"]


def test_a_module_without_bytecode_cache_is_flagged_in_top_imports(app_dir):
    top = run_app(app_dir, PYTHONDONTWRITEBYTECODE="1", **ON_LAMBDA)[0][0]["init"]["top_imports"]
    assert top[0]["from_source"] is True


def test_only_the_first_record_carries_init(app_dir):
    recs, _, _ = run_app(app_dir, **ON_LAMBDA)
    assert [("init" in r) for r in recs] == [True, False, False]


def test_the_profiler_and_its_hooks_are_gone_after_the_first_invocation(app_dir):
    _, tail, _ = run_app(app_dir, **ON_LAMBDA)
    assert "ImportProfiler" not in tail["finders"]
    assert tail["on_start"] == 0 and tail["on_record"] == 1  # only the app's own hook


def test_a_hook_registered_after_ours_runs_on_every_invocation(app_dir):
    recs, _, _ = run_app(app_dir, **ON_LAMBDA)
    assert [r.get("later_hook") for r in recs] == [True, True, True]


def test_profile_imports_0_turns_it_off_on_lambda(app_dir):
    recs, _, _ = run_app(app_dir, LAMBDA_KIT_PROFILE_IMPORTS="0", **ON_LAMBDA)
    assert "init" not in recs[0]
    assert "init_duration_ms" in recs[0]


def test_it_is_off_by_default_outside_lambda(app_dir):
    recs, _, _ = run_app(app_dir)
    assert "init" not in recs[0]


def test_profile_imports_1_turns_it_on_anywhere(app_dir):
    recs, _, _ = run_app(app_dir, LAMBDA_KIT_PROFILE_IMPORTS="1")
    assert "init" in recs[0]


def test_a_bad_flag_value_is_reported_and_the_default_used(app_dir):
    recs, _, err = run_app(app_dir, LAMBDA_KIT_PROFILE_IMPORTS="maybe", **ON_LAMBDA)
    assert "LAMBDA_KIT_PROFILE_IMPORTS='maybe' is not a boolean" in err
    assert "init" in recs[0]


def test_the_exec_wrapper_profiles_from_interpreter_start(app_dir):
    recs, _, _ = run_app(app_dir, wrapper=True, **ON_LAMBDA)
    init = recs[0]["init"]
    modules = [t["module"] for t in init["top_imports"]]
    # imports made before the handler module (the stand-in runtime's) are seen too
    assert "importlib" in modules or "json" in modules
    assert "heavydep" in modules
    assert init["phases"]["module_code_ms"] >= 40
    assert abs(sum(init["phases"].values()) - init["total_ms"]) <= 1.0


def test_the_exec_wrapper_does_nothing_when_switched_off(app_dir):
    recs, _, _ = run_app(app_dir, wrapper=True, LAMBDA_KIT_PROFILE_IMPORTS="0", **ON_LAMBDA)
    assert "init" not in recs[0]


# -- init_summary on its own ----------------------------------------------------------


class _E:
    def __init__(self, index: int, name: str, parent: int, start: int, end: int) -> None:
        self.index, self.name, self.parent = index, name, parent
        self.start_ns, self.end_ns, self.from_source = start, end, False


class _P:
    def __init__(self, entries: list[_E], started_ns: int, started_wall_ns: int) -> None:
        self._e, self.started_ns, self.started_wall_ns = entries, started_ns, started_wall_ns

    def entries(self) -> list[_E]:
        return self._e


MS = 1_000_000


def test_phases_place_runtime_before_the_profiler_and_imports_after():
    # process starts at wall 0; profiler at 100 ms; one import from 110 to 160 ms
    prof = _P([_E(0, "dep", -1, 10 * MS, 60 * MS)], started_ns=0, started_wall_ns=100 * MS)
    out = init_summary(prof, 200.0, 0, top=10, handler=None)
    assert out["phases"] == {
        "runtime_ms": 100.0,
        "imports_ms": 50.0,
        "module_code_ms": 50.0,
        "other_ms": 0.0,
    }


def test_imports_in_two_threads_at_once_are_not_counted_twice():
    entries = [_E(0, "a", -1, 0, 50 * MS), _E(1, "b", -1, 25 * MS, 75 * MS)]
    out = init_summary(_P(entries, 0, 0), 100.0, 0, top=10, handler=None)
    assert out["phases"]["imports_ms"] == 75.0


def test_a_watched_handler_splits_its_own_code_from_its_imports():
    entries = [
        _E(0, "boot", -1, 0, 10 * MS),
        _E(1, "app", -1, 20 * MS, 90 * MS),
        _E(2, "dep", 1, 30 * MS, 60 * MS),
    ]
    out = init_summary(_P(entries, 0, 5 * MS), 100.0, 0, top=10, handler="app")
    assert out["phases"] == {
        "runtime_ms": 5.0,
        "imports_ms": 40.0,
        "module_code_ms": 40.0,
        "other_ms": 15.0,
    }
    assert [t["module"] for t in out["top_imports"]] == ["dep", "boot"]


def test_phases_never_exceed_the_total_even_when_clocks_disagree():
    entries = [_E(0, "dep", -1, 0, 500 * MS)]
    out = init_summary(_P(entries, 0, 300 * MS), 200.0, 0, top=10, handler=None)
    assert sum(out["phases"].values()) == pytest.approx(200.0, abs=1.0)
    assert all(v >= 0 for v in out["phases"].values())


def test_submodules_imported_at_top_level_count_under_their_package():
    entries = [_E(0, "pkg", -1, 0, 10 * MS), _E(1, "pkg.sub", -1, 10 * MS, 30 * MS)]
    out = init_summary(_P(entries, 0, 0), 100.0, 0, top=10, handler=None)
    assert out["top_imports"] == [
        {"module": "pkg", "cumulative_ms": 30.0, "self_ms": 30.0, "start_ms": 0.0}
    ]


def test_each_top_import_says_when_it_started_from_the_process_start():
    # the profiler started 100 ms into the process; "dep" was imported 10 ms later
    prof = _P([_E(0, "dep", -1, 10 * MS, 60 * MS)], started_ns=0, started_wall_ns=100 * MS)
    [dep] = init_summary(prof, 200.0, 0, top=10, handler=None)["top_imports"]
    assert dep["start_ms"] == 110.0 and dep["cumulative_ms"] == 50.0


def test_without_a_process_start_no_import_start_is_given():
    prof = _P([_E(0, "dep", -1, 10 * MS, 60 * MS)], started_ns=0, started_wall_ns=100 * MS)
    [dep] = init_summary(prof, None, 0, top=10, handler=None)["top_imports"]
    assert "start_ms" not in dep


def test_without_an_init_duration_only_the_imports_are_given():
    out = init_summary(_P([_E(0, "a", -1, 0, 5 * MS)], 0, 0), None, 0, top=10, handler=None)
    assert "total_ms" not in out and out["phases"] == {"imports_ms": 5.0}


PTH_LINE = (
    'import os; os.environ.get("LAMBDA_KIT_PROFILE_IMPORTS") == "1" and __import__("lambda_kit")\n'
)
PTH_CHILD = (
    "import site, sys\n"
    "site.addsitedir(sys.argv[1])  # what site does for site-packages at startup\n"
    "from lambda_kit.imports import active\n"
    "print(active() is not None)\n"
)


@pytest.mark.parametrize(("flag", "expected"), [("1", "True"), ("0", "False")])
def test_the_documented_pth_line_starts_the_profiler_only_when_switched_on(
    tmp_path, flag, expected
):
    (tmp_path / "lambda_kit_profile.pth").write_text(PTH_LINE)
    proc = run_python(
        PTH_CHILD, tmp_path, clean_env(LAMBDA_KIT_PROFILE_IMPORTS=flag), str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == expected
