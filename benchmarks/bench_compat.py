"""The Powertools-compatible API against Powertools itself, on the same code.

- log lines/s: ``Logger.info("order received", extra={...})`` inside an injected
  Lambda context (the keys Powertools adds), each line flushed to its own file;
- ``add_metric`` calls/s: one ``Metrics`` with a dimension, 99 metrics per round
  (under EMF's 100, so neither flushes inside the timed loop);
- the cold-start tax of a Logger + Metrics handler (import + decoration + first
  invocation, fresh processes with the runtime client loaded, as on Lambda):
  the compatible API against Powertools on the same handler, minus a bare handler.

Targets (issue 15): lines/s >= 5x Powertools', add_metric >= 3x, cold-start tax
<= 0.3x. Printed, never asserted (a busy machine must not fail the suite);
``make test`` runs each once (``--benchmark-disable``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import report_figure

LINES = 1000
METRICS = 99


def _context() -> Any:
    class Context:
        function_name = "bench"
        memory_limit_in_mb = "512"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        aws_request_id = "req-1"

    return Context()


def _log_writers(tmp_path: Path) -> dict[str, Any]:
    import logging

    from aws_lambda_powertools import Logger as PowertoolsLogger

    from lambda_kit import Logger

    pt_handler = logging.FileHandler(tmp_path / "pt.jsonl")
    pt = PowertoolsLogger(service=f"bench-pt-{tmp_path.name}", logger_handler=pt_handler)
    ours_file = open(tmp_path / "lk.jsonl", "w")  # noqa: SIM115 (closed below)
    ours = Logger(service=f"bench-lk-{tmp_path.name}", stream=ours_file)
    writers = {}
    for name, log in (("powertools", pt), ("lambda_kit", ours)):

        def handler(event: Any, context: Any, log: Any = log) -> None:
            info = log.info
            for i in range(LINES):
                info("order received", extra={"order_id": i, "customer": "c-7"})

        wrapped = log.inject_lambda_context(handler)
        writers[name] = lambda wrapped=wrapped: wrapped({}, _context())
    writers["_close"] = lambda: (pt_handler.close(), ours_file.close())
    return writers


def _metric_adders() -> dict[str, Any]:
    from aws_lambda_powertools import Metrics as PowertoolsMetrics

    from lambda_kit import Metrics

    adders = {}
    for name, cls in (("powertools", PowertoolsMetrics), ("lambda_kit", Metrics)):
        metrics = cls(namespace="Bench", service="bench")

        def add(metrics: Any = metrics) -> None:
            metrics.add_dimension(name="env", value="prod")
            add_metric = metrics.add_metric
            for i in range(METRICS):
                add_metric(name=f"M{i}", unit="Count", value=i)
            metrics.clear_metrics()

        adders[name] = add
    return adders


def _interleaved(funcs: dict[str, Any], rounds: int) -> dict[str, float]:
    best = dict.fromkeys(funcs, float("inf"))
    for _ in range(rounds):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


@pytest.mark.benchmark(group="compat")
def test_compat_log_lines_per_second(benchmark: Any, tmp_path: Path, capsys: Any) -> None:
    writers = _log_writers(tmp_path)
    close = writers.pop("_close")
    rounds = 1 if benchmark.disabled else 15
    best = _interleaved(writers, rounds)
    benchmark.pedantic(writers["lambda_kit"], rounds=1, iterations=1)
    close()
    ours, theirs = (tmp_path / "lk.jsonl").read_text(), (tmp_path / "pt.jsonl").read_text()
    assert len(ours.splitlines()) == len(theirs.splitlines()) + LINES  # one more round
    assert json.loads(ours.splitlines()[0])["order_id"] == 0
    ratio = best["powertools"] / best["lambda_kit"]
    benchmark.extra_info["x_vs_powertools"] = round(ratio, 2)
    if not benchmark.disabled:
        report_figure(
            f"[compat Logger lines/s] lambda_kit {LINES / best['lambda_kit']:,.0f}, "
            f"Powertools {LINES / best['powertools']:,.0f}: {ratio:.2f}x (target >= 5x)"
        )


@pytest.mark.benchmark(group="compat")
def test_compat_add_metric_per_second(benchmark: Any, capsys: Any) -> None:
    import warnings

    adders = _metric_adders()
    rounds = 1 if benchmark.disabled else 30
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = _interleaved(adders, rounds)
        benchmark.pedantic(adders["lambda_kit"], rounds=1, iterations=1)
    ratio = best["powertools"] / best["lambda_kit"]
    benchmark.extra_info["x_vs_powertools"] = round(ratio, 2)
    if not benchmark.disabled:
        report_figure(
            f"[compat add_metric calls/s] lambda_kit {METRICS / best['lambda_kit']:,.0f}, "
            f"Powertools {METRICS / best['powertools']:,.0f}: {ratio:.2f}x (target >= 3x)"
        )


HANDLER = """\
from {package} import Logger, Metrics
logger = Logger(service="bench")
metrics = Metrics(namespace="Bench", service="bench")

@metrics.log_metrics
@logger.inject_lambda_context
def handler(event, context):
    logger.info("invocation", order_id=1)
    metrics.add_metric(name="Orders", unit="Count", value=1)
    return {{"ok": True}}
"""
BARE = "def handler(event, context):\n    return {'ok': True}\n"

DRIVER = textwrap.dedent("""
    import os, sys, time
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)
    import awslambdaric.bootstrap, awslambdaric.lambda_runtime_client
    from awslambdaric.lambda_context import LambdaContext
    sys.path.insert(0, sys.argv[1])
    ctx = LambdaContext("req-1", None, None, int(time.time() * 1000) + 30000,
                        "arn:aws:lambda:us-east-1:123456789012:function:bench")
    t0 = time.perf_counter_ns()
    mod = __import__(sys.argv[2])
    r = mod.handler({"k": 1}, ctx)
    t1 = time.perf_counter_ns()
    assert r == {"ok": True}, r
    sys.stderr.write("TAX %d\\n" % (t1 - t0))
""")


def _cold_start_ms(directory: Path, module: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_", "POWERTOOLS_"))}
    env.update({"AWS_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": "bench",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512", "LAMBDA_TASK_ROOT": str(directory),
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "PYTHONWARNINGS": "ignore"})  # fmt: skip
    proc = subprocess.run([sys.executable, str(directory / "drv.py"), str(directory), module],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    line = [x for x in proc.stderr.splitlines() if x.startswith("TAX ")]
    assert proc.returncode == 0 and line, proc.stderr[-500:]
    return int(line[-1].split()[1]) / 1e6


@pytest.mark.benchmark(group="compat")
def test_compat_cold_start_tax(benchmark: Any, tmp_path: Path) -> None:
    (tmp_path / "drv.py").write_text(DRIVER)
    (tmp_path / "cs_bare.py").write_text(BARE)
    (tmp_path / "cs_lk.py").write_text(HANDLER.format(package="lambda_kit"))
    (tmp_path / "cs_pt.py").write_text(HANDLER.format(package="aws_lambda_powertools"))
    # bytecode for every lambda_kit module, as `pip install` leaves it on a deployed function
    # (the import profiler on Lambda compiles a module without .pyc from source each time)
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "lambda_kit"), quiet=1)
    names = ("cs_bare", "cs_lk", "cs_pt")
    rounds = 1 if benchmark.disabled else 11
    samples: dict[str, list[float]] = {n: [] for n in names}
    for n in names:  # warm-up: bytecode written, page cache warm
        _cold_start_ms(tmp_path, n)
    for i in range(rounds):
        for n in names if i % 2 == 0 else reversed(names):
            samples[n].append(_cold_start_ms(tmp_path, n))
    med = {n: statistics.median(x) for n, x in samples.items()}
    ours, theirs = med["cs_lk"] - med["cs_bare"], med["cs_pt"] - med["cs_bare"]
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update({"lambda_kit_ms": round(ours, 2), "powertools_ms": round(theirs, 2)})
    if not benchmark.disabled:
        report_figure(
            f"[compat cold-start tax, Logger+Metrics, runtime client loaded] lambda_kit "
            f"{ours:.1f} ms, Powertools {theirs:.1f} ms: {ours / theirs:.2f}x (target <= 0.3x)"
        )
    assert samples["cs_lk"] and samples["cs_pt"]


