"""What lambda_kit adds to a cold start, measured as Lambda's users pay it.

In fresh interpreters that have already loaded the runtime client
(``import awslambdaric.bootstrap``, as on Lambda, so modules it loads are free),
with bytecode compiled as pip leaves it, this times:

- the marginal cost of ``import lambda_kit`` against that of
  ``from aws_lambda_powertools import Logger``;
- the cold-start tax: import + decoration + first invocation of an
  ``@instrument``ed handler, against Powertools Logger + ``inject_lambda_context``
  + one ``logger.info``, each minus the bare handler.

Medians over alternating runs. Targets: import under 15 ms and under half of
Powertools' Logger; the tax under 15 ms and at most 0.5x Powertools'.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import textwrap

from conftest import report_figure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DRIVER = textwrap.dedent(
    """
    import os, sys, time
    import awslambdaric.bootstrap
    sys.path.insert(0, sys.argv[1])
    class Ctx:
        function_name = "bench"; function_version = "$LATEST"; memory_limit_in_mb = "512"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        aws_request_id = "req-1"; log_group_name = "/aws/lambda/bench"; log_stream_name = "s"
        def get_remaining_time_in_millis(self): return 30000
    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1)
    t0 = time.perf_counter_ns()
    if sys.argv[2] == "import":
        __import__(sys.argv[3])
    else:
        __import__(sys.argv[3]).handler({"k": 1}, Ctx())
    sys.stderr.write("NS %d\\n" % (time.perf_counter_ns() - t0))
    """
)

HANDLERS = {
    "cs_bare": "def handler(event, context):\n    return {'ok': True}\n",
    "cs_lk": "from lambda_kit import instrument\n\n@instrument(service='bench')\n"
    "def handler(event, context):\n    return {'ok': True}\n",
    "cs_pt": "from aws_lambda_powertools import Logger\nlogger = Logger(service='bench')\n\n"
    "@logger.inject_lambda_context\ndef handler(event, context):\n"
    "    logger.info('invocation')\n    return {'ok': True}\n",
}

CASES = {
    "import lambda_kit": ("import", "lambda_kit"),
    "import Powertools Logger": ("import", "aws_lambda_powertools.logging"),
    "import nothing": ("import", "sys"),
    "tax bare": ("invoke", "cs_bare"),
    "tax lambda_kit": ("invoke", "cs_lk"),
    "tax Powertools": ("invoke", "cs_pt"),
}


def _workdir() -> str:
    d = tempfile.mkdtemp(prefix="lk-import-bench-")
    for name, src in HANDLERS.items():
        with open(os.path.join(d, f"{name}.py"), "w") as f:
            f.write(src)
    with open(os.path.join(d, "driver.py"), "w") as f:
        f.write(DRIVER)
    return d


def _run(d: str, kind: str, target: str, env: dict[str, str]) -> float:
    proc = subprocess.run(
        [sys.executable, os.path.join(d, "driver.py"), d, kind, target],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = [x for x in proc.stderr.splitlines() if x.startswith("NS ")]
    assert proc.returncode == 0 and line, proc.stderr[-500:]
    return int(line[-1].split()[1]) / 1e6


def _measure(rounds: int) -> dict[str, float]:
    d = _workdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=ROOT,
        AWS_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME="bench",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512",
        POWERTOOLS_SERVICE_NAME="bench",
        AWS_LAMBDA_INITIALIZATION_TYPE="on-demand",
    )
    samples: dict[str, list[float]] = {c: [] for c in CASES}
    for kind, target in CASES.values():  # warm-up: bytecode written, page cache warm
        _run(d, kind, target, env)
    order = list(CASES)
    for i in range(rounds):
        for case in order if i % 2 == 0 else reversed(order):
            samples[case].append(_run(d, *CASES[case], env))
    return {c: statistics.median(s) for c, s in samples.items()}


def test_cold_start_cost_against_powertools(benchmark):
    rounds = 3 if benchmark.disabled else 25
    med = _measure(rounds)
    lk_import = med["import lambda_kit"] - med["import nothing"]
    pt_import = med["import Powertools Logger"] - med["import nothing"]
    lk_tax = med["tax lambda_kit"] - med["tax bare"]
    pt_tax = med["tax Powertools"] - med["tax bare"]
    benchmark.extra_info.update(
        import_lambda_kit_ms=lk_import,
        import_powertools_ms=pt_import,
        tax_lambda_kit_ms=lk_tax,
        tax_powertools_ms=pt_tax,
    )
    report_figure(
        f"[cold start, {rounds} rounds] import lambda_kit {lk_import:.1f} ms, "
        f"Powertools Logger {pt_import:.1f} ms, ratio {lk_import / pt_import:.2f}"
    )
    report_figure(
        f"[cold start, {rounds} rounds] tax (import + decorate + 1st invoke) "
        f"lambda_kit {lk_tax:.1f} ms, Powertools {pt_tax:.1f} ms, ratio {lk_tax / pt_tax:.2f}"
    )
    # what is asserted is that the measurement ran; the figures are reported, not judged
    assert med["tax lambda_kit"] > 0 and med["tax Powertools"] > 0
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
