"""Platform truth: LAMBDA_KIT_PLATFORM=1 writes Lambda's own figures, end to end under invoke.

The extension registers with the Extensions API, subscribes a listener to the
Telemetry API and writes a ``platform_report`` line per ``platform.report``; ``invoke``
emulates both APIs, so each line is compared with the REPORT line of the same request.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from _invoke_helpers import write_handler
from _lk_helpers import run_python
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit import _problems
from lambda_kit._output import LineWriter
from lambda_kit.local.runner import run_environment
from lambda_kit.local.server import RuntimeAPIServer
from lambda_kit.local.telemetry import Telemetry
from lambda_kit.platform.extension import Extension
from lambda_kit.platform.listener import Listener
from lambda_kit.prices import prices_for

PRICES = {a: prices_for("us-east-1", a) for a in ("x86_64", "arm64")}

HANDLER = """
    import lambda_kit
    from lambda_kit import instrument

    @instrument
    def handler(event, context):
        if event.get("fail"):
            raise ValueError("boom")
        if event.get("sleep"):
            import time
            time.sleep(event["sleep"])
        return {"ok": True}
"""


def _run(tmp_path: Path, events: list[dict[str, Any]], **settings: Any) -> tuple[Any, list[str]]:
    spec, _ = write_handler(tmp_path, HANDLER)
    log: list[str] = []
    env = {"LAMBDA_KIT_PLATFORM": "1", **settings.pop("env", {})}
    run = run_environment(
        spec, [json.dumps(e) for e in events], log=log.append, env=env, **settings
    )
    return run, log


def _platform_lines(log: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for line in log:
        for part in line.splitlines():
            if part.startswith('{"type":"platform_report"'):
                obj = json.loads(part)
                assert obj["function_request_id"] not in found, "one line per request"
                found[obj["function_request_id"]] = obj
    return found


def _assert_matches_report(line: dict[str, Any], report: Any) -> None:
    # Lambda's durationMs has 3 decimals (invoke rounds its figure so), REPORT prints 2
    assert line["duration_ms"] == round(report.duration_ms, 3)
    assert line["billed_duration_ms"] == report.billed_duration_ms
    assert line["max_memory_used_mb"] == report.max_memory_used_mb
    assert line["function_memory_size"] == report.memory_size_mb
    assert line["status"] == report.status
    if report.init_duration_ms is None:
        assert "init_duration_ms" not in line
    else:
        assert line["init_duration_ms"] == round(report.init_duration_ms, 3)
    assert line.get("error_type") == report.error_type


def test_cold_warm_and_error_lines_match_report_figure_by_figure(tmp_path):
    run, log = _run(tmp_path, [{}, {}, {"fail": 1}, {}])
    lines = _platform_lines(log)
    assert [r.status for r in run.results] == ["success", "success", "error", "success"]
    assert set(lines) == {r.report.request_id for r in run.results}
    for result in run.results:
        _assert_matches_report(lines[result.report.request_id], result.report)
    first = run.results[0].report
    assert first.init_duration_ms is not None and "init_duration_ms" in lines[first.request_id]
    assert lines[run.results[2].report.request_id]["error_type"] == "ValueError"


def test_a_timed_out_invocation_gets_its_line_before_the_environment_goes(tmp_path):
    run, log = _run(tmp_path, [{"sleep": 30}, {}], timeout_s=1.0)
    lines = _platform_lines(log)
    timed_out, after = run.results
    assert timed_out.status == "timeout" and run.environments == 2
    _assert_matches_report(lines[timed_out.report.request_id], timed_out.report)
    assert lines[timed_out.report.request_id]["status"] == "timeout"
    # the next environment is a new cold start, with its own init in its own line
    _assert_matches_report(lines[after.report.request_id], after.report)
    assert "init_duration_ms" in lines[after.report.request_id]


def test_lines_arrive_after_the_invocation_they_report(tmp_path):
    run, log = _run(tmp_path, [{}, {}])
    first = run.results[0].report.request_id
    report_at = next(
        i for i, line in enumerate(log) if line.startswith(f"REPORT RequestId: {first}")
    )
    line_at = next(
        i
        for i, line in enumerate(log)
        if "platform_report" in line and f'"function_request_id":"{first}"' in line
    )
    assert line_at > report_at


PROBE = """
    import sys, threading
    import lambda_kit
    from lambda_kit import instrument

    @instrument
    def handler(event, context):
        return {"imported": "lambda_kit.platform" in sys.modules,
                "threads": sorted(t.name for t in threading.enumerate())}
"""


@pytest.mark.parametrize("value", [None, "0"])
def test_off_by_default_nothing_is_imported_and_no_thread_runs(tmp_path, value):
    spec, _ = write_handler(tmp_path, PROBE)
    env = {} if value is None else {"LAMBDA_KIT_PLATFORM": value}
    run = run_environment(spec, [b"{}"], log=lambda _line: None, env=env)
    answer = json.loads(run.results[0].payload)
    assert answer["imported"] is False
    assert not any(name.startswith("lambda-kit-") for name in answer["threads"])


def test_on_the_extension_threads_run(tmp_path):
    spec, _ = write_handler(tmp_path, PROBE)
    run = run_environment(spec, [b"{}"], log=lambda _line: None, env={"LAMBDA_KIT_PLATFORM": "1"})
    answer = json.loads(run.results[0].payload)
    assert answer["imported"] is True
    assert {"lambda-kit-extension", "lambda-kit-telemetry"} <= set(answer["threads"])


# -- an Extensions API that refuses, hangs or is not there: one line, the extension off ---

START = (
    "from lambda_kit.platform.extension import start\n"
    "print('started' if start() is not None else 'off')\n"
)


def _start_against(api: str, **env: str) -> tuple[str, list[str]]:
    base = {"AWS_LAMBDA_RUNTIME_API": api, "LAMBDA_KIT_PLATFORM_HOST": "127.0.0.1"}
    proc = run_python(START, env={**base, **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip(), proc.stderr.strip().splitlines()


def test_an_extensions_api_that_refuses_is_one_line_and_off():
    server = RuntimeAPIServer()  # no Extensions API: 404
    try:
        out, err = _start_against(server.address)
    finally:
        server.close()
    assert out == "off"
    assert err == [
        'lambda_kit: the platform extension is off: register answered 404: {"errorType":"NotFound"}'
    ]


def test_an_extensions_api_that_hangs_costs_the_bound_once():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts connections, never answers
    try:
        out, err = _start_against(
            f"127.0.0.1:{silent.getsockname()[1]}", LAMBDA_KIT_PLATFORM_TIMEOUT_MS="200"
        )
    finally:
        silent.close()
    assert out == "off"
    assert err == [
        "lambda_kit: the platform extension is off: "
        "POST /2020-01-01/extension/register did not answer within 0.2 s"
    ]


def test_an_unreachable_extensions_api_is_one_line_and_off():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    out, err = _start_against(f"127.0.0.1:{port}")
    assert out == "off"
    assert len(err) == 1 and "ConnectionRefusedError" in err[0]


def test_outside_a_runtime_it_says_so_once():
    proc = run_python("import lambda_kit\nprint('imported')", env={"LAMBDA_KIT_PLATFORM": "1"})
    assert proc.stdout.strip() == "imported"
    assert proc.stderr.strip() == (
        "lambda_kit: LAMBDA_KIT_PLATFORM=1 outside a Lambda runtime "
        "(AWS_LAMBDA_RUNTIME_API is not set): no platform reports"
    )


# -- the listener: malformed batches and events, concurrency --------------------------


def _report(rid: str, **metrics: Any) -> dict[str, Any]:
    m = {"durationMs": 1.5, "billedDurationMs": 2, "memorySizeMB": 128, "maxMemoryUsedMB": 40}
    m.update(metrics)
    return {
        "time": "2026-01-01T00:00:00.000Z",
        "type": "platform.report",
        "record": {"requestId": rid, "metrics": m, "status": "success"},
    }


def _post(port: int, body: bytes) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.fixture
def listening(tmp_path):
    _problems.reset()
    out = tmp_path / "lines.jsonl"
    ext = Extension(LineWriter(str(out)))
    listener = Listener("127.0.0.1", ext.on_events)
    yield ext, listener, out
    listener.close()
    _problems.reset()


def test_malformed_batches_are_refused_and_the_listener_goes_on(listening, capsys):
    _ext, listener, out = listening
    assert _post(listener.port, b"not json") == 400
    assert _post(listener.port, b'{"type": "platform.report"}') == 400
    assert _post(listener.port, json.dumps([_report("ok-1")]).encode()) == 200
    assert [json.loads(line)["function_request_id"] for line in out.read_text().splitlines()] == [
        "ok-1"
    ]
    err = capsys.readouterr().err
    assert "a telemetry batch that is not JSON" in err
    assert "a telemetry batch that is not a JSON array (dict)" in err


def test_malformed_events_are_named_once_each_and_the_good_ones_written(listening, capsys):
    _ext, listener, out = listening
    bad = [
        "a string",
        {"type": "platform.report", "record": {"requestId": "r1"}},
        _report("r2", durationMs=-1),
        _report("r3", maxMemoryUsedMB="lots"),
        {"type": "platform.report", "record": {"metrics": {}}},
        {**_report("r4"), "record": {**_report("r4")["record"], "status": "weird"}},
    ]
    good = _report("good", initDurationMs=120.25)
    assert (
        _post(listener.port, json.dumps([*bad, good, {"type": "platform.logsDropped"}]).encode())
        == 200
    )
    [line] = [json.loads(x) for x in out.read_text().splitlines()]
    assert line == {
        "type": "platform_report",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "function_request_id": "good",
        "duration_ms": 1.5,
        "billed_duration_ms": 2,
        "function_memory_size": 128,
        "max_memory_used_mb": 40,
        "init_duration_ms": 120.25,
        "status": "success",
    }
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "lambda_kit: platform telemetry: an event that is not an object: 'a string'",
        "lambda_kit: platform telemetry: platform.report without record.metrics",
        "lambda_kit: platform telemetry: platform.report metrics.durationMs is not a duration or size: -1",
        "lambda_kit: platform telemetry: platform.report metrics.maxMemoryUsedMB is not a duration or size: 'lots'",
        "lambda_kit: platform telemetry: platform.report without record.requestId",
        "lambda_kit: platform telemetry: platform.report status 'weird' is not one of "
        "['error', 'failure', 'success', 'timeout']",
    ]


def test_batches_from_many_threads_give_one_whole_line_per_request(listening):
    ext, listener, out = listening
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
    ids = [json.loads(line)["function_request_id"] for line in out.read_text().splitlines()]
    assert len(ids) == 400 and len(set(ids)) == 400
    assert ext.reports == 400


def test_flush_waits_for_started_invocations_and_is_bounded(listening):
    ext, _listener, _out = listening
    ext.on_events([{"type": "platform.start", "record": {"requestId": "late"}}])
    assert ext.pending() == ["late"]
    assert ext.flush(0.05) is False  # nothing came: the bound, not a hang
    threading.Timer(0.05, ext.on_events, args=([_report("late")],)).start()
    assert ext.flush(30) is True
    assert ext.pending() == []


SIGTERM_CHILD = """
import time
from lambda_kit.platform.extension import start
assert start() is not None
print("ready", flush=True)
while True:
    time.sleep(0.01)
"""


def test_sigterm_writes_the_report_that_arrives_within_the_flush_bound():
    import signal
    import subprocess
    import sys

    telemetry = Telemetry("fn", "$LATEST", "app.handler")
    server = RuntimeAPIServer(telemetry=telemetry)
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if not k.startswith(("AWS_", "LAMBDA_KIT_"))
    }
    env.update(
        {
            "AWS_LAMBDA_RUNTIME_API": server.address,
            "LAMBDA_KIT_PLATFORM_HOST": "127.0.0.1",
            "LAMBDA_KIT_PLATFORM_FLUSH_MS": "2000",
        }
    )
    child = subprocess.Popen(
        [sys.executable, "-c", SIGTERM_CHILD], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        telemetry.emit("platform.start", {"requestId": "last", "version": "$LATEST"})
        assert telemetry.flush(10)
        child.send_signal(signal.SIGTERM)
        threading.Timer(
            0.2, telemetry.emit, args=("platform.report", _report("last")["record"])
        ).start()
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()
        server.close()
    assert child.returncode == -signal.SIGTERM
    [line] = out.splitlines()
    assert json.loads(line)["function_request_id"] == "last"


# -- the emulated Extensions and Telemetry APIs ------------------------------------------


def _call(
    address: str, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, bytes, Any]:
    host, _, port = address.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read(), resp.headers
    finally:
        conn.close()


@pytest.fixture
def api():
    telemetry = Telemetry("orders", "$LATEST", "app.handler")
    server = RuntimeAPIServer(telemetry=telemetry)
    yield server, telemetry
    server.close()


def test_register_answers_with_an_identifier_and_the_function(api):
    server, telemetry = api
    status, body, headers = _call(
        server.address,
        "POST",
        "/2020-01-01/extension/register",
        b'{"events": []}',
        **{"Lambda-Extension-Name": "x"},
    )
    assert status == 200
    assert json.loads(body) == {
        "functionName": "orders",
        "functionVersion": "$LATEST",
        "handler": "app.handler",
    }
    assert headers["Lambda-Extension-Identifier"] in telemetry.extensions


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [
        (b'{"events": []}', {}, 400, "InvalidRequestFormat"),  # no Lambda-Extension-Name
        (b"nope", {"Lambda-Extension-Name": "x"}, 400, "InvalidRequestFormat"),
        (b'{"events": ["BOOT"]}', {"Lambda-Extension-Name": "x"}, 400, "InvalidRequestFormat"),
    ],
)
def test_register_refuses_a_bad_request(api, body, headers, status, error):
    server, _ = api
    got, out, _ = _call(server.address, "POST", "/2020-01-01/extension/register", body, **headers)
    assert (got, json.loads(out)["errorType"]) == (status, error)


def _registered(server: RuntimeAPIServer) -> str:
    _, _, headers = _call(
        server.address,
        "POST",
        "/2020-01-01/extension/register",
        b'{"events": []}',
        **{"Lambda-Extension-Name": "x"},
    )
    return str(headers["Lambda-Extension-Identifier"])


@pytest.mark.parametrize(
    "request_body",
    [
        {"destination": {"protocol": "TCP", "URI": "http://127.0.0.1:1"}, "types": ["platform"]},
        {"types": ["platform"]},
        {
            "destination": {"protocol": "HTTP", "URI": "http://127.0.0.1:1"},
            "types": ["platform"],
            "buffering": {"timeoutMs": 5},
        },
    ],
)
def test_a_bad_subscription_is_refused(api, request_body):
    server, telemetry = api
    ext_id = _registered(server)
    status, body, _ = _call(
        server.address,
        "PUT",
        "/2022-07-01/telemetry",
        json.dumps(request_body).encode(),
        **{"Lambda-Extension-Identifier": ext_id},
    )
    assert status == 400 and json.loads(body)["errorType"] == "ValidationError"
    assert not telemetry.subscribed


def test_a_subscription_from_an_unknown_extension_is_forbidden(api):
    server, telemetry = api
    status, _body, _ = _call(
        server.address,
        "PUT",
        "/2022-07-01/telemetry",
        b"{}",
        **{"Lambda-Extension-Identifier": "who"},
    )
    assert status == 403 and not telemetry.subscribed


def test_events_made_before_the_subscription_are_delivered_in_order(api, tmp_path):
    server, telemetry = api
    telemetry.emit("platform.initStart", {"initializationType": "on-demand", "phase": "init"})
    telemetry.emit("platform.start", {"requestId": "r1", "version": "$LATEST"})
    got: list[Any] = []
    listener = Listener("127.0.0.1", got.extend)
    try:
        ext_id = _registered(server)
        sub = {
            "schemaVersion": "2022-12-13",
            "types": ["platform"],
            "destination": {"protocol": "HTTP", "URI": listener.uri},
            "buffering": {"timeoutMs": 25, "maxItems": 1000, "maxBytes": 262144},
        }
        status, _, _ = _call(
            server.address,
            "PUT",
            "/2022-07-01/telemetry",
            json.dumps(sub).encode(),
            **{"Lambda-Extension-Identifier": ext_id},
        )
        assert status == 200
        assert telemetry.flush(10)
    finally:
        listener.close()
    assert [e["type"] for e in got] == ["platform.initStart", "platform.start"]


# -- lambda-kit report reads the lines ------------------------------------------------------


def _platform_line(rid: str, duration: float, billed: int, used: int, init: float | None) -> str:
    fields: dict[str, Any] = {
        "type": "platform_report",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "function_request_id": rid,
        "duration_ms": duration,
        "billed_duration_ms": billed,
        "function_memory_size": 256,
        "max_memory_used_mb": used,
    }
    if init is not None:
        fields["init_duration_ms"] = init
    fields["status"] = "success"
    return json.dumps(fields, separators=(",", ":"))


def test_report_reads_a_platform_report_line():
    from lambda_kit.report.parse import parse_line

    [sample] = parse_line(_platform_line("r1", 10.5, 11, 80, 120.2))
    assert (sample.duration_ms, sample.billed_ms, sample.memory_mb, sample.max_memory_mb) == (
        10.5,
        11,
        256,
        80,
    )
    assert sample.init_ms == 120.2 and sample.request_id == "r1" and sample.cold_start


def test_a_platform_report_line_without_a_figure_is_malformed():
    from lambda_kit.report.parse import Malformed, parse_line

    with pytest.raises(Malformed, match="platform_report line without billed_duration_ms"):
        parse_line(
            '{"type":"platform_report","duration_ms":1,"function_memory_size":128,'
            '"max_memory_used_mb":3}'
        )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 900_000, allow_nan=False).map(lambda x: round(x, 3)),
            st.integers(0, 900_000),
            st.integers(1, 10_240),
            st.one_of(st.none(), st.floats(0, 10_000).map(lambda x: round(x, 3))),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_fast_reader_counts_platform_report_lines_as_the_line_reader_does(rows):
    from lambda_kit.report.scan import Scan

    text = "".join(
        _platform_line(f"r{i}", d, b, u, init) + "\n" for i, (d, b, u, init) in enumerate(rows)
    )
    chunked, by_line = Scan(PRICES), Scan(PRICES)
    chunked.chunk("log", 1, text.encode())
    for n, line in enumerate(text.splitlines(), 1):
        by_line.line("log", n, line)
    for scan in (chunked, by_line):
        scan.finish()
        assert scan.total.invocations == len(rows) and scan.skipped == 0
    assert chunked.total.cost_usd == by_line.total.cost_usd
