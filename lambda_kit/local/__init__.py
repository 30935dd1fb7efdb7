"""The local runtime behind ``lambda-kit invoke``: a Lambda Runtime API server and
the real Python runtime client (``awslambdaric``) in a child process.

    from lambda_kit.local import run_environment

    run = run_environment("examples/hello.py:handler", [b'{"name": "a"}'] * 3)
    for r in run.results:
        print(r.status, r.report.line())

    # as on Lambda Managed Instances: one environment, 3 worker processes
    run = run_managed(Function("examples/hello.py:handler", concurrency=3), [b"{}"] * 9)

Nothing here is imported by ``import lambda_kit``.
"""

from __future__ import annotations

from lambda_kit.local.function import BadInput, Function
from lambda_kit.local.lines import Report
from lambda_kit.local.managed import run_managed
from lambda_kit.local.results import InitFailed, Result, Run
from lambda_kit.local.runner import run_environment

__all__ = [
    "BadInput",
    "Function",
    "InitFailed",
    "Report",
    "Result",
    "Run",
    "run_environment",
    "run_managed",
]
