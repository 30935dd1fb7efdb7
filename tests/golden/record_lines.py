"""Writes the invocation records of a fixed script of invocations to stdout, with every
clock and the peak-memory reading pinned, so the bytes depend on lambda_kit alone.

    python tests/golden/record_lines.py [--orjson] > lines.jsonl

``tests/test_record_golden.py`` compares its output with ``record_lines.jsonl``,
written by the code before the restructure of issue 12: the record's bytes for
fixed inputs must not change.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import time

# pinned clocks: every reading inside one phase of an invocation gives the same value,
# so the figures do not depend on how many times the code reads a clock
NOW = {"wall": 1_767_225_600_123_456_789, "perf": 5_000_000_000}
time.time_ns = lambda: NOW["wall"]
time.time = lambda: NOW["wall"] / 1e9
time.perf_counter_ns = lambda: NOW["perf"]
time.perf_counter = lambda: NOW["perf"] / 1e9
time.monotonic = lambda: NOW["perf"] / 1e9
time.monotonic_ns = lambda: NOW["perf"]


class _Usage:
    ru_maxrss = 1000  # KiB: below any real VmHWM, so no inherited floor is detected


resource.getrusage = lambda who: _Usage()

if "--orjson" in sys.argv:
    import orjson  # noqa: F401  (the application imported it: the record must not change)

for name in list(os.environ):
    if name.startswith(("AWS_", "LAMBDA_KIT_", "POWERTOOLS_", "_X_AMZN", "_HANDLER")):
        del os.environ[name]
os.environ["LAMBDA_KIT_PROFILE_IMPORTS"] = "0"
os.environ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"

import lambda_kit  # noqa: E402
from lambda_kit import environment, instrument, reuse  # noqa: E402


class Context:
    def __init__(self, request_id: str, memory: str = "1024") -> None:
        self.aws_request_id = request_id
        self.function_name = "orders"
        self.memory_limit_in_mb = memory
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders"


def advance(ms: float) -> None:
    NOW["wall"] += int(ms * 1_000_000)
    NOW["perf"] += int(ms * 1_000_000)


db = reuse("db", lambda: (advance(7.25), object())[1])


@instrument(service="orders")
def plain(event: dict, context: object) -> dict:
    advance(event["ms"])
    if event.get("fail"):
        raise ValueError("no")
    return {"ok": True}


@instrument(service='sérvice "q"')
def with_db(event: dict, context: object) -> dict:
    db()
    advance(event["ms"])
    return {"ok": True}


def main() -> None:
    env = environment.get()
    env.process_start_ns = NOW["wall"] - 412_345_678  # the process began 412.3 ms ago
    os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f;Sampled=1"
    script = [
        (plain, {"ms": 27.55}, Context("r-cold")),
        (plain, {"ms": 0.0004}, Context("r-warm")),
        (plain, {"ms": 3.0}, Context("r-exact")),
        (plain, {"ms": 1234.5678}, Context("r-long", "10240")),
        (plain, {"ms": 5.0, "fail": True}, Context("r-error")),
        (plain, {"ms": 1.0}, Context('r "quoted" \\ ünï\n', "128")),
        (with_db, {"ms": 2.5}, Context("r-db-1")),
        (with_db, {"ms": 2.5}, Context("r-db-2", "3008")),
    ]
    for handler, event, context in script:
        advance(1.0)
        with contextlib.suppress(ValueError):  # the failing handler's error is part of the script
            handler(event, context)
        if handler is plain and context.aws_request_id == "r-exact":
            del os.environ["_X_AMZN_TRACE_ID"]
    sys.stdout.flush()
    assert lambda_kit.__version__


main()
