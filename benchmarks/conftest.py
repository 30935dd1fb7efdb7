"""Shared benchmark plumbing: a Lambda-like context, and ratio reports.

pytest-benchmark prints absolute times; the targets are ratios taken in one run
(lambda_kit against a bare handler and against Powertools). Each benchmark may
put ``role`` ("baseline", "subject" or "reference") and ``case`` in
``benchmark.extra_info``; at the end of the session the summary prints, for each
group, every case's median minus the baseline's median, and the ratio of the
subject's overhead to each reference's. Benchmarks that measure in subprocesses
put their own figures in ``extra_info["figures"]``, printed as they are.
"""

from __future__ import annotations

import statistics
import time
import uuid

import pytest


@pytest.fixture
def lambda_context(monkeypatch):
    """awslambdaric's own LambdaContext, as the runtime builds it for each invocation."""
    from awslambdaric.lambda_context import LambdaContext

    for key, value in {
        "AWS_LAMBDA_FUNCTION_NAME": "bench-fn",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench-fn",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/24/[$LATEST]bench",
    }.items():
        monkeypatch.setenv(key, value)
    return LambdaContext(
        str(uuid.uuid4()),
        None,
        None,
        int(time.time() * 1000) + 900_000,  # a 15-minute deadline: never reached here
        "arn:aws:lambda:us-east-1:123456789012:function:bench-fn",
    )


_FIGURES: list[str] = []


def report_figure(text: str) -> None:
    """Add a line to the end-of-run summary (used by subprocess benchmarks)."""
    _FIGURES.append(text)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    session = getattr(config, "_benchmarksession", None)
    lines: list[str] = []
    if session is not None and not session.disabled:
        groups: dict[str, dict[str, object]] = {}
        for bench in session.benchmarks:
            info = bench.extra_info or {}
            if "role" not in info:
                continue
            groups.setdefault(bench.group or "", {})[bench.name] = bench
        for group, benches in sorted(groups.items()):
            baseline = next(
                (b for b in benches.values() if b.extra_info["role"] == "baseline"), None
            )
            if baseline is None:
                continue
            # medians say what is typical; minimums are what noise on a shared machine
            # cannot inflate: both are printed
            base_med = statistics.median(baseline.stats.data)
            base_min = min(baseline.stats.data)
            lines.append(
                f"[{group}] baseline {baseline.extra_info.get('case')}: "
                f"median {base_med * 1e6:.2f} us, min {base_min * 1e6:.2f} us"
            )
            overheads = {}
            for b in benches.values():
                if b is baseline:
                    continue
                over_med = statistics.median(b.stats.data) - base_med
                over_min = min(b.stats.data) - base_min
                overheads[b.extra_info.get("case")] = (b.extra_info["role"], over_med, over_min)
                lines.append(
                    f"[{group}]   {b.extra_info.get('case')}: +{over_med * 1e6:.2f} us over "
                    f"baseline (median), +{over_min * 1e6:.2f} us (min)"
                )
            subjects = [(c, m, n) for c, (r, m, n) in overheads.items() if r == "subject"]
            references = [(c, m, n) for c, (r, m, n) in overheads.items() if r == "reference"]
            for s_case, s_med, s_min in subjects:
                for r_case, r_med, r_min in references:
                    if r_med > 0 and r_min > 0:
                        lines.append(
                            f"[{group}]   ratio {s_case} / {r_case}: {s_med / r_med:.3f} "
                            f"(medians), {s_min / r_min:.3f} (minimums)"
                        )
    lines.extend(_FIGURES)
    if lines:
        terminalreporter.section("lambda_kit ratios")
        for line in lines:
            terminalreporter.write_line(line)
