"""Reading REPORT lines: every form in the cited corpus, our own records, and malformed lines."""

import json
import pathlib

import pytest

from lambda_kit import instrument
from lambda_kit.report.parse import Malformed, parse_line, parse_record

CORPUS = [
    json.loads(line)
    for line in (pathlib.Path(__file__).parent / "fixtures" / "report_corpus.jsonl").open()
]


def test_every_corpus_line_names_its_source():
    assert all(row["source"].strip() for row in CORPUS)
    assert len({row["id"] for row in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("row", [r for r in CORPUS if "expect" in r], ids=lambda r: r["id"])
def test_a_report_line_reads_as_one_invocation_with_its_fields(row):
    [sample] = parse_line(row["line"])
    for key, want in row["expect"].items():
        got = getattr(sample, key)
        assert got == (pytest.approx(want) if isinstance(want, float) else want), key


@pytest.mark.parametrize("row", [r for r in CORPUS if r.get("samples") == 0], ids=lambda r: r["id"])
def test_a_line_that_is_not_a_report_is_skipped(row):
    assert parse_line(row["line"]) == []


@pytest.mark.parametrize("row", [r for r in CORPUS if "malformed" in r], ids=lambda r: r["id"])
def test_a_malformed_report_line_says_why(row):
    with pytest.raises(Malformed, match=row["malformed"]):
        parse_line(row["line"])


def test_snapstart_billed_duration_already_includes_the_billed_restore_duration():
    [s] = parse_line(next(r for r in CORPUS if r["id"] == "snapstart-sam-logs-prefix")["line"])
    assert s.billed_ms == 2521 == 2339 + s.billed_restore_ms


def test_fields_in_another_order_read_the_same():
    line = (
        "REPORT RequestId: r\tMax Memory Used: 60 MB\tBilled Restore Duration: 5 ms"
        "\tRestore Duration: 9.5 ms"
        "\tMemory Size: 128 MB\tBilled Duration: 20 ms\tDuration: 14.2 ms"
    )
    [s] = parse_line(line)
    assert (s.duration_ms, s.billed_ms, s.restore_ms, s.billed_restore_ms) == (14.2, 20, 9.5, 5)


def test_several_embedded_reports_on_one_line_are_all_read():
    events = [
        {
            "timestamp": 1718645035826 + i,
            "message": f"REPORT RequestId: {i}\tDuration: 1.5 ms\tBilled Duration: 2 ms"
            f"\tMemory Size: 128 MB\tMax Memory Used: 50 MB\t\n",
        }
        for i in range(3)
    ]
    samples = parse_line(json.dumps({"events": events}))
    assert [s.request_id for s in samples] == ["0", "1", "2"]


def test_a_negative_value_is_malformed():
    with pytest.raises(Malformed, match="must not be negative"):
        parse_line(
            "REPORT RequestId: 1\tDuration: -3 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB"
            "\tMax Memory Used: 5 MB"
        )


def test_a_platform_report_without_metrics_is_malformed():
    with pytest.raises(Malformed, match=r"without record\.metrics"):
        parse_line(
            '{"time":"2024-01-01T00:00:00Z","type":"platform.report","record":{"requestId":"x"}}'
        )


def test_a_platform_report_missing_billed_duration_is_malformed():
    with pytest.raises(Malformed, match=r"metrics\.billedDurationMs"):
        parse_line(
            '{"type":"platform.report","record":{"metrics":{"durationMs":1,"memorySizeMB":128,"maxMemoryUsedMB":3}}}'
        )


def test_our_own_invocation_record_reads_as_an_invocation(capsys):
    @instrument(service="orders")
    def handler(event, context):
        return "ok"

    handler({}, None)
    line = capsys.readouterr().out.splitlines()[-1]
    record = json.loads(line)
    [s] = parse_line(line)
    assert s.billed_ms == record["billed_duration_ms"]
    assert s.memory_mb == record["function_memory_size"]
    assert s.reported_cost_usd == record["cost_usd"]
    assert s.architecture == record["architecture"]
    assert s.status == "success"
    assert s.cold_start == (record["cold_start"] and "init_duration_ms" in record)


def test_an_error_record_keeps_status_and_error_type():
    s = parse_record(
        {
            "type": "invocation",
            "duration_ms": 3.2,
            "billed_duration_ms": 4,
            "function_memory_size": 256,
            "max_memory_used_mb": 70,
            "status": "error",
            "error_type": "KeyError",
            "cold_start": True,
            "init_duration_ms": 120.5,
            "function_name": "orders",
            "timestamp": "2026-11-24T01:02:03.456Z",
        }
    )
    assert (s.status, s.error_type, s.init_ms, s.function, s.timestamp) == (
        "error",
        "KeyError",
        120.5,
        "orders",
        "2026-11-24T01:02",
    )


def test_a_record_missing_billed_duration_is_malformed():
    with pytest.raises(Malformed, match="without billed_duration_ms"):
        parse_line('{"type": "invocation", "duration_ms": 1.0, "function_memory_size": 128}')


def test_each_embedded_report_is_dated_and_named_by_its_own_envelope():
    def event(ms, group, rid):
        return {
            "@timestamp": ms,
            "@log": f"123456789012:/aws/lambda/{group}",
            "@message": f"REPORT RequestId: {rid}\tDuration: 1.5 ms\tBilled Duration: 2 ms"
            "\tMemory Size: 128 MB\tMax Memory Used: 50 MB\t\n",
        }

    line = json.dumps(
        [event("2024-01-01 10:00:00.000", "a", "1"), event("2024-01-02 11:00:00.000", "b", "2")]
    )
    first, second = parse_line(line)
    assert (first.function, first.timestamp) == ("a", "2024-01-01T10:00")
    assert (second.function, second.timestamp) == ("b", "2024-01-02T11:00")
