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
import uuid

import pytest


class LambdaContext:
    """The attributes of awslambdaric's LambdaContext that handlers and Powertools read."""

    def __init__(self) -> None:
        self.function_name = "bench-fn"
        self.function_version = "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-fn"
        self.memory_limit_in_mb = "512"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/bench-fn"
        self.log_stream_name = "2026/11/24/[$LATEST]bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def lambda_context() -> LambdaContext:
    return LambdaContext()


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
            base = statistics.median(baseline.stats.data)
            lines.append(
                f"[{group}] baseline {baseline.extra_info.get('case')}: {base * 1e6:.2f} us"
            )
            overheads = {}
            for b in benches.values():
                if b is baseline:
                    continue
                over = statistics.median(b.stats.data) - base
                overheads[b.extra_info.get("case")] = (b.extra_info["role"], over)
                lines.append(
                    f"[{group}]   {b.extra_info.get('case')}: +{over * 1e6:.2f} us over baseline"
                )
            subjects = [(c, o) for c, (r, o) in overheads.items() if r == "subject"]
            references = [(c, o) for c, (r, o) in overheads.items() if r == "reference"]
            for s_case, s_over in subjects:
                for r_case, r_over in references:
                    if r_over > 0:
                        lines.append(
                            f"[{group}]   ratio {s_case} / {r_case}: {s_over / r_over:.3f}"
                        )
    lines.extend(_FIGURES)
    if lines:
        terminalreporter.section("lambda_kit ratios")
        for line in lines:
            terminalreporter.write_line(line)
