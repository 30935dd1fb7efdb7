"""Speed of the per-invocation estimate and of REPORT parsing, each against a baseline.

Run `make bench`: each group holds the function and its baseline, so the ratio is
read off the same run. Under `--benchmark-disable` (make test) each runs once.
"""

from lambda_kit.billing import invocation_cost_usd
from lambda_kit.report.parse import parse_line

REPORT = (
    "REPORT RequestId: 8c360c87-d4b7-4423-b5f3-af02be3c1763\tDuration: 2338.66 ms\t"
    "Billed Duration: 2521 ms\tMemory Size: 3009 MB\tMax Memory Used: 173 MB\t"
    "Restore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t"
)


def _bare_arithmetic(memory_mb: int, billed_ms: int) -> float:
    return 0.2e-6 + memory_mb / 1024.0 * billed_ms / 1000.0 * 0.0000166667


def test_bench_invocation_cost(benchmark):
    benchmark.group = "per-invocation cost"
    assert benchmark(invocation_cost_usd, 1024, 120, "arm64") > 0


def test_bench_invocation_cost_baseline_bare_arithmetic(benchmark):
    benchmark.group = "per-invocation cost"
    assert benchmark(_bare_arithmetic, 1024, 120) > 0


def test_bench_parse_report_line(benchmark):
    benchmark.group = "REPORT line"
    [sample] = benchmark(parse_line, REPORT)
    assert sample.billed_ms == 2521


def test_bench_parse_report_line_baseline_split(benchmark):
    benchmark.group = "REPORT line"
    assert len(benchmark(str.split, REPORT, "\t")) == 8


def test_bench_skip_non_report_line(benchmark):
    benchmark.group = "REPORT line"
    assert benchmark(parse_line, "2024-06-17T17:23:55.826Z\tabc\tINFO\tprocessing order 1234") == []
