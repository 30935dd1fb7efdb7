"""The record's ``init_duration_ms`` against REPORT's ``Init Duration`` under ``invoke``.

    .venv/bin/python benchmarks/init_accuracy.py 9

Runs N fresh environments of a small instrumented handler and prints, for each, the
record's init minus REPORT's (ms), then the median and the extremes. Also prints what
the process start read from /proc/self/stat alone (10 ms clock ticks, the tick's
start) would have given, the figure before the correction. Not collected by pytest:
it is a measurement, and its spread depends on how busy the machine is.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path

from lambda_kit.local.runner import run_environment

HANDLER = """
import os, time
import lambda_kit
from lambda_kit import environment, instrument

@instrument
def handler(event, context):
    with open("/proc/self/stat", "rb") as f:
        stat = f.read()
    ticks = int(stat[stat.rindex(b")") + 2 :].split()[19])
    tick_ns = 10**9 // os.sysconf("SC_CLK_TCK")
    age = time.clock_gettime_ns(time.CLOCK_BOOTTIME) - ticks * tick_ns
    return {"tick_start_ns": time.time_ns() - age, "start_ns": environment.get().process_start_ns}
"""


def measure(n: int) -> tuple[list[float], list[float]]:
    """(record - REPORT, tick-start - REPORT) in ms for ``n`` fresh environments."""
    now, before = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "accuracy_fn.py"
        path.write_text(textwrap.dedent(HANDLER))
        for _ in range(n):
            run = run_environment(f"{path}:handler", [b"{}"], log=lambda line: None)
            result = run.results[0]
            rec = next(json.loads(x) for x in result.logs if '"type":"invocation"' in x)
            report = result.report.init_duration_ms
            assert report is not None
            payload = json.loads(result.payload)
            now.append(rec["init_duration_ms"] - report)
            shift = (payload["start_ns"] - payload["tick_start_ns"]) / 1e6
            before.append(rec["init_duration_ms"] + shift - report)
    return now, before


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    now, before = measure(n)
    for name, errors in (("record", now), ("tick start", before)):
        shown = " ".join(f"{e:+.1f}" for e in errors)
        print(
            f"{name:>10}: median {statistics.median(errors):+.2f} ms, "
            f"min {min(errors):+.2f}, max {max(errors):+.2f}  [{shown}]"
        )


if __name__ == "__main__":
    main()
