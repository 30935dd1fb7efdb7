"""``lambda-kit invoke --web MODULE:APP``: a web app run as Lambda plus the Web Adapter run it.

One environment is one app process (``lambda_kit.web._serve``: uvicorn for ASGI,
waitress for WSGI) in the runtime process's place. INIT lasts from its start until
the adapter's readiness check passes: a GET of ``AWS_LWA_READINESS_CHECK_PATH``
every 10 ms until a healthy status (the adapter's ``src/lib.rs``, ``is_web_ready``;
it logs "app is not ready after Nms" while it waits). Each event then becomes the
HTTP request the adapter would send (``lambda_kit.web.events``) with its
``x-amzn-lambda-context`` and ``x-amzn-request-context`` headers, and the answer
goes back in Lambda's shape, between START, END and REPORT lines
(``lambda_kit.local.lines``). A timeout kills the environment; the next event
starts a new one, cold.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import TextIO

from lambda_kit.billing import billed_ms, invocation_cost_usd
from lambda_kit.local import lines
from lambda_kit.local.function import BadInput, Function, trace_header
from lambda_kit.local.logs import LogStream, Pump
from lambda_kit.local.memory import MemoryWatch
from lambda_kit.local.results import InitFailed, Result, Run
from lambda_kit.local.runner import _launch
from lambda_kit.web import events as web_events
from lambda_kit.web._adapter import Settings

POLL_S = 0.01  # the adapter's readiness poll interval
_NOT_READY_EVERY_MS = 2000  # how often the wait is reported


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebEnvironment:
    """One app process on 127.0.0.1 and what the adapter knows about it."""

    def __init__(self, fn: Function, log: LogStream, index: int) -> None:
        self.fn = fn
        self.log = log
        self.index = index
        self.port = _free_port()
        env = fn.environment("127.0.0.1:9001")  # the adapter's side is played here
        env.setdefault("AWS_LWA_PORT", str(self.port))
        env["AWS_LWA_PORT"] = str(self.port)
        env.setdefault("AWS_LWA_READINESS_CHECK_PATH", "/")
        self.settings = Settings(env)
        self.env = env
        log.write(lines.init_start(f"python:{sys.version.split()[0]} lambda-web-adapter:local"))
        self._spawn_ns = time.perf_counter_ns()
        try:
            self.proc = subprocess.Popen(
                _launch([sys.executable, "-m", "lambda_kit.web._serve",
                         f"{fn.module}:{fn.function}", str(self.port)]),
                cwd=fn.task_root, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            )
        except OSError as exc:
            raise BadInput(f"cannot start the app in {fn.task_root}: {exc}") from exc
        assert self.proc.stdout is not None
        self.pump = Pump(self.proc.stdout.fileno(), log.write, log.lock)
        # --memory caps the app's process tree, as in `invoke` without a cgroup
        self.memory = MemoryWatch(self.proc.pid, limit_mb=fn.memory_mb,
                                  on_exceeded=lambda _: self.kill())  # fmt: skip
        self.init_duration_ms = self._wait_ready()
        self.records_seen = False
        self.dead = False

    def _wait_ready(self) -> float:
        """Poll readiness as the adapter does, within Lambda's init limit."""
        deadline = time.perf_counter() + self.fn.init_timeout_s
        next_note = _NOT_READY_EVERY_MS
        while True:
            if self._ready():
                return (time.perf_counter_ns() - self._spawn_ns) / 1e6
            waited = (time.perf_counter_ns() - self._spawn_ns) / 1e6
            if self.proc.poll() is not None or time.perf_counter() > deadline:
                self.kill()
                self.pump.finish()
                what = "exited" if self.proc.returncode not in (None, -9) else "timeout"
                error = "Runtime.ExitError" if what == "exited" else "Sandbox.Timedout"
                payload = lines.error_payload("init", error, "the app never became ready")
                raise InitFailed(error, payload, waited, "error" if what == "exited" else what)
            if waited >= next_note:
                self.log.write(f"app is not ready after {next_note}ms")
                next_note += _NOT_READY_EVERY_MS
            time.sleep(POLL_S)

    def _ready(self) -> bool:
        s = self.settings
        if s.readiness_tcp:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            except OSError:
                return False
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
        try:
            conn.request("GET", s.readiness_path)
            return conn.getresponse().status in s.healthy
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def invoke(self, event: object, first: bool) -> Result:
        """Send one event as the adapter would; the response in Lambda's shape."""
        fn = self.fn
        rid = str(uuid.uuid4())
        which = web_events.kind(event)
        method, target, headers, body, request_context = web_events.to_request(
            event, self.env.get("AWS_LWA_PASS_THROUGH_PATH", "/events"))  # fmt: skip
        deadline_ms = int(time.time() * 1000 + fn.timeout_s * 1000)
        lambda_context = {
            "request_id": rid, "deadline": deadline_ms, "invoked_function_arn": fn.arn,
            "xray_trace_id": trace_header(), "client_context": None, "identity": None,
            "env_config": {"function_name": fn.name, "memory": fn.memory_mb,
                           "version": fn.version,
                           "log_group": self.env["AWS_LAMBDA_LOG_GROUP_NAME"],
                           "log_stream": self.env["AWS_LAMBDA_LOG_STREAM_NAME"]},
        }  # fmt: skip
        sent = [(k, v) for k, v in headers if not k.lower().startswith("x-amzn-")]
        sent.append(("x-amzn-request-context", json.dumps(request_context or {})))
        sent.append(("x-amzn-lambda-context", json.dumps(lambda_context)))
        logs: list[str] = []
        with self.log.lock:
            self.pump.drain()
            self.log.collect_into(logs)
            self.log.write(lines.start(rid, fn.version))
        status, error_type = "success", None
        start = time.perf_counter_ns()
        try:
            code, resp_headers, data = _send(self.port, method, target, sent, body, fn.timeout_s)
            end = time.perf_counter_ns()
            payload = json.dumps(web_events.to_response(which, code, resp_headers, data)).encode()
            if "AWS_LWA_ERROR_STATUS_CODES" in self.env and code in self.settings.error_codes:
                status, error_type = "error", "Error"
                what = f"Request failed with configured error status code: {code}"
                payload = json.dumps({"errorType": "Error", "errorMessage": what}).encode()
        except TimeoutError:
            end = time.perf_counter_ns()
            self.log.write(lines.timed_out(rid, fn.timeout_s))
            status, error_type = "timeout", "Sandbox.Timedout"
            what = f"Task timed out after {fn.timeout_s:.2f} seconds"
            payload = lines.error_payload(rid, error_type, what)
        except (OSError, http.client.HTTPException) as exc:
            end = time.perf_counter_ns()
            status, error_type = "error", "Runtime.ExitError"
            payload = lines.error_payload(rid, error_type, f"the app did not answer: {exc}")
            self.dead = True
        self._wait_record(rid, logs)
        duration_ms = (end - start) / 1e6
        init_ms = self.init_duration_ms if first else None
        report = lines.Report(
            rid, duration_ms, billed_ms(duration_ms + (init_ms or 0.0)), fn.memory_mb,
            self.memory.peak_mb(), init_duration_ms=init_ms, status=status,
            error_type=error_type,
        )  # fmt: skip
        self.log.write(lines.end(rid))
        self.log.write(report.line())
        self.log.collect_into(None)
        result = Result(report, payload, self.index)
        result.logs = logs
        result.cost_usd = invocation_cost_usd(
            fn.memory_mb, report.billed_duration_ms, fn.architecture)  # fmt: skip
        if status == "timeout":
            self.dead = True
        return result

    def _wait_record(self, rid: str, logs: list[str]) -> None:
        """The middleware writes the record as the last chunk goes out: let it reach the
        log before END (bounded; an app without the middleware writes none)."""
        bound = time.perf_counter() + (1.0 if self.records_seen or self.index == 1 else 0.05)
        needle = f'"function_request_id":"{rid}"'
        while True:
            self.pump.drain()
            # the record, not a log line of the same request (they carry its id too)
            if any(needle in line and '"type":"invocation"' in line for line in logs[-50:]):
                self.records_seen = True
                return
            if time.perf_counter() > bound:
                return
            time.sleep(0.005)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def shutdown(self) -> None:
        """SIGTERM (the adapter's graceful shutdown), then a kill after a bound."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.kill()
        self.memory.stop()
        self.pump.finish()


def _send(port: int, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
          timeout_s: float) -> tuple[int, list[tuple[str, str]], bytes]:  # fmt: skip
    """One request; the whole body, read as it streams in, within ``timeout_s``."""
    end = time.monotonic() + timeout_s
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        names = {k.lower() for k, _ in headers}
        if "host" not in names:
            conn.putheader("host", f"127.0.0.1:{port}")
        for k, v in headers:
            if k.lower() != "content-length":
                conn.putheader(k, v)
        conn.putheader("content-length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        chunks = []
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError("deadline")
            if conn.sock is not None:
                conn.sock.settimeout(left)
            chunk = resp.read1(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return resp.status, resp.getheaders(), b"".join(chunks)
    finally:
        conn.close()


def run_web(
    fn: Function,
    events: list[object],
    *,
    log: TextIO | Callable[[str], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
) -> Run:
    """Run ``events`` through the web app ``fn`` names; like ``run_environment``."""
    run = Run()
    stream = LogStream(log)
    env: WebEnvironment | None = None
    try:
        for i, event in enumerate(events):
            first = False
            if env is None or env.dead:
                if env is not None:
                    env.shutdown()
                run.environments += 1
                try:
                    env = WebEnvironment(fn, stream, run.environments)
                except InitFailed as failed:
                    stream.write(lines.init_report(failed.duration_ms, failed.status,
                                                   failed.error_type))  # fmt: skip
                    run.init_error = failed
                    run.not_sent = len(events) - i
                    env = None
                    break
                first = True
            result = env.invoke(event, first)
            run.results.append(result)
            if on_result is not None:
                on_result(result)
    finally:
        if env is not None:
            env.shutdown()
    return run
