"""Platform truth on Lambda Managed Instances: one line per request, whatever the workers.

Every runtime worker imports the handler, so every worker's ``import lambda_kit`` tries
to start the extension. Lambda registers a name once per environment and closes
registration when the first worker is ready (AWS's Managed Instances emulator), so one
worker runs it and writes the line of every request of the environment; ``invoke``
refuses the others as Lambda does. Real processes throughout: ``lambda-kit invoke
--concurrency 3`` (awslambdaric forking its workers), the extension's real listener.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
from pathlib import Path
from typing import Any

import pytest
from _invoke_helpers import invoke, ms, parse_report, processes_mentioning, write_handler
from _lk_helpers import run_python

from lambda_kit import _problems
from lambda_kit.local import Function, run_managed
from lambda_kit.local.server import RuntimeAPIServer
from lambda_kit.local.telemetry import MAX_EXTENSIONS, Telemetry

# The worker that runs the extension marks every invocation it serves; the others wait
# (at most 30 s) for that mark before anything else, so it surely serves one, whatever
# the machine's speed. A "crash" event ends a worker that does not run the extension
# (the first one to claim the crash mark) on the spot; when the one that runs it takes
# such an event it waits for that crash instead, so exactly one worker dies.
HANDLER = """
import os, time
import lambda_kit  # noqa: F401
from lambda_kit import instrument
from lambda_kit.platform.extension import current

def _wait_for(path):
    until = time.monotonic() + 30
    while not os.path.exists(path) and time.monotonic() < until:
        time.sleep(0.01)

@instrument(service="lmi", metrics=True)
def handler(event, context):
    runs_it = current() is not None
    if runs_it:
        open(event["served"], "a").close()
    else:
        _wait_for(event["served"])
    if event.get("crash"):
        if runs_it:
            _wait_for(event["crashed"])
        else:
            try:
                os.close(os.open(event["crashed"], os.O_CREAT | os.O_EXCL))
            except FileExistsError:
                pass  # another worker died for this test already
            else:
                os._exit(3)
    time.sleep(event.get("sleep_s", 0.05))
    return {"pid": os.getpid(), "extension": runs_it}
"""


def _events(tmp_path: Path, n: int, crash_at: tuple[int, ...] = ()) -> list[str]:
    marks = {"served": str(tmp_path / "served"), "crashed": str(tmp_path / "crashed")}
    return [json.dumps({**marks, "crash": i in crash_at}) for i in range(n)]


def _lines_and_documents(log: str) -> tuple[dict[str, dict[str, Any]], dict[str, list[Any]]]:
    """The platform_report line of each request id (asserting one each) and the
    platform EMF documents by request id."""
    lines: dict[str, dict[str, Any]] = {}
    docs: dict[str, list[Any]] = {}
    for text in log.splitlines():
        if text.startswith('{"type":"platform_report"'):
            line = json.loads(text)
            rid = line["function_request_id"]
            assert rid not in lines, f"a second platform_report line for {rid}"
            lines[rid] = line
        elif text.startswith('{"_aws"') and '"PlatformDuration"' in text:
            doc = json.loads(text)
            docs.setdefault(doc["function_request_id"], []).append(doc)
    return lines, docs


def _assert_documents(lines: dict[str, dict[str, Any]], docs: dict[str, list[Any]]) -> None:
    # the worker with the extension served a request, so every report has its document
    assert sorted(docs) == sorted(lines)
    for rid, found in docs.items():
        assert len(found) == 1, f"{len(found)} platform EMF documents for {rid}"
        assert found[0]["PlatformDuration"] == lines[rid]["duration_ms"]
        assert found[0]["PlatformBilledDuration"] == lines[rid]["billed_duration_ms"]
        assert found[0]["service"] == "lmi"


def test_each_request_gets_one_line_with_its_reports_figures(tmp_path):
    spec, module = write_handler(tmp_path, HANDLER, "lmi")
    events = _events(tmp_path, 12)
    done = invoke(
        spec,
        *("--concurrency", "3", "-n", "12", "--timeout", "60", "--event", "-"),
        *("--env", "LAMBDA_KIT_PLATFORM=1"),
        stdin=events[0],
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    reports = {
        r["RequestId"]: r
        for r in (parse_report(t) for t in done.stderr.splitlines() if t.startswith("REPORT "))
    }
    assert len(reports) == 12  # no line lost: one per request, each matching its REPORT
    lines, docs = _lines_and_documents(done.stderr)
    assert sorted(lines) == sorted(reports)
    for rid, line in lines.items():
        report = reports[rid]
        # Lambda's durationMs has 3 decimals (invoke rounds its figure so), REPORT prints 2
        assert abs(line["duration_ms"] - ms(report["Duration"])) <= 0.005 + 1e-9
        assert line["billed_duration_ms"] == ms(report["Billed Duration"])
        assert line["function_memory_size"] == ms(report["Memory Size"])
        assert line["max_memory_used_mb"] == ms(report["Max Memory Used"])
        assert line["status"] == "success" and "init_duration_ms" not in line
    _assert_documents(lines, docs)
    # one worker ran the extension; the others were refused, quietly
    payloads = [json.loads(t) for t in done.stdout.splitlines()]
    assert len({p["pid"] for p in payloads if p["extension"]}) == 1
    assert "platform extension is off" not in done.stderr
    assert processes_mentioning(module) == []


def test_a_worker_crashing_loses_no_other_requests_line(tmp_path):
    spec, module = write_handler(tmp_path, HANDLER, "lmi")
    log: list[str] = []
    fn = Function(
        spec,
        concurrency=3,
        timeout_s=60,
        env={"LAMBDA_KIT_PLATFORM": "1"},
    )
    run = run_managed(fn, _events(tmp_path, 12, crash_at=(3, 4)), log=log.append)
    assert run.environments == 1 and len(run.results) == 12
    failed = [r for r in run.results if r.status != "success"]
    assert [r.error_type for r in failed] == ["Runtime.ExitError"]
    crash = failed[0]
    lines, docs = _lines_and_documents("\n".join(log))
    assert sorted(lines) == sorted(r.request_id for r in run.results)
    for result in run.results:
        line, report = lines[result.request_id], result.report
        assert line["duration_ms"] == round(report.duration_ms, 3)
        assert line["billed_duration_ms"] == report.billed_duration_ms
        assert line["max_memory_used_mb"] == report.max_memory_used_mb
        assert line["status"] == report.status
        assert line.get("error_type") == report.error_type
    # the crashed request's own line says what Lambda says of it
    assert lines[crash.request_id]["status"] == "error"
    assert lines[crash.request_id]["error_type"] == "Runtime.ExitError"
    _assert_documents(lines, docs)
    holder = {
        json.loads(r.payload)["pid"]
        for r in run.results
        if r.status == "success" and json.loads(r.payload)["extension"]
    }
    # one worker ran the extension, and it was not the one that died
    assert len(holder) == 1 and crash.worker not in holder
    assert processes_mentioning(module) == []


# -- the emulated Extensions API: Lambda's registration rules ------------------------------


def _register(address: str, name: str) -> tuple[int, Any]:
    host, _, port = address.rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(
            "POST",
            "/2020-01-01/extension/register",
            body=b'{"events": []}',
            headers={"Lambda-Extension-Name": name},
        )
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


@pytest.fixture
def api():
    telemetry = Telemetry("orders", "$LATEST", "app.handler")
    server = RuntimeAPIServer(telemetry=telemetry)
    yield server, telemetry
    server.close()


def test_a_name_is_registered_once_per_environment(api):
    server, telemetry = api
    assert _register(server.address, "lambda_kit")[0] == 200
    assert _register(server.address, "lambda_kit") == (
        403,
        {
            "errorType": "Extension.InvalidExtensionState",
            "errorMessage": "Extension with this name already registered",
        },
    )
    assert _register(server.address, "another")[0] == 200
    assert sorted(telemetry.names) == ["another", "lambda_kit"] and len(telemetry.extensions) == 2


def test_at_most_ten_extensions_are_registered(api):
    server, _ = api
    for i in range(MAX_EXTENSIONS):
        assert _register(server.address, f"ext{i}")[0] == 200
    assert _register(server.address, "one-more") == (
        403,
        {
            "errorType": "Extension.TooManyExtensions",
            "errorMessage": "Extension limit (10) reached",
        },
    )


def test_registration_closes_when_the_runtime_asks_for_its_first_event(api):
    server, telemetry = api
    assert _register(server.address, "early")[0] == 200
    asking = socket.create_connection((server.host, server.port), timeout=10)
    try:
        asking.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
        kind = _next_event(server)
        assert kind == "next"  # the runtime is ready; its GET waits for an event
        assert _register(server.address, "late") == (
            403,
            {
                "errorType": "Extension.RegistrationClosed",
                "errorMessage": "Extension registration closed already",
            },
        )
    finally:
        asking.close()
    assert sorted(telemetry.names) == ["early"]


def _next_event(server: RuntimeAPIServer) -> str:
    try:
        kind, _, _ = server.events.get(timeout=30)
    except queue.Empty:
        return "none"
    return str(kind)


def test_an_extension_started_after_init_is_refused_and_says_so_once(tmp_path):
    from lambda_kit.local import run_environment

    spec, _ = write_handler(
        tmp_path,
        """
        def handler(event, context):
            from lambda_kit.platform.extension import start
            return {"started": start() is not None}
        """,
    )
    log: list[str] = []
    run = run_environment(spec, [b"{}"], log=log.append, env={"LAMBDA_KIT_PLATFORM": "1"})
    assert json.loads(run.results[0].payload) == {"started": False}
    said = [line for line in log if "platform extension is off" in line]
    assert said == [
        "lambda_kit: the platform extension is off: register answered 403: "
        '{"errorType": "Extension.RegistrationClosed", '
        '"errorMessage": "Extension registration closed already"}'
    ]


# -- the extension's side: refused because another worker runs it ---------------------------

START = "from lambda_kit.platform.extension import start\nprint('on' if start() else 'off')\n"


def _start_where_taken(**env: str) -> tuple[str, list[str]]:
    """``start()`` in a fresh process, against an API where ``lambda_kit`` is taken."""
    telemetry = Telemetry("orders", "$LATEST", "app.handler")
    server = RuntimeAPIServer(telemetry=telemetry)
    try:
        assert _register(server.address, "lambda_kit")[0] == 200
        base = {"AWS_LAMBDA_RUNTIME_API": server.address, "LAMBDA_KIT_PLATFORM_HOST": "127.0.0.1"}
        proc = run_python(START, env={**base, **env})
    finally:
        server.close()
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip(), proc.stderr.strip().splitlines()


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_LAMBDA_MAX_CONCURRENCY": "3"},
        {"AWS_LAMBDA_INITIALIZATION_TYPE": "lambda-managed-instances"},
    ],
)
def test_on_managed_instances_the_other_workers_stay_quiet(env):
    assert _start_where_taken(**env) == ("off", [])


def test_elsewhere_a_taken_name_is_a_fault_said_once():
    out, err = _start_where_taken()
    assert out == "off"
    assert err == [
        "lambda_kit: the platform extension is off: register answered 403: "
        '{"errorType": "Extension.InvalidExtensionState", '
        '"errorMessage": "Extension with this name already registered"}'
    ]


# -- the EMF documents of reports that come before this process's first invocation ----------


def _report(rid: str) -> dict[str, Any]:
    metrics = {"durationMs": 1.5, "billedDurationMs": 2, "memorySizeMB": 128, "maxMemoryUsedMB": 40}
    return {
        "time": "2026-01-01T00:00:00.125Z",
        "type": "platform.report",
        "record": {"requestId": rid, "metrics": metrics, "status": "success"},
    }


@pytest.fixture
def unused_sink(tmp_path):
    """An EMF sink made (metrics on) that no invocation of this process has used yet, and
    an extension writing into files, as in the worker that runs it on Managed Instances."""
    from lambda_kit._output import LineWriter
    from lambda_kit.platform.extension import Extension
    from lambda_kit.sinks import emf

    _problems.reset()
    emf.last_used = None
    docs = tmp_path / "emf.jsonl"
    sink = emf.EmfSink(namespace="Shop", output=str(docs))
    yield sink, Extension(LineWriter(str(tmp_path / "lines.jsonl"))), docs, tmp_path / "lines.jsonl"
    emf.last_used = None
    _problems.reset()


def _ids(path: Path) -> list[str]:
    rows = path.read_text().splitlines() if path.exists() else []
    return [json.loads(row)["function_request_id"] for row in rows]


def test_documents_wait_for_the_first_invocation_and_are_written_once(unused_sink, capsys):
    sink, ext, docs, lines = unused_sink
    ext.on_events([_report("a"), _report("b")])
    assert _ids(lines) == ["a", "b"]  # the lines never wait
    assert ext.held() == 2 and _ids(docs) == []
    # this process's first invocation: the sink knows its namespace and dimensions
    sink.lines({"service": "orders", "function_name": "orders-fn", "function_request_id": "r0"})
    ext.on_events([_report("c")])
    assert sorted(_ids(docs)) == ["a", "b", "c"] and ext.held() == 0
    assert ext.metric_lines == 3
    for row in docs.read_text().splitlines():
        doc = json.loads(row)
        assert (
            doc["service"] == "orders"
            and doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Shop"
        )
    ext.on_events([_report("d")])
    assert sorted(_ids(docs)) == ["a", "b", "c", "d"]
    assert capsys.readouterr().err == ""


def test_the_reports_held_are_bounded_and_the_overflow_said_once(unused_sink, capsys, monkeypatch):
    from lambda_kit.platform import extension

    _sink, ext, docs, lines = unused_sink
    monkeypatch.setattr(extension, "MAX_HELD", 3)
    ext.on_events([_report(f"r{i}") for i in range(6)])
    assert len(_ids(lines)) == 6 and ext.held() == 3 and _ids(docs) == []
    assert capsys.readouterr().err.splitlines() == [
        "lambda_kit: platform metrics: more than 3 reports came before this process's first "
        "instrumented invocation; the EMF documents of the later ones are dropped "
        "(their platform_report lines are written)"
    ]
