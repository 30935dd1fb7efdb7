"""End to end: the records of @instrument, from a real `lambda-kit invoke` run, agree
with the REPORT lines the local runtime printed (issue 3, item 6)."""

from __future__ import annotations

import pytest

from lambda_kit.local import run_environment
from tests._invoke_helpers import DEMO_EXAMPLES, EXAMPLES, invoke, ms, records_and_reports


def _agree(records, reports):
    assert len(records) == len(reports)
    for record, report in zip(records, reports, strict=True):
        assert record["function_request_id"] == report["RequestId"]
        assert record["duration_ms"] <= ms(report["Duration"])
        assert record["max_memory_used_mb"] <= ms(report["Max Memory Used"])
        assert record["function_memory_size"] == ms(report["Memory Size"])
        if record["cold_start"]:
            init = ms(report["Init Duration"])
            assert abs(record["init_duration_ms"] - init) <= max(0.10 * init, 20.0), (
                record["init_duration_ms"],
                init,
            )
        else:
            assert "Init Duration" not in report
            assert "init_duration_ms" not in record


@pytest.fixture(scope="module")
def hello_run():
    return invoke(f"{EXAMPLES}/hello.py:handler", "-n", "3", "--memory", "256")


def test_only_the_first_invocation_of_an_environment_is_a_cold_start(hello_run):
    records, reports = records_and_reports(hello_run.stderr)
    assert [r["cold_start"] for r in records] == [True, False, False]
    assert ["Init Duration" in r for r in reports] == [True, False, False]


def test_records_agree_with_the_report_lines(hello_run):
    assert hello_run.returncode == 0, hello_run.stderr
    _agree(*records_and_reports(hello_run.stderr))


def test_records_agree_with_the_report_lines_after_a_heavy_import():
    run = invoke(f"{DEMO_EXAMPLES}/heavy.py:handler", "-n", "2")
    assert run.returncode == 0, run.stderr
    records, reports = records_and_reports(run.stderr)
    assert [r["cold_start"] for r in records] == [True, False]
    _agree(records, reports)


def test_after_a_timeout_the_next_invocation_is_cold_again_and_still_agrees():
    lines: list[str] = []
    run = run_environment(
        f"{DEMO_EXAMPLES}/slow.py:handler",
        [b'{"sleep_s": 30}', b'{"sleep_s": 0.01}'],
        timeout_s=1.0,
        log=lines.append,
    )
    assert [r.status for r in run.results] == ["timeout", "success"]
    assert run.environments == 2
    records, reports = records_and_reports("\n".join(lines))
    # the killed invocation wrote its record just before the kill; the next one is cold again
    timed_out, after = records
    assert timed_out["status"] == "timeout" and timed_out["level"] == "ERROR"
    assert timed_out["function_request_id"] == run.results[0].request_id
    assert 900 <= timed_out["duration_ms"] <= 1000
    # billed until the kill, as REPORT bills it (init included on this cold start)
    assert abs(timed_out["billed_duration_ms"] - ms(reports[0]["Billed Duration"])) <= 25
    assert after["cold_start"] is True and after["function_request_id"] == run.results[1].request_id
    _agree([after], reports[1:])
