"""`lambda-kit report --log-group`: the --raw path end to end against moto, the Insights
plumbing against moto, and the faults (throttling, refused permissions, timeouts, a hung
endpoint, Ctrl-C) against loopback servers that answer as AWS does when things go wrong."""

import json
import os
import signal
import subprocess
import sys
import time

import boto3
import pytest
from _aws_helpers import FaultyLogs, SilentServer

from lambda_kit.cli import main
from lambda_kit.report import cloudwatch, logs
from lambda_kit.report.cloudwatch import CloudError, call, client

GROUP = "/aws/lambda/orders"
# two days ago at midnight UTC: CloudWatch (and moto) refuse events older than 14 days
T0 = (int(time.time() * 1000) // 86_400_000 - 2) * 86_400_000


def report_line(i: int) -> str:
    init = f"Init Duration: {200 + i % 7 * 11.5:.2f} ms\t" if i % 25 == 0 else ""
    status = "Status: timeout\t" if i == 77 else ""
    return (
        f"REPORT RequestId: r-{i}\tDuration: {3 + (i * 37 % 1000) / 7:.2f} ms\t"
        f"Billed Duration: {4 + (i * 37 % 1000) // 7} ms\tMemory Size: {(512, 1024)[i % 3 == 0]} MB\t"
        f"Max Memory Used: {70 + i % 40} MB\t{init}{status}"
    )


@pytest.fixture
def seeded(aws):
    """A log group with three streams of START/REPORT/END events, 3 minutes apart."""
    c = boto3.client("logs")
    c.create_log_group(logGroupName=GROUP)
    lines = []
    for s in range(3):
        stream = f"2025/11/24/[$LATEST]{s:032x}"
        c.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        events = []
        for k in range(60):
            i = s * 60 + k
            t = T0 + i * 180_000
            for j, text in enumerate((f"START RequestId: r-{i} Version: $LATEST", report_line(i))):
                events.append({"timestamp": t + j, "message": text + "\n"})
                lines.append(text)
        c.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)
    return lines


def run(capsys, *argv):
    code = main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(ms / 1000))


RANGE = ["--start", _iso(T0), "--end", _iso(T0 + 86_400_000)]


def test_raw_reads_every_stream_page_by_page_with_the_figures_of_a_file(seeded, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "PAGE_EVENTS", 17)  # 360 events: 22 pages
    code, out, err = run(capsys, "--log-group", GROUP, "--raw", "--json", *RANGE)
    assert code == 0, err
    cloud = json.loads(out)
    path = tmp_path / "same.log"
    path.write_text("\n".join(seeded) + "\n")
    code, out, _ = run(capsys, str(path), "--json")
    local = json.loads(out)
    assert cloud["invocations"] == 180 and cloud["timeouts"] == 1
    assert cloud["cold_starts"] == local["cold_starts"] == 8
    for key in ("cost_usd", "billed_gb_s", "duration_ms", "init_duration_ms", "max_memory_used_mb",
                "recommendation", "lines", "skipped_lines", "first", "last"):
        assert cloud[key] == local[key], key


def test_raw_follows_next_token(seeded):
    c = client("logs", "us-east-1")
    pages = list(logs.filter_events(c, GROUP, T0, T0 + 86_400_000))
    assert sum(len(p) for p in pages) == 360
    old = logs.PAGE_EVENTS
    logs.PAGE_EVENTS = 50
    try:
        pages = list(logs.filter_events(c, GROUP, T0, T0 + 86_400_000))
    finally:
        logs.PAGE_EVENTS = old
    assert len(pages) >= 8 and sum(len(p) for p in pages) == 360


def test_raw_filter_keeps_only_matching_events(seeded, capsys):
    code, out, _ = run(capsys, "--log-group", GROUP, "--raw", "--json", "--filter", "Memory Size: 1024 MB", *RANGE)
    assert code == 0 and json.loads(out)["invocations"] == 60


def test_a_missing_log_group_is_named(aws, capsys):
    for extra in ([], ["--raw"]):
        code, out, err = run(capsys, "--log-group", "/aws/lambda/nope", *extra, *RANGE)
        assert code == 2 and out == ""
        assert err == "lambda-kit report: log group /aws/lambda/nope does not exist (in this account and region)\n"


def test_insights_runs_one_query_per_range_and_reads_each_result(seeded):
    c = client("logs", "us-east-1")
    ranges = logs.split(T0, T0 + 9 * 3_600_000, hours=3)
    assert ranges == [(T0 + k * 10_800_000, T0 + (k + 1) * 10_800_000) for k in range(3)]
    # moto's Insights engine understands fields/sort/limit, not stats: the plumbing is what is tested
    done = logs.run_queries(c, GROUP, "fields @timestamp, @message | sort @timestamp asc | limit 10000", ranges, sleep=lambda s: None)
    assert [(q.start_ms, q.end_ms) for q in done] == ranges
    assert all(q.status == "Complete" for q in done)
    from lambda_kit.report.insights import parse_results

    counts = [sum("REPORT" in r.get("@message", "") for r in parse_results(q.answer)) for q in done]
    assert counts == [60, 60, 60]  # one event every 3 minutes, 3 hours each


def test_the_queries_are_shown_without_calling_aws(capsys):
    code, out, _ = run(capsys, "--log-group", GROUP, "--show-query", "--filter", 'v"2')
    assert code == 0
    assert 'filter @type = "REPORT"' in out and "pct(@duration, 99)" in out and "by bin(1h)" in out
    assert 'filter @message like "v\\"2"' in out


def test_throttling_is_retried_with_backoff_then_succeeds(monkeypatch):
    slept = []
    with FaultyLogs(throttle_first=3) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        c = client("logs", "us-east-1")
        answer = call(c, "start_query", "logs:StartQuery", sleep=slept.append, logGroupName=GROUP, startTime=1, endTime=2, queryString="x")
    assert "queryId" in answer and len(slept) == 3
    caps = [min(cloudwatch.BACKOFF_CAP_S, cloudwatch.BACKOFF_BASE_S * 2**k) for k in range(3)]
    assert all(0 <= s <= cap for s, cap in zip(slept, caps, strict=True))


def test_throttling_gives_up_after_a_bounded_number_of_attempts(monkeypatch):
    with FaultyLogs(throttle_first=100) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        c = client("logs", "us-east-1")
        with pytest.raises(CloudError, match=r"still throttled after 6 attempts \(ThrottlingException\)"):
            call(c, "filter_log_events", "logs:FilterLogEvents", sleep=lambda s: None, logGroupName=GROUP)
        assert len(server.calls) == cloudwatch.ATTEMPTS


def test_a_refused_permission_names_the_iam_action(monkeypatch, capsys):
    with FaultyLogs(deny=("StartQuery", "FilterLogEvents")) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        code, _, err = run(capsys, "--log-group", GROUP, *RANGE)
        assert code == 2 and err.startswith(f"lambda-kit report: not allowed to call logs:StartQuery on log group {GROUP}: grant the IAM action logs:StartQuery")
        code, _, err = run(capsys, "--log-group", GROUP, "--raw", *RANGE)
        assert code == 2 and "grant the IAM action logs:FilterLogEvents" in err
        assert err.count("\n") == 1 and "Traceback" not in err


def test_a_query_that_times_out_is_split_in_halves_and_the_total_says_approximate(monkeypatch, capsys):
    monkeypatch.setattr(logs, "POLL_S", (0.01, 0.01))
    with FaultyLogs(timeout_over_s=6 * 3600) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        code, out, err = run(capsys, "--log-group", GROUP, "--json", *RANGE)
    assert code == 0, err
    result = json.loads(out)
    spans = sorted(p["endTime"] - p["startTime"] for op, p in server.calls if op == "StartQuery")
    # 24 h timed out, then 12 h, then 4 x 6 h completed; the same for the hourly query
    assert spans.count(6 * 3600) == 8 and spans.count(24 * 3600) == 2 and spans.count(12 * 3600) == 4
    assert result["invocations"] == 40 and result["queries"] == 8
    assert "duration_ms percentiles" in result["approximate"]


def test_a_hung_endpoint_costs_the_read_timeout_once(monkeypatch, capsys):
    monkeypatch.setattr(cloudwatch, "READ_TIMEOUT_S", 0.5)
    monkeypatch.setattr(cloudwatch, "CONNECT_TIMEOUT_S", 0.5)
    with SilentServer() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        code, out, err = run(capsys, "--log-group", GROUP, "--raw", *RANGE)
    assert code == 2 and out == ""
    assert f"logs:FilterLogEvents: no answer from {server.url}" in err and "read timeout 0.5 s" in err


def test_a_query_that_never_completes_is_stopped_at_its_deadline(monkeypatch):
    monkeypatch.setattr(logs, "POLL_S", (0.01, 0.01))
    with FaultyLogs(never_complete=True) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        c = client("logs", "us-east-1")
        monkeypatch.setattr(logs, "MAX_SPLITS", 0)
        with pytest.raises(CloudError, match="ended Timeout"):
            logs.run_queries(c, GROUP, "q", [(T0, T0 + 3_600_000)], deadline_s=0.05)
        assert "StopQuery" in server.operations()


@pytest.mark.parametrize("raw", [True, False], ids=["raw", "insights"])
def test_ctrl_c_prints_the_partial_result(raw, tmp_path):
    with FaultyLogs(endless_pages=True, page_delay_s=0.05, never_complete=True) as server:
        env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": "t",
               "AWS_SECRET_ACCESS_KEY": "t", "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null"}
        argv = [sys.executable, "-m", "lambda_kit", "report", "--log-group", GROUP, "--json", *RANGE]
        proc = subprocess.Popen(argv + (["--raw"] if raw else []), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600  # a bound, not a speed requirement
        want = "FilterLogEvents" if raw else "GetQueryResults"
        while server.operations().count(want) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    if raw:
        data = json.loads(out)
        # the signal came while the third page was in flight: the two before it are counted
        assert data["partial"] is True and data["invocations"] >= 20 and data["invocations"] % 10 == 0
        assert "interrupted: partial results" in err
    else:
        assert "StopQuery" in server.operations()
        assert "nothing to report" in err


def _dummy_credentials(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_REGION": "us-east-1",
                       "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}.items():
        monkeypatch.setenv(key, value)


def test_malformed_insights_rows_are_named_by_number_and_never_reach_the_figures(monkeypatch, capsys):
    good = {"memory_mb": "512", "invocations": "10", "billed_mb_ms": "51200", "duration_p99": "12.5",
            "first": "2026-11-24 10:00:00.000", "bin(1h)": "2026-11-24 10:00:00.000"}
    rows = [good, {**good, "invocations": "NaN"}, {**good, "duration_p99": "Infinity"},
            {**good, "billed_mb_ms": "-1"}, {**good, "memory_mb": "99999999999999999999"}]
    with FaultyLogs(rows=rows) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        _dummy_credentials(monkeypatch)
        code, out, err = run(capsys, "--log-group", GROUP, "--json", *RANGE)
    assert code == 0, err
    result = json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in --json"))
    assert result["invocations"] == 10 and result["duration_ms"]["p99"] == 12.5
    assert result["malformed_rows"] == 8  # 4 bad rows in each of the two queries
    lines = err.splitlines()
    assert "lambda-kit report: Logs Insights totals query 1, row 2: malformed row (invocations is not a whole number: 'NaN')" in lines
    assert "lambda-kit report: Logs Insights hourly query 1, row 5: malformed row (memory_mb is out of range: 99999999999999999999 MB (Lambda's: 128 to 32,768))" in lines
    assert "Traceback" not in err and len(lines) == 8
