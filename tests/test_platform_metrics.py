"""Lambda's own figures as CloudWatch metrics: with LAMBDA_KIT_PLATFORM=1 and EMF on, each
platform.report also goes out as an EMF document, through the EMF sink of the invocation.

End to end under ``invoke`` (which emulates the Extensions and Telemetry APIs), each
document is checked against the EMF specification and against the REPORT line of its
request; the faults (garbage figures, a closed output, many reports at once) against a
real listener on loopback.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from _emf_helpers import assert_valid_emf
from _invoke_helpers import write_handler
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit import _problems
from lambda_kit._output import LineWriter
from lambda_kit.local.runner import run_environment
from lambda_kit.platform import metrics as platform_metrics
from lambda_kit.platform.extension import Extension
from lambda_kit.platform.lines import BadEvent, report_fields
from lambda_kit.platform.listener import Listener
from lambda_kit.sinks import emf
from lambda_kit.sinks.emf import EmfSink

HANDLER = """
    import lambda_kit
    from lambda_kit import instrument

    @instrument(service="orders"{options})
    def handler(event, context):
        if event.get("fail"):
            raise ValueError("boom")
        if event.get("sleep"):
            import time
            time.sleep(event["sleep"])
        return {{"ok": True}}
"""
PLATFORM_NAMES = {name for _, name, _ in platform_metrics.METRICS}


def _run(tmp_path: Path, events: list[dict[str, Any]], options: str = "", **kw: Any) -> Any:
    spec, _ = write_handler(tmp_path, HANDLER.format(options=options))
    log: list[str] = []
    env = {"LAMBDA_KIT_PLATFORM": "1", **kw.pop("env", {})}
    run = run_environment(spec, [json.dumps(e) for e in events], log=log.append, env=env, **kw)
    return run, log


def _docs(log: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the invocations' EMF documents, the platform ones), each by request id, each valid."""
    ours: dict[str, Any] = {}
    lambdas: dict[str, Any] = {}
    for line in log:
        for part in line.splitlines():
            if '"_aws"' not in part:
                continue
            doc = assert_valid_emf(part)
            names = {m["Name"] for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]}
            into = lambdas if names & PLATFORM_NAMES else ours
            assert not (names & PLATFORM_NAMES and names - PLATFORM_NAMES), "never mixed"
            assert doc["function_request_id"] not in into, "one document per request"
            into[doc["function_request_id"]] = doc
    return ours, lambdas


def _directive(doc: dict[str, Any]) -> dict[str, Any]:
    [directive] = doc["_aws"]["CloudWatchMetrics"]
    return directive


def _assert_figures(doc: dict[str, Any], report: Any) -> None:
    units = {m["Name"]: m["Unit"] for m in _directive(doc)["Metrics"]}
    assert doc["PlatformDuration"] == round(report.duration_ms, 3)
    assert doc["PlatformBilledDuration"] == report.billed_duration_ms
    assert doc["PlatformMaxMemoryUsed"] == report.max_memory_used_mb
    assert units["PlatformDuration"] == units["PlatformBilledDuration"] == "Milliseconds"
    assert units["PlatformMaxMemoryUsed"] == "Megabytes"
    if report.init_duration_ms is None:
        assert "PlatformInitDuration" not in units and "PlatformInitDuration" not in doc
    else:
        assert doc["PlatformInitDuration"] == round(report.init_duration_ms, 3)
        assert units["PlatformInitDuration"] == "Milliseconds"
    assert doc["status"] == report.status
    assert doc.get("error_type") == report.error_type


def test_each_report_is_an_emf_document_with_the_report_lines_figures(tmp_path):
    run, log = _run(tmp_path, [{}, {}, {"fail": 1}, {}], env={"LAMBDA_KIT_METRICS": "1"})
    ours, lambdas = _docs(log)
    ids = [r.report.request_id for r in run.results]
    assert set(lambdas) == set(ours) == set(ids)
    for result in run.results:
        _assert_figures(lambdas[result.report.request_id], result.report)
    # the cold start's init only on the first; the error's status and type on the third
    assert [("PlatformInitDuration" in lambdas[i]) for i in ids] == [True, False, False, False]
    assert lambdas[ids[2]]["status"] == "error" and lambdas[ids[2]]["error_type"] == "ValueError"


def test_the_documents_share_the_invocations_namespace_and_dimensions(tmp_path):
    # metrics on by the decorator's arguments alone: no environment variable says so
    _, log = _run(tmp_path, [{}, {}], options=', metrics=True, namespace="Shop"')
    ours, lambdas = _docs(log)
    assert len(lambdas) == 2
    for rid, doc in lambdas.items():
        mine = ours[rid]
        assert _directive(doc)["Namespace"] == _directive(mine)["Namespace"] == "Shop"
        assert _directive(doc)["Dimensions"] == _directive(mine)["Dimensions"]
        assert (doc["service"], doc["function_name"]) == (mine["service"], mine["function_name"])
        assert doc["service"] == "orders"
        # Lambda's time for the figures, not the time the report arrived
        assert abs(doc["_aws"]["Timestamp"] - mine["_aws"]["Timestamp"]) < 60_000


def test_a_timed_out_invocation_gets_its_document_with_status_timeout(tmp_path):
    run, log = _run(tmp_path, [{"sleep": 30}, {}], env={"LAMBDA_KIT_METRICS": "1"}, timeout_s=1.0)
    _, lambdas = _docs(log)
    timed_out, after = run.results
    assert timed_out.status == "timeout"
    doc = lambdas[timed_out.report.request_id]
    _assert_figures(doc, timed_out.report)
    assert doc["status"] == "timeout" and doc["PlatformDuration"] >= 1000
    # the next environment is a new cold start: its init is in its own document
    _assert_figures(lambdas[after.report.request_id], after.report)
    assert "PlatformInitDuration" in lambdas[after.report.request_id]


def test_with_metrics_off_no_document_is_written(tmp_path):
    _, log = _run(tmp_path, [{}, {}])
    assert not any('"_aws"' in line for line in log)
    assert sum('"type":"platform_report"' in line for line in log) == 2


def test_many_invocations_lose_no_document(tmp_path):
    run, log = _run(tmp_path, [{}] * 150, env={"LAMBDA_KIT_METRICS": "1"})
    _, lambdas = _docs(log)
    assert set(lambdas) == {r.report.request_id for r in run.results}
    for result in run.results:
        _assert_figures(lambdas[result.report.request_id], result.report)


# -- against a real listener: garbage figures, a closed output, concurrency -------------------


def _report(rid: str, **metrics: Any) -> dict[str, Any]:
    m: dict[str, Any] = {
        "durationMs": 1.5,
        "billedDurationMs": 2,
        "memorySizeMB": 128,
        "maxMemoryUsedMB": 40,
    }
    m.update(metrics)
    return {
        "time": "2026-01-01T00:00:00.125Z",
        "type": "platform.report",
        "record": {"requestId": rid, "metrics": m, "status": "success"},
    }


def _post(port: int, body: bytes) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def wired(tmp_path):
    """An extension on a real listener, and an EMF sink (writing to a file) that has
    written one invocation: metrics are on, with its namespace and dimensions."""
    _problems.reset()
    lines, docs = tmp_path / "lines.jsonl", tmp_path / "emf.jsonl"
    sink = EmfSink(namespace="Shop", output=str(docs))
    sink.lines({"service": "orders", "function_name": "orders-fn", "function_request_id": "r0"})
    ext = Extension(LineWriter(str(lines)))
    listener = Listener("127.0.0.1", ext.on_events)
    yield ext, listener, lines, docs
    listener.close()
    emf.last_used = None
    _problems.reset()


def _read(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_garbage_figures_are_named_once_and_never_become_metrics(wired, capsys):
    ext, listener, lines, docs = wired
    bad = [
        _report("neg", durationMs=-1),
        _report("nan", durationMs=float("nan")),
        _report("inf", billedDurationMs=float("inf")),
        _report("huge", maxMemoryUsedMB=10**400),
        _report("big", durationMs=1e300),
        _report("text", initDurationMs="12"),
        _report("bool", billedDurationMs=True),
        _report("half", billedDurationMs=2.5),
    ]
    good = _report("good", initDurationMs=120.25)
    # twice: a fault is reported once, however often Lambda repeats it
    body = json.dumps([*bad, good, *bad]).encode()  # NaN / Infinity as Python writes them
    assert _post(listener.port, body) == 200
    assert [json.loads(x)["function_request_id"] for x in _read(lines)] == ["good"]
    [raw] = _read(docs)
    assert "NaN" not in raw and "Infinity" not in raw
    doc = assert_valid_emf(raw)
    assert doc["function_request_id"] == "good" and doc["PlatformInitDuration"] == 120.25
    err = capsys.readouterr().err.splitlines()
    prefix = "lambda_kit: platform telemetry: platform.report metrics."
    assert (
        err
        == [
            prefix + "durationMs is not a duration or size: -1",  # and nan: the same fault
            prefix + "billedDurationMs is out of range: inf (at most 9,999,999)",
            prefix + f"maxMemoryUsedMB is out of range: {str(10**400)[:40]} (at most 32,768)",
            prefix + "durationMs is out of range: 1e+300 (at most 9,999,999)",
            prefix + "initDurationMs is not a duration or size: '12'",
            prefix + "billedDurationMs is not a duration or size: True",
            prefix + "billedDurationMs is not a whole number: 2.5",
        ]
    )
    assert ext.reports == 1 and ext.metric_lines == 1


def test_a_closed_output_is_reported_once_and_the_lines_go_on(wired, capsys):
    ext, listener, lines, _docs_path = wired
    closed = io.StringIO()
    closed.close()
    emf.last_used[0]._writer = LineWriter(closed)  # type: ignore[index]
    for i in range(3):
        assert _post(listener.port, json.dumps([_report(f"r{i}")]).encode()) == 200
    assert len(_read(lines)) == 3  # the platform_report lines are not held up
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "lambda_kit: could not write the platform metrics (EMF): "
        "ValueError('I/O operation on closed file')"
    ]
    assert ext.reports == 3 and ext.pending() == []


def test_stdout_gone_is_reported_once(tmp_path, capsys, monkeypatch):
    _problems.reset()
    sink = EmfSink()  # stdout, looked up at each write
    sink.lines({"service": "orders", "function_name": "fn"})
    ext = Extension(LineWriter(str(tmp_path / "lines.jsonl")))
    monkeypatch.setattr("sys.stdout", None)
    try:
        ext.on_events([_report("a"), _report("b")])
    finally:
        emf.last_used = None
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "lambda_kit: could not write the platform metrics (EMF): "
        "OSError('stdout is closed (sys.stdout is None)')"
    ]
    assert ext.reports == 2


def test_a_snapstart_restore_gives_restore_metrics_and_no_init(wired):
    ext, _listener, _lines, docs = wired
    ext.on_events(
        [_report("snap", restoreDurationMs=310.5, billedRestoreDurationMs=26, billedDurationMs=28)]
    )
    [doc] = [assert_valid_emf(x) for x in _read(docs)]
    units = {m["Name"]: m["Unit"] for m in _directive(doc)["Metrics"]}
    assert units == {
        "PlatformDuration": "Milliseconds",
        "PlatformBilledDuration": "Milliseconds",
        "PlatformMaxMemoryUsed": "Megabytes",
        "PlatformRestoreDuration": "Milliseconds",
        "PlatformBilledRestoreDuration": "Milliseconds",
    }
    assert (doc["PlatformRestoreDuration"], doc["PlatformBilledRestoreDuration"]) == (310.5, 26)
    assert doc["_aws"]["Timestamp"] == 1767225600125  # the event's own time
    assert _directive(doc)["Namespace"] == "Shop"
    assert (doc["service"], doc["function_name"]) == ("orders", "orders-fn")


def test_a_report_with_an_unreadable_time_is_written_at_now_and_said_once(wired, capsys):
    ext, _listener, _lines, docs = wired
    odd = [{**_report(f"t{i}"), "time": "yesterday"} for i in range(2)]
    ext.on_events(odd)
    stamps = [assert_valid_emf(x)["_aws"]["Timestamp"] for x in _read(docs)]
    now = dt.datetime.now(dt.UTC).timestamp() * 1000
    assert len(stamps) == 2 and all(abs(s - now) < 600_000 for s in stamps)
    assert capsys.readouterr().err.count("is not ISO 8601 UTC") == 1


def test_reports_from_many_threads_give_one_document_each(wired):
    ext, listener, _lines, docs = wired
    errors: list[BaseException] = []

    def send(t: int) -> None:
        try:
            for b in range(5):
                batch = [_report(f"t{t}-b{b}-{i}") for i in range(10)]
                assert _post(listener.port, json.dumps(batch).encode()) == 200
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    ids = [assert_valid_emf(x)["function_request_id"] for x in _read(docs)]
    assert len(ids) == 400 == len(set(ids)) == ext.metric_lines


# -- the parsers: property tests ------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)),
    st.integers(0, 6),
)
def test_epoch_ms_reads_what_datetime_writes(when, digits):
    when = when.replace(tzinfo=dt.UTC)
    fraction = f"{when.microsecond:06d}"[:digits]
    text = (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}"
        + (f".{fraction}" if digits else "")
        + "Z"
    )
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    seconds = (when.replace(microsecond=0) - epoch) // dt.timedelta(seconds=1)
    assert platform_metrics.epoch_ms(text) == seconds * 1000 + int((fraction + "000")[:3])


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-29T00:00:00Z",  # not a leap year
        "2026-13-01T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-01-01T00:00:00+01:00",
        "2026-01-01 00:00:00Z",
        "",
    ],
)
def test_epoch_ms_refuses_what_is_not_a_utc_time(text):
    assert platform_metrics.epoch_ms(text) is None


_JSON_FIGURE = st.one_of(
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "durationMs",
                "billedDurationMs",
                "memorySizeMB",
                "maxMemoryUsedMB",
                "initDurationMs",
                "restoreDurationMs",
                "billedRestoreDurationMs",
            ]
        ),
        _JSON_FIGURE,
    )
)
def test_a_report_is_refused_or_gives_metrics_cloudwatch_accepts(figures):
    event = _report("p")
    event["record"]["metrics"] = figures
    try:
        fields = report_fields(event)
    except BadEvent:
        return
    metrics, props, when = platform_metrics.document_parts(fields)
    sink = EmfSink(namespace="Shop")
    for line in sink.metric_lines(metrics, {"service": "s"}, props, when):
        doc = assert_valid_emf(line)
        for name, _unit, _res, values in metrics:
            assert 0 <= doc[name] < 10_000_000 and doc[name] == values[0]
