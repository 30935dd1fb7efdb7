"""X-Ray: what aws-xray-sdk really sends to a daemon, received on a UDP socket on 127.0.0.1.

The SDK decides at import whether it runs on Lambda (``LAMBDA_TASK_ROOT``) and
reads the daemon address then, so each scenario runs in a fresh interpreter with
Lambda's environment variables, as the runtime would start it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from _sinks_helpers import Context, fresh_environment

from lambda_kit import instrument

TRACE_ROOT = "1-5759e988-bd862e3fe1be46a994272793"
PARENT = "53995c3f42cd8ad8"
HERE = Path(__file__).parent

SCRIPT = """
import io, json, os, sys
sys.path.insert(0, {here!r})
from _sinks_helpers import Context, INIT
from lambda_kit import _hooks, instrument

def add_init(record, first):
    if first:
        record["init"] = INIT
_hooks.add_record(add_init)

@instrument(service="orders", output=io.StringIO(), xray=True)
def handler(event, context):
    if event.get("raise"):
        raise ValueError("bad order")
    from aws_xray_sdk.core import xray_recorder
    with xray_recorder.in_subsegment("query"):
        pass
    return {{"ok": True}}

results = []
for i, event in enumerate(json.loads(sys.argv[1])):
    sampled = event.get("sampled", "1")
    os.environ["_X_AMZN_TRACE_ID"] = "Root={root}%d;Parent={parent};Sampled=%s" % (i, sampled)
    try:
        results.append(handler(event, Context("req-%d" % i)))
    except ValueError as exc:
        results.append("raised " + str(exc))
print(json.dumps(results))
"""


def open_daemon() -> socket.socket:
    """A UDP socket standing in for the X-Ray daemon."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    return sock


def run_function(
    events: list[dict[str, Any]], *, on_lambda: bool = True
) -> tuple[list[Any], list[Any]]:
    """Run the function in a fresh interpreter; its results and what the daemon received."""
    daemon = open_daemon()
    try:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("LAMBDA_", "AWS_", "_X_AMZN"))
        }
        env["AWS_XRAY_DAEMON_ADDRESS"] = f"127.0.0.1:{daemon.getsockname()[1]}"
        env["AWS_LAMBDA_FUNCTION_NAME"] = "orders"
        if on_lambda:
            env["LAMBDA_TASK_ROOT"] = str(HERE)
        # the per-invocation trace ids differ in their last digit, as Lambda's would
        script = SCRIPT.format(here=str(HERE), root=TRACE_ROOT[:-1], parent=PARENT)
        out = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script), json.dumps(events)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            timeout=60,
        )
        return list(json.loads(out.stdout.splitlines()[-1])), received(daemon)
    finally:
        daemon.close()


def received(daemon: socket.socket) -> list[dict[str, Any]]:
    """Every document the SDK sent: ``{"format":"json","version":1}`` then the JSON."""
    docs = []
    daemon.settimeout(0.3)
    while True:
        try:
            data = daemon.recv(65536)
        except TimeoutError:
            return docs
        header, _, body = data.decode().partition("\n")
        assert json.loads(header) == {"format": "json", "version": 1}
        docs.append(json.loads(body))


def named(docs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [d for d in docs if d["name"] == name]


@pytest.fixture(scope="module")
def on_lambda() -> tuple[list[Any], list[Any]]:
    """Four invocations on "Lambda": cold, warm, one that raises, one not sampled."""
    return run_function([{}, {}, {"raise": True}, {"sampled": "0"}])


def test_handler_results_are_untouched(on_lambda: tuple[list[Any], list[Any]]) -> None:
    results, _ = on_lambda
    assert results == [{"ok": True}, {"ok": True}, "raised bad order", {"ok": True}]


def test_an_invocation_lambda_did_not_sample_sends_nothing(
    on_lambda: tuple[list[Any], list[Any]],
) -> None:
    trace_ids = {d["trace_id"] for d in on_lambda[1]}
    assert TRACE_ROOT[:-1] + "3" not in trace_ids
    assert len(named(on_lambda[1], "## handler")) == 3


def test_handler_subsegment_joins_lambdas_trace(on_lambda: tuple[list[Any], list[Any]]) -> None:
    handler = named(on_lambda[1], "## handler")[0]
    assert handler["type"] == "subsegment"
    assert handler["trace_id"] == TRACE_ROOT[:-1] + "0"
    assert handler["parent_id"] == PARENT
    assert handler["start_time"] < handler["end_time"]


def test_handler_subsegment_has_annotations_and_the_record(
    on_lambda: tuple[list[Any], list[Any]],
) -> None:
    cold, warm, _ = named(on_lambda[1], "## handler")
    assert cold["annotations"] == {"ColdStart": True, "Service": "orders", "InitType": "on-demand"}
    assert warm["annotations"]["ColdStart"] is False
    record = cold["metadata"]["lambda_kit"]["invocation"]
    assert record["function_request_id"] == "req-0"
    assert record["billed_duration_ms"] >= 1


def test_handlers_own_subsegments_nest_under_handler(
    on_lambda: tuple[list[Any], list[Any]],
) -> None:
    # on Lambda the SDK streams each subsegment as it closes, naming its parent
    handler = named(on_lambda[1], "## handler")[0]
    query = named(on_lambda[1], "query")[0]
    assert query["parent_id"] == handler["id"]
    assert query["trace_id"] == handler["trace_id"]


def test_exception_marks_the_subsegment_as_a_fault(on_lambda: tuple[list[Any], list[Any]]) -> None:
    failed = named(on_lambda[1], "## handler")[2]
    assert failed["fault"] is True
    (exc,) = failed["cause"]["exceptions"]
    assert (exc["type"], exc["message"]) == ("ValueError", "bad order")


def test_cold_start_sends_init_phases_as_subsegments(
    on_lambda: tuple[list[Any], list[Any]],
) -> None:
    docs = on_lambda[1]
    (init,) = named(docs, "## init")  # the cold start only
    assert init["parent_id"] == PARENT
    assert init["end_time"] - init["start_time"] == pytest.approx(0.412, abs=1e-6)
    phases = [d for d in docs if d["name"].startswith("## init.")]
    assert [p["name"] for p in phases] == [
        "## init.runtime",
        "## init.imports",
        "## init.module_code",
        "## init.other",
    ]
    assert all(p["parent_id"] == init["id"] for p in phases)
    runtime, imports = phases[:2]
    assert runtime["start_time"] == pytest.approx(init["start_time"])
    assert runtime["end_time"] == pytest.approx(imports["start_time"])
    assert imports["end_time"] - imports["start_time"] == pytest.approx(0.300, abs=1e-6)


def test_off_lambda_the_sink_sends_its_own_segment() -> None:
    results, docs = run_function([{}], on_lambda=False)
    assert results == [{"ok": True}]
    (segment,) = [d for d in docs if d.get("type") != "subsegment"]
    assert segment["name"] == "orders"
    assert segment["trace_id"] == TRACE_ROOT[:-1] + "0"
    assert "## handler" in [s["name"] for s in segment["subsegments"]]


class RaisingEmitter:
    def send_entity(self, entity: Any) -> None:
        raise ConnectionError("daemon unreachable")

    def set_daemon_address(self, address: str) -> None:
        pass


def test_emitter_that_raises_does_not_change_the_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from aws_xray_sdk.core import AWSXRayRecorder

    from lambda_kit.sinks.xray import XRaySink

    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    fresh_environment()
    recorder = AWSXRayRecorder()
    recorder.emitter = RaisingEmitter()

    @instrument(service="orders", output=io.StringIO(), sinks=[XRaySink(recorder)])
    def handler(event: Any, context: Any) -> str:
        return "ok"

    assert handler({}, Context()) == "ok"
    assert "daemon unreachable" in capsys.readouterr().err


def test_sinks_never_change_the_record(monkeypatch: pytest.MonkeyPatch) -> None:
    import copy
    import io

    from aws_xray_sdk.core import AWSXRayRecorder

    from lambda_kit import _hooks
    from lambda_kit.sinks.xray import XRaySink

    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    fresh_environment()
    daemon = open_daemon()
    recorder = AWSXRayRecorder()
    recorder.configure(daemon_address=f"127.0.0.1:{daemon.getsockname()[1]}")
    before: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []

    def add_init(record: dict[str, Any], is_first: bool) -> None:
        record["init"] = {"total_ms": 5.0, "phases": {"runtime_ms": 5.0}, "top_imports": []}
        before.append(copy.deepcopy(record))  # the record as built, before any sink

    _hooks.add_record(add_init)
    try:
        handler = instrument(
            service="orders",
            output=io.StringIO(),
            metrics=True,
            otel=True,
            sinks=[seen.append, XRaySink(recorder)],
        )(lambda event, context: "ok")
        assert handler({}, Context()) == "ok"
    finally:
        _hooks.remove_record(add_init)
        daemon.close()
    assert seen == before  # after every sink (JSON line, EMF, OpenTelemetry, X-Ray) ran
