"""Execution environments: one runtime process, INIT once, then invocations until it dies.

``run_environment`` is the Python face of ``lambda-kit invoke``: it runs
events through a handler as Lambda would and returns what happened to each,
with the figures of its REPORT line. An environment is replaced by a new one
(a cold start) after a timeout, an out-of-memory kill or a runtime exit, as
Lambda replaces its sandbox.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TextIO

from lambda_kit.billing import billed_duration_ms, function_prices, invocation_cost_usd
from lambda_kit.local import lines
from lambda_kit.local import telemetry as platform
from lambda_kit.local.function import BadInput, Function, trace_header
from lambda_kit.local.logs import LogStream, Pump
from lambda_kit.local.memory import Cgroup, MemoryWatch, session_members
from lambda_kit.local.results import InitFailed, Result, Run
from lambda_kit.local.server import Event, Invocation, RuntimeAPIServer
from lambda_kit.local.telemetry import Telemetry
from lambda_kit.local.workers import Identify

_ms = 1_000_000.0
#: at shutdown, how long telemetry already made may take to reach the extensions
TELEMETRY_FLUSH_S = 1.0
#: SIGTERM to SIGKILL for a runtime with an internal extension (500 ms: aws-samples,
#: graceful-shutdown-with-aws-lambda, "Lambda reserves ... 500 ms for a runtime with an
#: internal extension")
SIGTERM_GRACE_S = 0.5


class Environment:
    """One execution environment: a Runtime API server and the runtime process it serves."""

    def __init__(
        self,
        fn: Function,
        log: LogStream,
        index: int,
        port: int = 0,
        *,
        nodelay: bool = True,
        identify: Identify | None = None,
    ) -> None:
        self.fn = fn
        self.log = log
        self.index = index
        self.telemetry = Telemetry(fn.name, fn.version, fn.handler)
        try:
            self.server = RuntimeAPIServer(
                port, nodelay=nodelay, telemetry=self.telemetry, identify=identify
            )
        except OSError as exc:
            raise BadInput(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from exc
        self.events: queue.Queue[Event] = self.server.events
        self.init_duration_ms: float | None = None
        self.dead = False
        self.oom = False
        self.cgroup = None
        if fn.memory_cap != "watchdog":
            self.cgroup = Cgroup.create(fn.memory_mb, f"lambda-kit-{os.getpid()}-{index}")
            if self.cgroup is None and fn.memory_cap == "cgroup":
                self.server.close()
                raise BadInput("no memory cgroup is writable here (use --memory-cap watchdog)")
        enter = self.cgroup.procs_file if self.cgroup is not None else None
        log.write(lines.init_start(lines.runtime_version()))
        platform.init_start(self.telemetry, fn.init_type, lines.runtime_version())
        try:
            self.proc = subprocess.Popen(
                _launch(fn.command()),
                cwd=fn.task_root,
                env=self.environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its children too
                preexec_fn=(lambda: _enter_cgroup(enter)) if enter else None,
            )
        except OSError as exc:
            self.server.close()
            if self.cgroup is not None:
                self.cgroup.remove()
            raise BadInput(f"cannot start the runtime in {fn.task_root}: {exc}") from exc
        # INIT starts when the runtime's process does. Popen returns once the launcher has
        # exec'd, so forking this (large) process is not counted, as Lambda does not count
        # the creation of its sandbox; the launcher forks the runtime right after.
        self._spawn_ns = time.perf_counter_ns()
        assert self.proc.stdout is not None
        self.pump = Pump(os.dup(self.proc.stdout.fileno()), log.write, log.lock)
        self.proc.stdout.close()
        self.memory = MemoryWatch(
            self.proc.pid,
            launcher=self.proc.pid if _SHELL else None,
            limit_mb=None if self.cgroup is not None else fn.memory_mb,
            on_exceeded=self._out_of_memory,
        )
        threading.Thread(target=self._wait_exit, name="runtime-exit", daemon=True).start()

    def environment(self) -> dict[str, str]:
        """The runtime's environment variables."""
        return self.fn.environment(self.server.address)

    # -- process life ------------------------------------------------------------------
    def _wait_exit(self) -> None:
        rc = self.proc.wait()
        if _SHELL and rc > 128:  # the shell's way of saying "killed by signal rc - 128"
            rc = 128 - rc
        self.events.put(("exit", time.perf_counter_ns(), rc))

    def _out_of_memory(self, used_mb: int) -> None:
        self.oom = True
        self.kill()

    def kill(self) -> None:
        """Kill the runtime and everything it started."""
        if _SHELL and self.proc.returncode is None:
            # the runtime first, so that the launcher reaps it and exits by itself: killed
            # together, the runtime would be left to init to reap, and its cgroup stay busy
            for pid in session_members(self.proc.pid):
                if pid != self.proc.pid:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=1)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def _graceful_stop(self) -> None:
        """Lambda's shutdown when an extension is registered: telemetry delivered, SIGTERM,
        then (at most ``SIGTERM_GRACE_S`` later) the kill."""
        if self.proc.returncode is not None or not self.telemetry.extensions:
            return
        self.telemetry.flush(TELEMETRY_FLUSH_S)
        runtime = [p for p in session_members(self.proc.pid) if p != self.proc.pid or not _SHELL]
        for pid in runtime:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=SIGTERM_GRACE_S)

    def shutdown(self) -> None:
        """End the environment: no process, thread, socket or cgroup is left behind."""
        self._graceful_stop()
        self.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL does not fail
            self.proc.wait(timeout=5)
        # the launcher is reaped; wait until the runtime and its children are gone too
        for _ in range(200):
            if not session_members(self.proc.pid):
                break
            self.kill()
            time.sleep(0.01)
        self.memory.stop()
        if self.cgroup is not None:
            self.cgroup.remove()
        self.pump.finish()
        self.server.close()
        self.dead = True

    def _oom_now(self) -> bool:
        return self.oom or (self.cgroup is not None and self.cgroup.oom_kills() > 0)

    # -- init and one invocation ------------------------------------------------------
    def _init_failed(
        self, kind: str, t: int, data: object, error: tuple[str, bytes] | None
    ) -> InitFailed:
        """What ended an init that never asked for its first event."""
        took = (t - self._spawn_ns) / _ms
        if kind == "timeout":
            what = f"Init timed out after {self.fn.init_timeout_s:.2f} seconds"
            return InitFailed(
                "Sandbox.Timedout",
                lines.error_payload("init", "Sandbox.Timedout", what),
                took,
                "timeout",
            )
        if error is not None:
            return InitFailed(error[0], error[1], took, "error")
        error_type = "Runtime.OutOfMemory" if self._oom_now() else "Runtime.ExitError"
        reason = lines.exit_reason(data if isinstance(data, int) else -9)
        return InitFailed(
            error_type, lines.error_payload("init", error_type, reason), took, "error"
        )

    def _reap(self) -> None:
        self.proc.wait()
        self.dead = True
        self.pump.finish()

    def invoke(self, event: bytes, first: bool) -> Result:
        """Hand ``event`` to the runtime and wait for its response, error, exit or deadline.

        On the environment's ``first`` invocation this also waits for INIT, and raises
        ``InitFailed`` when the runtime never asks for the event.
        """
        fn = self.fn
        request_id = str(uuid.uuid4())
        inv = Invocation(
            request_id, event, timeout_s=fn.timeout_s, function_arn=fn.arn, trace_id=trace_header()
        )
        logs: list[str] = []

        def announce() -> None:
            # runs in the server's thread just before the runtime gets the event, so START
            # follows everything INIT (or the previous invocation) wrote and precedes the rest
            with self.log.lock:
                self.pump.drain()
                self.log.collect_into(logs)
                self.log.write(lines.start(request_id, fn.version))

        inv.on_start = announce
        # queued at once: the runtime's first GET /next is answered without a round trip
        # through this thread, so INIT ends and the invocation starts in the same instant
        self.server.give(inv)
        started = 0
        # until the runtime takes the event: INIT's limit, or (warm) the function's timeout,
        # so that a runtime that never asks again cannot hang us
        deadline = time.perf_counter() + (fn.init_timeout_s if first else fn.timeout_s)
        init_error: tuple[str, bytes] | None = None
        status, error_type, payload = "success", None, b""
        while True:
            try:
                kind, t, data = self.events.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                t = time.perf_counter_ns()
                if (first and not started) or not self.telemetry.extensions:
                    self.kill()
                    self._reap()
                # else: its report is delivered first (shutdown stops it gracefully)
                if first and not started:
                    raise self._init_failed("timeout", t, None, None) from None
                if not started:  # the runtime never asked for it: still one START..REPORT
                    announce()
                self.log.write(lines.timed_out(request_id, fn.timeout_s))
                status, error_type = "timeout", "Sandbox.Timedout"
                what = f"Task timed out after {fn.timeout_s:.2f} seconds"
                payload = lines.error_payload(request_id, "Sandbox.Timedout", what)
                break
            if kind == "next" and first and self.init_duration_ms is None:
                self.init_duration_ms = (t - self._spawn_ns) / _ms
                platform.init_done(self.telemetry, fn.init_type, self.init_duration_ms, "success")
            elif kind == "init_error":
                init_error = data
            elif kind == "started" and data == request_id:
                started = t
                deadline = t / 1e9 + fn.timeout_s  # perf_counter and perf_counter_ns: one clock
                platform.start(self.telemetry, request_id, fn.version)
            elif kind == "response" and data[0] == request_id:
                payload = data[1]
                break
            elif kind == "error" and data[0] == request_id:
                status, error_type, payload = "error", data[1], data[2]
                break
            elif kind == "exit":
                self.dead = True
                self.pump.finish()
                if first and not started:
                    raise self._init_failed(kind, t, data, init_error)
                if not started:  # died between invocations: this one still gets its lines
                    announce()
                status = "error"
                error_type = "Runtime.OutOfMemory" if self._oom_now() else "Runtime.ExitError"
                payload = lines.error_payload(request_id, error_type, lines.exit_reason(data))
                break
        if not self.dead:
            self.pump.drain()
        duration_ms = (t - started) / _ms if started else 0.0
        return self._result(request_id, first, duration_ms, status, error_type, payload, logs)

    def _result(
        self,
        request_id: str,
        first: bool,
        duration_ms: float,
        status: str,
        error_type: str | None,
        payload: bytes,
        logs: list[str],
    ) -> Result:
        """END and REPORT for one invocation, and its ``Result`` (billed and priced)."""
        fn = self.fn
        init_ms = self.init_duration_ms if first else None
        report = lines.Report(
            request_id,
            duration_ms,
            billed_duration_ms(duration_ms, init_ms, fn.init_type),
            fn.memory_mb,
            self.memory.peak_mb(),
            init_duration_ms=init_ms if fn.init_type == "on-demand" else None,
            status=status,
            error_type=error_type,
        )
        self.log.write(lines.end(request_id))
        self.log.write(report.line())
        self.log.collect_into(None)
        platform.done(self.telemetry, report, len(payload))
        result = Result(report, payload, self.index)
        result.cold_start = first and fn.init_type == "on-demand"
        result.logs = logs
        # the function's region, as the record prices it (us-east-1 for one not known)
        row, _ = function_prices(fn.region, fn.architecture)
        result.cost_usd = invocation_cost_usd(fn.memory_mb, report.billed_duration_ms, row=row)
        return result


#: A small shell starts the runtime (and waits for it), as Lambda's own small init process
#: does. Started straight from this (large) Python process, the runtime's ``ru_maxrss``
#: would begin at our resident size: Linux carries the pre-exec image's high-water mark
#: into ``ru_maxrss`` across exec (fs/exec.c, exec_mmap), for fork and vfork alike, and
#: @instrument's ``max_memory_used_mb`` would report lambda-kit's memory, not the handler's.
_SHELL = shutil.which("sh")


def _launch(command: list[str]) -> list[str]:
    if _SHELL is None:
        return command
    # wait's own stderr is silenced: the shell would print "Killed" when a timeout kills the runtime
    return [_SHELL, "-c", '"$@" & wait $! 2>/dev/null', "sh", *command]


def _enter_cgroup(procs_file: str) -> None:
    # runs in the child between fork and exec: only system calls, no locks
    fd = os.open(procs_file, os.O_WRONLY)
    try:
        os.write(fd, b"0")  # "0" is the writing process itself
    finally:
        os.close(fd)


def run_environment(
    fn: Function | str,
    events: Iterable[bytes | str],
    *,
    log: TextIO | Callable[[str], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
    port: int = 0,
    **settings: object,
) -> Run:
    """Run ``events`` through ``fn`` as Lambda would: INIT once, then one invoke per event.

        run = run_environment("examples/hello.py:handler", [b"{}", b"{}"], memory_mb=256)
        [r.report.init_duration_ms for r in run.results]   # [41.7, None]

    ``log`` (a text stream, or a callable given each line) receives the
    CloudWatch-like lines as they come (they are also in
    each ``Result.logs``); ``on_result`` is called with each ``Result`` as it
    is known. ``settings`` are ``Function``'s keyword arguments.
    """
    if isinstance(fn, str):
        fn = Function(fn, **settings)  # type: ignore[arg-type]
    if fn.concurrency is not None:  # N workers, one Runtime API: lambda_kit.local.managed
        raise BadInput("a function with concurrency runs with run_managed, not run_environment")
    run = Run()
    stream = LogStream(log)
    env: Environment | None = None
    todo = [e.encode() if isinstance(e, str) else e for e in events]
    try:
        for i, event in enumerate(todo):
            first = False
            if env is None or env.dead:
                if env is not None:
                    env.shutdown()
                run.environments += 1
                env = Environment(fn, stream, run.environments, port)
                run.cgroup_used = env.cgroup is not None
                first = True
            try:
                result = env.invoke(event, first)
            except InitFailed as failed:
                stream.write(
                    lines.init_report(failed.duration_ms, failed.status, failed.error_type)
                )
                run.init_error = failed
                run.not_sent = len(todo) - i
                break
            run.results.append(result)
            if on_result is not None:
                on_result(result)
            if result.status == "timeout":
                env.shutdown()
    finally:
        if env is not None:
            env.shutdown()
    return run
