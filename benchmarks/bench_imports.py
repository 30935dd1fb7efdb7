"""What the import profiler costs: per imported module, on `import lambda_kit`, and warm.

- Per module: fresh interpreters import 400 small synthetic modules (bytecode
  compiled, as pip leaves packages) with and without the profiler; the
  difference per module is its overhead (target: at most 15 us; Datadog's hook
  costs 23 us). Also ``import boto3`` with and without it, as a share.
- ``import lambda_kit`` under the runtime client with the profiler on against
  off: what starting it (and timing lambda_kit's own imports) adds to a cold start.
- Warm invocations: an ``@instrument``ed handler after the profiler ran and
  stopped at the first invocation, against one where it never ran. The target
  is no difference: the profiler's hooks are gone from the lists.
- The first invocation's summary (the ``init`` key) for 400 recorded modules.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest
from conftest import report_figure

from lambda_kit import _hooks, environment, instrument
from lambda_kit import imports as initrecord
from lambda_kit.imports.profiler import ImportProfiler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROFILER = os.path.join(ROOT, "lambda_kit", "imports", "profiler.py")
N_MODULES = 400

# argv: mode (none|profile), module dir, how many modules or a module name
DRIVER = textwrap.dedent(
    """
    import sys, time
    mode, where, what = sys.argv[1:4]
    if mode == "profile":
        ext, boot = sys.modules["_frozen_importlib_external"], sys.modules["_frozen_importlib"]
        loader = ext.SourceFileLoader("_bench_profiler", sys.argv[4])
        prof = boot.module_from_spec(boot.spec_from_loader(loader.name, loader))
        loader.exec_module(prof)
        prof.ImportProfiler().start()
    sys.path.insert(0, where)
    names = [f"bench_mod_{i}" for i in range(int(what))] if what.isdigit() else [what]
    before = len(sys.modules)
    t0 = time.perf_counter_ns()
    for name in names:
        __import__(name)
    dt = time.perf_counter_ns() - t0
    print(dt, len(sys.modules) - before)
    """
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = ROOT
    return env


def _run(mode: str, where: str, what: str) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, where, what, PROFILER],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    return int(out[0]) / 1e6, int(out[1])


def _synthetic_modules() -> str:
    d = tempfile.mkdtemp(prefix="lk-bench-imports-")
    for i in range(N_MODULES):
        with open(os.path.join(d, f"bench_mod_{i}.py"), "w") as f:
            f.write(f"VALUE = {i}\n\ndef f(x):\n    return x + VALUE\n")
    subprocess.run([sys.executable, "-m", "compileall", "-q", d], check=True)
    return d


def _alternate(rounds: int, cases: dict[str, tuple[str, str, str]]) -> dict[str, float]:
    samples: dict[str, list[float]] = {c: [] for c in cases}
    for i in range(rounds):
        order = list(cases) if i % 2 == 0 else list(reversed(cases))
        for case in order:
            samples[case].append(_run(*cases[case])[0])
    # the fastest run: on a shared machine the least disturbed, for both sides alike
    return {c: min(s) for c, s in samples.items()}


def test_profiler_overhead_per_imported_module(benchmark):
    rounds = 2 if benchmark.disabled else 31
    d = _synthetic_modules()
    n = str(N_MODULES)
    _run("none", d, n)  # warm the page cache
    med = _alternate(
        rounds,
        {
            "plain": ("none", d, n),
            "profiled": ("profile", d, n),
            "boto3 plain": ("none", d, "boto3"),
            "boto3 profiled": ("profile", d, "boto3"),
        },
    )
    per_module_us = (med["profiled"] - med["plain"]) / N_MODULES * 1000
    boto3_modules = _run("none", d, "boto3")[1]
    boto3_share = (med["boto3 profiled"] - med["boto3 plain"]) / med["boto3 plain"] * 100
    predicted_share = per_module_us * boto3_modules / 1000 / med["boto3 plain"] * 100
    benchmark.extra_info.update(
        overhead_us_per_module=per_module_us,
        plain_us_per_module=med["plain"] / N_MODULES * 1000,
        boto3_plain_ms=med["boto3 plain"],
        boto3_profiled_ms=med["boto3 profiled"],
        boto3_overhead_pct=boto3_share,
    )
    report_figure(
        f"[imports, best of {rounds}] profiler overhead {per_module_us:.1f} us per module "
        f"(a plain import of a small module: {med['plain'] / N_MODULES * 1000:.1f} us; "
        f"target <= 15 us, Datadog's hook 23 us)"
    )
    report_figure(
        f"[imports, best of {rounds}] import boto3 ({boto3_modules} modules): "
        f"{med['boto3 plain']:.1f} ms plain, {med['boto3 profiled']:.1f} ms profiled, "
        f"{boto3_share:+.1f}% measured, {predicted_share:.1f}% from the per-module figure"
    )
    assert med["profiled"] > 0 and med["plain"] > 0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)


LK_DRIVER = textwrap.dedent(
    """
    import sys, time
    import awslambdaric.bootstrap
    t0 = time.perf_counter_ns()
    import lambda_kit
    print(time.perf_counter_ns() - t0)
    """
)


def test_import_lambda_kit_with_the_profiler_on_and_off(benchmark):
    rounds = 2 if benchmark.disabled else 21
    samples: dict[str, list[float]] = {"0": [], "1": []}
    for i in range(rounds):
        for flag in ("0", "1") if i % 2 == 0 else ("1", "0"):
            env = dict(_env(), LAMBDA_KIT_PROFILE_IMPORTS=flag, AWS_LAMBDA_FUNCTION_NAME="bench")
            out = subprocess.run(
                [sys.executable, "-c", LK_DRIVER],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout
            samples[flag].append(int(out.split()[0]) / 1e6)
    off, on = min(samples["0"]), min(samples["1"])
    benchmark.extra_info.update(import_off_ms=off, import_on_ms=on)
    report_figure(
        f"[imports, best of {rounds}] import lambda_kit under the runtime client: "
        f"{off:.2f} ms with the profiler off, {on:.2f} ms on (+{on - off:.2f} ms: loading "
        f"and starting it, and timing lambda_kit's own imports)"
    )
    assert off > 0 and on > 0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)


def _handler(event, context):
    return {"statusCode": 200}


@pytest.fixture
def sink(tmp_path):
    return str(tmp_path / "out.jsonl")


@pytest.mark.benchmark(group="warm-after-profiler")
def test_warm_invocation_where_the_profiler_never_ran(benchmark, lambda_context, sink):
    benchmark.extra_info.update(role="baseline", case="profiler never started")
    environment.reset()
    handler = instrument(service="bench", output=sink)(_handler)
    handler({}, lambda_context)  # the cold invocation is not measured
    assert benchmark(handler, {}, lambda_context)["statusCode"] == 200
    environment.reset()


@pytest.mark.benchmark(group="warm-after-profiler")
def test_warm_invocation_after_the_profiler_stopped(benchmark, lambda_context, sink):
    benchmark.extra_info.update(role="subject", case="profiler ran during init")
    environment.reset()
    starts, records = len(_hooks.on_start), len(_hooks.on_record)
    profiler = initrecord.start()
    handler = instrument(service="bench", output=sink)(_handler)
    handler({}, lambda_context)  # the first invocation stops it and takes its hooks off
    assert not profiler.running and profiler not in sys.meta_path
    assert (len(_hooks.on_start), len(_hooks.on_record)) == (starts, records)
    assert benchmark(handler, {}, lambda_context)["statusCode"] == 200
    with open(sink) as f:
        assert '"init":' in f.readline()
    environment.reset()


def test_init_summary_for_400_modules(benchmark, tmp_path):
    sys.path.insert(0, str(tmp_path))
    try:
        for i in range(N_MODULES):
            (tmp_path / f"lk_summary_mod_{i}.py").write_text("X = 1\n")
        profiler = ImportProfiler().start()
        for i in range(N_MODULES):
            __import__(f"lk_summary_mod_{i}")
        profiler.stop()
    finally:
        sys.path.remove(str(tmp_path))
        for i in range(N_MODULES):
            sys.modules.pop(f"lk_summary_mod_{i}", None)
    start = profiler.started_wall_ns - 50_000_000
    total = (profiler.stopped_ns - profiler.started_ns) / 1e6 + 60
    out = benchmark(initrecord.init_summary, profiler, total, start, top=10, handler=None)
    assert len(out["top_imports"]) == 10
    best = min(_timed(initrecord.init_summary, profiler, total, start) for _ in range(20))
    report_figure(
        f"[imports] the init summary, built once at the first invocation, for {N_MODULES} "
        f"modules: {best * 1000:.0f} us (best of 20)"
    )


def _timed(fn, *args) -> float:
    t0 = time.perf_counter()
    fn(*args, top=10, handler=None)
    return (time.perf_counter() - t0) * 1000


def test_accuracy_against_importtime_in_separate_interpreters(benchmark, tmp_path):
    # tests/test_imports_accuracy.py compares both in one interpreter (load-proof); this
    # is the comparison in separate interpreters, reported rather than judged
    from lambda_kit.imports.importtime import parse_importtime
    from lambda_kit.imports.runner import profile_runs
    from lambda_kit.imports.tree import from_entries

    rounds = 2 if benchmark.disabled else 10

    def flat(roots) -> dict[str, float]:
        return {n.name: n.cumulative_ms for r in roots for n, _ in r.walk()}

    ours: dict[str, float] = {}
    theirs: dict[str, float] = {}
    for _ in range(rounds):
        log = tmp_path / "it.log"
        with log.open("w") as err:
            subprocess.run(
                [sys.executable, "-X", "importtime", "-c", "import boto3"],
                stderr=err,
                env=dict(_env(), PYTHONDONTWRITEBYTECODE="1"),
                check=True,
            )
        with log.open() as f:
            for name, ms in flat(parse_importtime(f).roots).items():
                theirs[name] = min(ms, theirs.get(name, ms))
        (entries,) = profile_runs("boto3", runs=1)
        for name, ms in flat(from_entries(entries)).items():
            ours[name] = min(ms, ours.get(name, ms))
    gaps = sorted((ours[n] - ms) / ms * 100 for n, ms in theirs.items() if ms > 5 and n in ours)
    median, worst = gaps[len(gaps) // 2], max(gaps, key=abs)
    report_figure(
        f"[imports, {rounds} rounds] ours vs -X importtime in separate interpreters, "
        f"{len(gaps)} modules over 5 ms: median {median:+.1f}%, worst {worst:+.1f}% "
        f"(ours boto3 {ours['boto3']:.1f} ms, CPython's {theirs['boto3']:.1f} ms)"
    )
    assert gaps
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
