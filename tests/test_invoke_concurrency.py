"""``lambda-kit invoke --concurrency N``: one Lambda Managed Instances environment, N workers.

Real processes throughout: the Runtime API server, ``python -m awslambdaric`` with
``AWS_LAMBDA_MAX_CONCURRENCY`` forking its workers, the handlers, a telemetry listener.
No test bounds wall time: concurrency is read from the records' own timestamps.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lambda_kit.local import Function, run_managed
from lambda_kit.local.function import BadInput
from tests._invoke_helpers import (
    REPO,
    invoke,
    processes_mentioning,
    records_and_reports,
    write_handler,
)

# Each worker's first invocation waits (at most 20 s) until every worker has one, so
# the first events are in flight side by side however slow the machine is.
BARRIER_HANDLER = """
import json, os, time
import lambda_kit  # noqa: F401
from lambda_kit import instrument

@instrument(service="lmi")
def handler(event, context):
    folder = event["folder"]
    mine = os.path.join(folder, str(os.getpid()))
    if not os.path.exists(mine):
        open(mine, "w").close()
        until = time.monotonic() + 20
        while len(os.listdir(folder)) < event["workers"] and time.monotonic() < until:
            time.sleep(0.01)
    if event.get("crash"):
        time.sleep(0.1)
        os._exit(3)
    time.sleep(event.get("hang_s", event.get("sleep_s", 0.2)))
    return {"pid": os.getpid()}
"""


def _start_ms(record: dict[str, Any]) -> float:
    """When the invocation started, to the millisecond (the record's timestamp)."""
    stamp = datetime.strptime(record["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return stamp.timestamp() * 1000


def _surely_running(record: dict[str, Any]) -> tuple[float, float]:
    """A span inside the invocation's real one: its timestamp is cut to the ms, so it
    began within 1 ms after it, and ran ``duration_ms`` from then."""
    start = _start_ms(record)
    return start + 1, start + record["duration_ms"]


def _most_at_once(intervals: list[tuple[float, float]]) -> int:
    """The largest number of intervals that hold one instant."""
    edges = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


def _run(tmp_path: Path, events: list[dict[str, Any]], workers: int = 3, **kw: Any):
    folder = tmp_path / "workers"
    folder.mkdir(exist_ok=True)
    spec, module = write_handler(tmp_path, BARRIER_HANDLER, "lmi")
    body = [json.dumps({"folder": str(folder), "workers": workers, **e}) for e in events]
    log: list[str] = []
    fn = Function(spec, concurrency=workers, timeout_s=kw.pop("timeout_s", 30), **kw)
    run = run_managed(fn, body, log=log.append)
    return run, "\n".join(log), module


def test_nine_events_on_three_workers_run_side_by_side(tmp_path):
    run, log, module = _run(tmp_path, [{"sleep_s": 0.3}] * 9)
    assert run.ok and run.environments == 1 and len(run.results) == 9
    ids = [r.request_id for r in run.results]
    assert len(set(ids)) == 9
    lines = log.splitlines()
    for rid in ids:  # one START, END and REPORT each
        for kind in ("START", "END", "REPORT"):
            assert sum(line.startswith(f"{kind} RequestId: {rid}") for line in lines) == 1
    assert sum(line.startswith("INIT_START") for line in lines) == 1
    assert sum(line.startswith("INIT_REPORT") for line in lines) == 1
    records, reports = records_and_reports(log)
    assert sorted(r["RequestId"] for r in reports) == sorted(ids)
    assert "Init Duration" not in "".join(log.split("INIT_REPORT")[1:]).split("\n", 1)[1]
    # each response names its process: the server tied each event to the worker that took it
    for r in run.results:
        assert json.loads(r.payload)["pid"] == r.worker
    pids = {r.worker for r in run.results}
    assert len(pids) == 3 and run.workers == 3
    by_id = {rec["function_request_id"]: rec for rec in records}
    assert sorted(by_id) == sorted(ids)
    for pid in pids:
        mine = sorted(
            (by_id[r.request_id] for r in run.results if r.worker == pid),
            key=lambda rec: rec["invocation_count"],
        )
        # its own init and first invocation; then warm, counting on
        assert [rec["invocation_count"] for rec in mine] == list(range(1, len(mine) + 1))
        assert mine[0]["init_duration_ms"] > 0 and "init" in mine[0]
        assert all("init_duration_ms" not in rec for rec in mine[1:])
        # one request at a time in a worker: each began after the one before ended
        # (to the record's millisecond)
        for before, after in itertools.pairwise(mine):
            assert _start_ms(after) + 1 >= _start_ms(before) + before["duration_ms"]
        # Managed Instances initialise before traffic: no request waited for an init
        assert all(rec["cold_start"] is False for rec in mine)
        assert all(rec["init_type"] == "lambda-managed-instances" for rec in mine)
    # three invocations were surely running at one instant: one per worker
    assert _most_at_once([_surely_running(rec) for rec in records]) == 3
    # the invocation is priced at its request charge; compute is the instances'
    assert {rec["cost_usd"] for rec in records} == {2e-07}
    assert processes_mentioning(module) == []


def test_one_worker_crashing_fails_only_its_invocation(tmp_path):
    run, log, module = _run(tmp_path, [{"crash": True}] + [{"sleep_s": 0.2}] * 6)
    assert run.environments == 1  # the other workers went on
    failed = [r for r in run.results if r.status != "success"]
    assert len(failed) == 1 and len(run.results) == 7
    crash = failed[0]
    assert crash.error_type == "Runtime.ExitError"
    message = json.loads(crash.payload)["errorMessage"]
    assert message in (
        f"RequestId: {crash.request_id} Error: Runtime exited with error: exit status 3",
        # the runtime client had already reaped it (it waits for its first worker)
        f"RequestId: {crash.request_id} Error: Runtime exited with error: "
        "the runtime worker process ended",
    )
    report = next(line for line in log.splitlines() if line.startswith("REPORT ") and crash.request_id in line)
    assert "Status: error\tError Type: Runtime.ExitError\t" in report
    survivors = {r.worker for r in run.results if r.status == "success"}
    assert crash.worker not in survivors and len(survivors) == 2
    assert processes_mentioning(module) == []


def test_a_hanging_handler_times_out_alone(tmp_path):
    events = [{"hang_s": 60}] + [{"sleep_s": 0.1}] * 5
    run, log, module = _run(tmp_path, events, timeout_s=1)
    statuses = sorted(r.status for r in run.results)
    assert statuses == ["success"] * 5 + ["timeout"] and run.environments == 1
    hung = next(r for r in run.results if r.status == "timeout")
    assert hung.error_type == "Sandbox.Timedout" and hung.report.duration_ms >= 1000
    assert f"{hung.request_id} Task timed out after 1.00 seconds" in log
    # its worker was left running its handler: the others served the rest
    assert hung.worker not in {r.worker for r in run.results if r.status == "success"}
    assert processes_mentioning(module) == []


def test_when_every_worker_hangs_a_new_environment_takes_the_rest(tmp_path):
    events = [{"hang_s": 60}] * 2 + [{"sleep_s": 0.1}] * 2
    run, log, module = _run(tmp_path, events, workers=2, timeout_s=1)
    assert [r.status for r in run.results] == ["timeout", "timeout", "success", "success"]
    assert run.environments == 2 and log.count("INIT_START") == 2
    assert processes_mentioning(module) == []


def test_an_init_error_in_every_worker_is_one_init_failure(tmp_path):
    spec, _ = write_handler(tmp_path, "raise RuntimeError('no config')\n", "lmi")
    log: list[str] = []
    run = run_managed(Function(spec, concurrency=2), [b"{}"] * 3, log=log.append)
    assert run.init_error is not None and run.results == [] and run.not_sent == 3
    assert run.init_error.error_type == "RuntimeError"
    assert json.loads(run.init_error.payload)["errorMessage"] == "no config"
    assert log[-1].startswith("INIT_REPORT Init Duration: ")
    assert log[-1].endswith("\tPhase: init\tStatus: error\tError Type: RuntimeError\t")
    # Managed Instances log in JSON: the runtime client's error lines are JSON objects
    errors = [json.loads(line) for line in log if line.startswith("{")]
    assert [e["errorMessage"] for e in errors if e["level"] == "ERROR"] == ["no config"] * 2


class _Listener(BaseHTTPRequestHandler):
    events: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).events.extend(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


# every worker registers "probe" during its init; as on Lambda one registration of a name
# succeeds (the first; the others are refused, the name taken or registration closed once
# a worker is ready), and that worker subscribes the test's listener
SUBSCRIBER = """
import os
import lambda_kit  # noqa: F401
from lambda_kit.platform import client

api = os.environ["AWS_LAMBDA_RUNTIME_API"]
try:
    ext = client.register(api, "probe", timeout_s=5)
except client.Refused:
    pass
else:
    client.subscribe(api, ext, os.environ["LISTENER"], timeout_s=5)

def handler(event, context):
    import time
    time.sleep(0.2)
    return {"pid": os.getpid()}
"""


def test_the_telemetry_api_reports_each_request_once(tmp_path):
    _Listener.events = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spec, _ = write_handler(tmp_path, SUBSCRIBER, "lmi")
        env = {"LISTENER": f"http://127.0.0.1:{server.server_port}/"}
        log: list[str] = []
        run = run_managed(Function(spec, concurrency=3, env=env), [b"{}"] * 6, log=log.append)
    finally:
        server.shutdown()
    assert run.ok and len(run.results) == 6
    kinds = [e["type"] for e in _Listener.events]
    assert kinds.count("platform.initStart") == 1 and kinds.count("platform.initReport") == 1
    _, reports = records_and_reports("\n".join(log))
    for report in reports:
        rid = report["RequestId"]
        mine = [e for e in _Listener.events if e["record"].get("requestId") == rid]
        assert sorted(e["type"] for e in mine) == [
            "platform.report",
            "platform.runtimeDone",
            "platform.start",
        ]
        done = next(e for e in mine if e["type"] == "platform.report")
        assert abs(done["record"]["metrics"]["durationMs"] - float(report["Duration"].split()[0])) < 0.006


def test_the_cli_prints_one_response_and_one_report_per_event(tmp_path):
    spec, module = write_handler(
        tmp_path,
        """
        import os, sys, time
        def handler(event, context):
            # one line in three writes, while the other workers write theirs
            for part in (f"line of {os.getpid()}:", " middle,", " end\\n"):
                sys.stdout.write(part)
                sys.stdout.flush()
                time.sleep(0.05)
            return {"pid": os.getpid()}
        """,
        "lmi",
    )
    done = invoke(spec, "--concurrency", "3", "-n", "6")
    assert done.returncode == 0, done.stderr
    payloads = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(payloads) == 6 and 1 <= len({p["pid"] for p in payloads}) <= 3
    reports = [line for line in done.stderr.splitlines() if line.startswith("REPORT ")]
    assert len({line.split("\t")[0] for line in reports}) == 6
    assert done.stderr.splitlines()[-1].startswith(
        "lambda-kit: 6 invocations in 1 environment of 3 workers ("
    )
    assert "in request charges (compute is the instances')" in done.stderr
    # each worker has its own stream: lines interleave whole, never within one
    said = [line for line in done.stderr.splitlines() if "line of" in line]
    assert len(said) == 6
    assert all(re.fullmatch(r"line of \d+: middle, end", line) for line in said)
    assert processes_mentioning(module) == []


def test_ctrl_c_ends_every_worker_without_a_traceback(tmp_path):
    spec, module = write_handler(
        tmp_path, "import time\ndef handler(event, context):\n    time.sleep(30)\n", "lmi"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambda_kit", "invoke", spec, "--concurrency", "2", "-n", "4",
         "--timeout", "60"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen, until = "", time.monotonic() + 60
    while seen.count("START RequestId") < 2 and time.monotonic() < until:
        if select.select([proc.stderr], [], [], 1)[0]:
            seen += proc.stderr.readline()
    assert seen.count("START RequestId") == 2
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in seen + rest
    assert processes_mentioning(module) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concurrency", "0"], "--concurrency 0 is outside Lambda Managed Instances' 1..1600"),
        (["--concurrency", "-2"], "--concurrency -2 is outside Lambda Managed Instances' 1..1600"),
        (["--concurrency", "1601"], "--concurrency 1601 is outside Lambda Managed Instances'"),
        (["--concurrency", "3", "--init-type", "snap-start"], "--init-type does nothing with --concurrency"),
        (["--web", "--concurrency", "3"], "--concurrency does nothing with --web"),
    ],
)
def test_bad_concurrency_is_refused_in_one_line(args, message):
    done = invoke(f"{REPO}/examples/hello.py:handler", *args)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_more_workers_than_this_machine_should_run_is_refused():
    too_many = 16 * (os.cpu_count() or 1) + 1
    expected = (
        f"--concurrency {too_many} is more than 16 worker processes"
        if too_many <= 1600  # else Lambda's own bound says no first
        else f"--concurrency {too_many} is outside"
    )
    with pytest.raises(BadInput, match=expected):
        Function(f"{REPO}/examples/hello.py:handler", concurrency=too_many)


def test_a_non_integer_concurrency_is_an_argparse_error():
    done = invoke(f"{REPO}/examples/hello.py:handler", "--concurrency", "three")
    assert done.returncode == 2
    assert "argument --concurrency: invalid int value: 'three'" in done.stderr
