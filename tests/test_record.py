"""The invocation record: one JSON line per invocation, with DESIGN.md's keys."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest
from _lk_helpers import Capture, FakeContext

from lambda_kit import _current, _problems, environment, instrument
from lambda_kit import billing as cost
from lambda_kit.record import KEYS, timestamp

REQUIRED = {
    "timestamp": str,
    "level": str,
    "message": str,
    "type": str,
    "service": str,
    "cold_start": bool,
    "init_type": str,
    "proactive_init": bool,
    "invocation_count": int,
    "function_name": str,
    "function_version": str,
    "function_arn": str,
    "function_request_id": str,
    "function_memory_size": int,
    "duration_ms": float,
    "billed_duration_ms": int,
    "max_memory_used_mb": int,
    "architecture": str,
    "cost_usd": float,
    "status": str,
}


@pytest.fixture(autouse=True)
def _fresh_environment(monkeypatch):
    for name in (
        "LAMBDA_KIT_SERVICE",
        "POWERTOOLS_SERVICE_NAME",
        "_X_AMZN_TRACE_ID",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    ):
        monkeypatch.delenv(name, raising=False)
    environment.reset()
    _problems.reset()
    yield
    environment.reset()


def _invoke(handler_fn=None, n=1, ctx=None, **options):
    out = Capture()
    fn = handler_fn or (lambda event, context: {"ok": True})
    wrapped = instrument(output=out, **options)(fn)
    results = [wrapped({"n": i}, ctx or FakeContext()) for i in range(n)]
    return results, out.records


def test_every_required_key_is_present_with_its_type():
    _, [record] = _invoke(service="orders")
    for key, kind in REQUIRED.items():
        assert isinstance(record[key], kind), (key, record.get(key))
    assert record["message"] == "invocation" and record["type"] == "invocation"
    assert record["level"] == "INFO" and record["status"] == "success"


def test_keys_are_written_in_the_documented_order():
    _, [record] = _invoke()
    order = [KEYS.index(k) for k in record]
    assert order == sorted(order)


def test_timestamp_is_iso8601_utc_with_milliseconds():
    _, [record] = _invoke()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["timestamp"])


def test_timestamp_formats_a_known_instant():
    assert timestamp(1_700_000_000_123_456_789) == "2023-11-14T22:13:20.123Z"
    assert timestamp(1_700_000_001_999_000_000) == "2023-11-14T22:13:21.999Z"


def test_context_fields_are_copied_from_the_lambda_context():
    ctx = FakeContext(name="pay", memory="1024", version="7", request_id="r-123")
    _, [record] = _invoke(ctx=ctx)
    assert record["function_name"] == "pay"
    assert record["function_version"] == "7"
    assert record["function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:pay"
    assert record["function_request_id"] == "r-123"
    assert record["function_memory_size"] == 1024


def test_service_argument_wins_over_environment(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "from-powertools")
    _, [record] = _invoke(service="explicit")
    assert record["service"] == "explicit"


def test_service_from_lambda_kit_then_powertools_variable(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "from-powertools")
    _, [record] = _invoke()
    assert record["service"] == "from-powertools"
    monkeypatch.setenv("LAMBDA_KIT_SERVICE", "from-lambda-kit")
    _, [record] = _invoke()
    assert record["service"] == "from-lambda-kit"


def test_service_defaults_to_the_function_name():
    _, [record] = _invoke(ctx=FakeContext(name="billing"))
    assert record["service"] == "billing"


def test_xray_trace_id_is_the_root_of_the_trace_header(monkeypatch):
    monkeypatch.setenv(
        "_X_AMZN_TRACE_ID",
        "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    )
    _, [record] = _invoke()
    assert record["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"


def test_xray_trace_id_follows_the_header_of_each_invocation(monkeypatch):
    out = Capture()
    wrapped = instrument(output=out)(lambda e, c: None)
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-aaaaaaaa-111111111111111111111111;Sampled=0")
    wrapped({}, FakeContext())
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-bbbbbbbb-222222222222222222222222;Sampled=1")
    wrapped({}, FakeContext())
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    wrapped({}, FakeContext())
    ids = [r.get("xray_trace_id") for r in out.records]
    assert ids == [
        "1-aaaaaaaa-111111111111111111111111",
        "1-bbbbbbbb-222222222222222222222222",
        None,
    ]


def test_duration_covers_the_handler_and_billed_duration_rounds_up():
    import time

    def slow(event, context):
        time.sleep(0.012)

    _, [_, record] = _invoke(slow, n=2)
    assert record["duration_ms"] >= 12
    assert record["billed_duration_ms"] >= record["duration_ms"]
    assert record["billed_duration_ms"] - record["duration_ms"] < 1


def test_cold_start_bills_init_plus_duration():
    _, [cold, warm] = _invoke(n=2)
    expected = cold["duration_ms"] + cold["init_duration_ms"]
    assert expected <= cold["billed_duration_ms"] < expected + 1.01
    assert warm["billed_duration_ms"] < warm["duration_ms"] + 1.01


def test_cost_is_request_plus_compute_on_the_billed_duration():
    _, [_, warm] = _invoke(n=2, ctx=FakeContext(memory="1024"))
    gb_s = 1.0 * warm["billed_duration_ms"] / 1000
    price = cost.prices(None, warm["architecture"]).tiers[0][1]
    assert warm["cost_usd"] == pytest.approx(0.20 / 1e6 + gb_s * price, rel=1e-6)


def test_cost_grows_with_memory():
    _, [_, small] = _invoke(n=2, ctx=FakeContext(memory="128"))
    environment.reset()
    _, [_, large] = _invoke(n=2, ctx=FakeContext(memory="10240"))
    per_ms_small = (small["cost_usd"] - 0.2e-6) / small["billed_duration_ms"]
    per_ms_large = (large["cost_usd"] - 0.2e-6) / large["billed_duration_ms"]
    assert per_ms_large == pytest.approx(per_ms_small * 80, rel=1e-3)


def test_arm64_is_priced_below_x86_64(monkeypatch):
    monkeypatch.setattr(environment, "architecture", lambda: "arm64")
    _, [_, arm] = _invoke(n=2)
    assert arm["architecture"] == "arm64"
    compute = arm["cost_usd"] - 0.2e-6
    assert compute == pytest.approx(arm["billed_duration_ms"] / 1000 * 0.5 * 0.0000133334, rel=1e-4)


def test_peak_memory_is_reported_in_megabytes():
    import resource

    _, [record] = _invoke()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert rss_mb - 1 <= record["max_memory_used_mb"] <= rss_mb + 1


def test_an_error_passes_through_with_the_same_object_and_traceback():
    out = Capture()
    boom = ValueError("bad order")

    def handler(event, context):
        raise boom

    wrapped = instrument(output=out)(handler)
    with pytest.raises(ValueError) as info:
        wrapped({}, FakeContext())
    assert info.value is boom
    # the handler's own frame is in the traceback
    assert any(tb.name == "handler" for tb in info.traceback)
    [record] = out.records
    assert record["status"] == "error" and record["level"] == "ERROR"
    assert record["error_type"] == "ValueError"


def test_base_exceptions_such_as_system_exit_are_recorded_and_reraised():
    out = Capture()

    def handler(event, context):
        sys.exit(3)

    with pytest.raises(SystemExit):
        instrument(output=out)(handler)({}, FakeContext())
    assert out.records[0]["error_type"] == "SystemExit"


def test_the_same_result_object_comes_back():
    marker = object()
    [result], _ = _invoke(lambda e, c: marker)
    assert result is marker


def test_record_goes_to_a_file_when_given_a_path(tmp_path):
    path = tmp_path / "records.jsonl"
    wrapped = instrument(output=str(path))(lambda e, c: 1)
    wrapped({}, FakeContext())
    wrapped({}, FakeContext())
    lines = path.read_text().splitlines()
    assert [json.loads(x)["invocation_count"] for x in lines] == [1, 2]


def test_record_goes_to_a_binary_stream():
    buf = io.BytesIO()
    instrument(output=buf)(lambda e, c: 1)({}, FakeContext())
    assert json.loads(buf.getvalue())["status"] == "success"


def test_record_goes_to_stdout_by_default(capsys):
    instrument(lambda e, c: 1)({}, FakeContext())
    assert json.loads(capsys.readouterr().out)["type"] == "invocation"


def test_closed_stdout_loses_nothing_but_the_record(monkeypatch, capsys):
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdout", closed)
    wrapped = instrument(lambda e, c: "still here")
    assert wrapped({}, FakeContext()) == "still here"
    assert wrapped({}, FakeContext()) == "still here"
    err = capsys.readouterr().err
    assert err.count("lambda_kit: could not write the invocation record") == 1
    assert "closed file" in err


def test_missing_stdout_is_reported_once(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdout", None)
    assert instrument(lambda e, c: 5)({}, FakeContext()) == 5
    assert "stdout is closed" in capsys.readouterr().err


def test_a_failing_extra_sink_does_not_stop_the_record_or_the_result(capsys):
    out = Capture()

    def broken(record):
        raise RuntimeError("sink down")

    wrapped = instrument(output=out, sinks=[broken])(lambda e, c: "ok")
    assert wrapped({}, FakeContext()) == "ok"
    assert len(out.records) == 1
    assert "sink down" in capsys.readouterr().err


def test_extra_sinks_receive_the_same_record():
    seen = []
    out = Capture()
    instrument(output=out, sinks=[seen.append])(lambda e, c: 1)({}, FakeContext())
    assert seen == out.records


def test_unserialisable_context_values_are_written_as_text():
    class Weird:
        def __str__(self) -> str:
            return "weird-name"

    ctx = FakeContext()
    ctx.function_name = Weird()  # type: ignore[assignment]
    ctx.aws_request_id = b"\xff-bytes"  # type: ignore[assignment]
    [result], [record] = _invoke(ctx=ctx)
    assert result == {"ok": True}
    assert record["function_name"] == "weird-name"
    assert isinstance(record["function_request_id"], str)


def test_no_context_at_all_still_records_from_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "env-fn")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "3")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
    out = Capture()
    assert instrument(output=out)(lambda event: event)({"x": 1}) == {"x": 1}
    [record] = out.records
    assert record["function_name"] == "env-fn" and record["function_version"] == "3"
    assert record["function_memory_size"] == 2048 and record["function_request_id"] is None


@pytest.mark.parametrize("case", ["success", "error", "timeout", "traced"])
def test_the_fast_line_is_byte_for_byte_the_records_line(monkeypatch, case):
    # with the JSON line as the record's only reader, @instrument writes it without
    # building the dict; both ways must give the same line
    from lambda_kit import record

    if case == "traced":
        monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1")
    out = Capture()
    # no deadline watch: this test starts invocations it never ends (a watched one would
    # get a timeout record 3 s later, in the middle of some other test's invocation)
    wrapped = instrument(output=out, service='quote " here', timeout_margin_ms=0)(lambda e, c: None)
    state = wrapped._lambda_kit_state
    assert state._solo is not None
    call = state._begin(({}, FakeContext(request_id='r"1')), {})
    _current.current.reset(call.token)  # never ended: no invocation stays current
    exc = ValueError("x") if case == "error" else None
    budget = 3000.0 if case == "timeout" else None
    record.finish(call, 1_234_567, exc, budget)
    fast = record.line(call)
    slow = record.to_json_line(record.build(call))
    assert fast == slow
    parsed = json.loads(fast)
    assert parsed["invocation_count"] == 1 and "init_duration_ms" in parsed


def test_an_extra_sink_gets_the_record_dict_and_the_line_is_unchanged():
    seen = []
    out = Capture()
    instrument(output=out, sinks=[seen.append])(lambda e, c: None)({}, FakeContext())
    assert seen == out.records


def test_a_start_hook_that_raises_loses_neither_the_record_nor_the_reset(capsys):
    from lambda_kit import _hooks

    def broken() -> None:
        raise RuntimeError("contributor broke")

    _hooks.add_start(broken)
    try:
        out = Capture()
        wrapped = instrument(output=out)(lambda e, c: "result")
        assert wrapped({}, FakeContext(request_id="h1")) == "result"
        assert wrapped({}, FakeContext(request_id="h2")) == "result"
    finally:
        _hooks.remove_start(broken)
    assert [r["function_request_id"] for r in out.records] == ["h1", "h2"]
    assert _current.current.get() is None
    err = capsys.readouterr().err
    assert err.count("contributor broke") == 1  # once, however often it fails
