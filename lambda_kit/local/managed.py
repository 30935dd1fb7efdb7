"""Lambda Managed Instances environments: one runtime, N worker processes, one Runtime API.

What is emulated (AWS Lambda docs, "Understanding the Lambda Managed Instances
execution environment" and "Python runtime for Lambda Managed Instances"):

* the runtime spawns the configured number of workers itself: ``python -m awslambdaric``
  with ``AWS_LAMBDA_MAX_CONCURRENCY=N`` forks N processes (awslambdaric 4's
  ``MultiConcurrentRunner``), each importing the handler (its own init, its own first
  invocation) and handling one request at a time;
* INIT ends when the first worker calls ``/runtime/invocation/next``; it is reported
  once, in an ``INIT_REPORT`` line, since no invocation waits for it (the environment
  is initialised before it gets traffic: no REPORT has an ``Init Duration``);
* each event goes to whichever worker asks next;
* a timeout fails that invocation only: the environment is not stopped and the worker
  goes on with its handler (Lambda does not enforce it there);
* a worker that crashes fails its own invocation; the others go on.

When no worker can take an event any more (all dead, or all still running handlers
past their timeout), the environment is replaced by a new one for the events left.
"""

from __future__ import annotations

import collections
import os
import queue
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TextIO

from lambda_kit.billing import billed_duration_ms, function_prices, managed_instances_cost_usd
from lambda_kit.local import lines, workers
from lambda_kit.local import telemetry as platform
from lambda_kit.local.function import LOG_SOCKET_ENV, Function, trace_header
from lambda_kit.local.logs import LogStream, SocketPump
from lambda_kit.local.memory import session_members
from lambda_kit.local.results import InitFailed, Result, Run
from lambda_kit.local.runner import Environment
from lambda_kit.local.server import Invocation

_ms = 1_000_000.0
#: how often the workers are checked for having died while events are in flight (s)
POLL_S = 0.05


class Flight:
    """One event: given to the server, taken by a worker, then answered or failed."""

    __slots__ = ("deadline_ns", "inv", "logs", "started")

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.started = 0  # perf_counter_ns when its worker received it
        self.deadline_ns = 0
        self.logs: list[str] = []


class ManagedEnvironment(Environment):
    """One execution environment whose runtime forks ``fn.concurrency`` workers."""

    def __init__(self, fn: Function, log: LogStream, index: int, port: int = 0) -> None:
        self.seen: set[int] = set()  # workers that asked for an event
        self.served: set[int] = set()  # workers that received one
        self.gone: set[int] = set()  # workers that died
        self.stuck: set[int] = set()  # workers still running an event that timed out
        # each worker's stdout and stderr come on their own stream, as on Lambda
        self._folder = tempfile.mkdtemp(prefix="lambda-kit-lmi-")
        self.streams = SocketPump(os.path.join(self._folder, "logs.sock"), log.write, log.lock)
        try:
            super().__init__(fn, log, index, port, identify=workers.identifier(self._members))
        except BaseException:
            self._remove_streams()
            raise
        self._down = False
        self._init_deadline = time.perf_counter() + fn.init_timeout_s
        self._polled = 0.0

    def environment(self) -> dict[str, str]:
        """Lambda's variables, and where the workers connect their output."""
        return {**super().environment(), LOG_SOCKET_ENV: self.streams.path}

    def _drain(self) -> None:
        """Everything written so far: the runtime's own pipe and the workers' streams."""
        if not self.dead:
            self.pump.drain()
        self.streams.drain()

    def _remove_streams(self) -> None:
        self.streams.finish()
        shutil.rmtree(self._folder, ignore_errors=True)

    def shutdown(self) -> None:
        """End the environment (once), then read the workers' streams to their end."""
        if self._down:
            return
        self._down = True
        try:
            super().shutdown()
        finally:
            self._remove_streams()

    def _members(self) -> list[int]:
        proc = getattr(self, "proc", None)  # the first worker asks after Popen returned
        return session_members(proc.pid) if proc is not None else []

    # -- INIT ----------------------------------------------------------------------------
    def wait_init(self) -> None:
        """Wait until a worker asks for an event; ``InitFailed`` when none ever does."""
        init_error: tuple[str, bytes] | None = None
        while True:
            left = self._init_deadline - time.perf_counter()
            try:
                kind, t, data = self.events.get(timeout=max(0.0, left))
            except queue.Empty:
                self.kill()
                self._reap()
                raise self._init_failed("timeout", time.perf_counter_ns(), None, None) from None
            if kind == "next":
                self._asked(data)
                self.init_duration_ms = ms = (t - self._spawn_ns) / _ms
                platform.init_done(self.telemetry, self.fn.init_type, ms, "success")
                with self.log.lock:
                    self._drain()
                    self.log.write(lines.init_report(ms, "success", None))
                return
            if kind == "init_error":
                init_error = data
            elif kind == "exit":  # every worker ended before one asked for an event
                self.dead = True
                self.pump.finish()
                raise self._init_failed(kind, t, data, init_error)

    # -- the events ----------------------------------------------------------------------
    def serve(self, todo: collections.deque[bytes], emit: Callable[[Result], None]) -> None:
        """Run the events of ``todo`` side by side, ``emit``-ting each result as it is
        known, until all are answered or no worker can take one; those not taken are
        left in ``todo`` for the next environment."""
        flights: dict[str, Flight] = {}
        while todo:
            flight = self._flight(todo.popleft())
            flights[flight.inv.request_id] = flight
            self.server.give(flight.inv)
        try:
            self._loop(flights, emit)
        finally:
            back = self.server.take_back()
            todo.extendleft(reversed([inv.body for inv in back]))

    def _flight(self, event: bytes) -> Flight:
        fn = self.fn
        inv = Invocation(
            str(uuid.uuid4()),
            event,
            timeout_s=fn.timeout_s,
            function_arn=fn.arn,
            trace_id=trace_header(),
        )
        flight = Flight(inv)

        def announce() -> None:  # the server's thread, just before the worker gets it
            with self.log.lock:
                self._drain()
                self.log.follow(inv.request_id, flight.logs)
                self.log.write(lines.start(inv.request_id, fn.version))

        inv.on_start = announce
        return flight

    def _loop(self, flights: dict[str, Flight], emit: Callable[[Result], None]) -> None:
        while flights:
            try:
                kind, t, data = self.events.get(timeout=self._wait_s(flights))
            except queue.Empty:
                kind, t, data = "", 0, None
            if kind == "next":
                self._asked(data)
            elif kind == "started" and data in flights:
                self._started(flights[data], t)
            elif kind in ("response", "error") and data[0] in flights:
                if kind == "response":
                    status, error_type, payload = "success", None, data[1]
                else:
                    status, error_type, payload = "error", data[1], data[2]
                emit(self._finish(flights.pop(data[0]), t, status, error_type, payload))
            elif kind == "exit":  # the runtime ended: every worker with it
                self.dead = True
                self.pump.finish()
                self._fail_started(flights, t, lines.exit_reason(data), emit)
                return
            now = time.perf_counter_ns()
            self._deadlines(flights, now, emit)
            self._crashes(flights, now, emit)
            if self._unable(flights):
                return

    def _wait_s(self, flights: dict[str, Flight]) -> float:
        """Until the nearest deadline, or the next check for dead workers."""
        deadlines = [f.deadline_ns for f in flights.values() if f.started]
        wait = POLL_S
        if deadlines:
            wait = min(wait, (min(deadlines) - time.perf_counter_ns()) / 1e9)
        return max(0.0, wait)

    def _asked(self, worker: int | None) -> None:
        if worker is not None:
            self.seen.add(worker)
            self.stuck.discard(worker)  # back from a handler that had timed out

    def _started(self, flight: Flight, t: int) -> None:
        flight.started = t
        flight.deadline_ns = t + int(self.fn.timeout_s * 1e9)
        if flight.inv.worker is not None:
            self.served.add(flight.inv.worker)
        platform.start(self.telemetry, flight.inv.request_id, self.fn.version)

    def _deadlines(
        self, flights: dict[str, Flight], now: int, emit: Callable[[Result], None]
    ) -> None:
        """Fail the invocations past their deadline; their workers go on (not killed)."""
        for rid in [r for r, f in flights.items() if f.started and f.deadline_ns <= now]:
            flight = flights.pop(rid)
            self.server.forget(rid)  # its late answer is refused
            if flight.inv.worker is not None:
                self.stuck.add(flight.inv.worker)
            self.log.write(lines.timed_out(rid, self.fn.timeout_s))
            what = f"Task timed out after {self.fn.timeout_s:.2f} seconds"
            payload = lines.error_payload(rid, "Sandbox.Timedout", what)
            emit(self._finish(flight, now, "timeout", "Sandbox.Timedout", payload))

    def _crashes(
        self, flights: dict[str, Flight], now: int, emit: Callable[[Result], None]
    ) -> None:
        """Fail the invocation of each worker that died; mark the dead idle ones."""
        if time.perf_counter() - self._polled < POLL_S:
            return
        self._polled = time.perf_counter()
        for worker in self.seen - self.gone:
            code = workers.exit_of(worker)
            if code is None:
                continue
            self.gone.add(worker)
            self.stuck.discard(worker)
            mine = {r: f for r, f in flights.items() if f.started and f.inv.worker == worker}
            for rid in mine:
                del flights[rid]
            self._fail_started(mine, now, workers.exit_reason(code), emit)

    def _fail_started(
        self, flights: dict[str, Flight], t: int, reason: str, emit: Callable[[Result], None]
    ) -> None:
        error_type = "Runtime.OutOfMemory" if self._oom_now() else "Runtime.ExitError"
        for rid in [r for r, f in flights.items() if f.started]:
            payload = lines.error_payload(rid, error_type, reason)
            emit(self._finish(flights.pop(rid), t, "error", error_type, payload))

    def _unable(self, flights: dict[str, Flight]) -> bool:
        """No worker can take the events still waiting: all dead or stuck, none running."""
        if not flights or any(f.started for f in flights.values()):
            return False
        if self.seen - self.gone - self.stuck:
            return False
        # workers never seen may still be in their init, until its limit
        assert self.fn.concurrency is not None
        return len(self.seen) >= self.fn.concurrency or time.perf_counter() > self._init_deadline

    def _finish(
        self, flight: Flight, t: int, status: str, error_type: str | None, payload: bytes
    ) -> Result:
        """END and REPORT for one invocation, and its ``Result``."""
        fn = self.fn
        rid = flight.inv.request_id
        duration_ms = (t - flight.started) / _ms if flight.started else 0.0
        report = lines.Report(
            rid,
            duration_ms,
            billed_duration_ms(duration_ms, None, fn.init_type),
            fn.memory_mb,
            self.memory.peak_mb(),
            status=status,
            error_type=error_type,
        )
        with self.log.lock:
            self._drain()
            self.log.write(lines.end(rid))
            self.log.write(report.line())
            self.log.follow(rid, None)
        platform.done(self.telemetry, report, len(payload))
        result = Result(report, payload, self.index)
        # each worker has its own init and first invocation, but no request waits for
        # it: Managed Instances initialise before traffic (as the record says, _current)
        result.cold_start = False
        result.logs = flight.logs
        result.worker = flight.inv.worker
        # the request charge: compute is the instances' (billing.managed_instances_cost_usd)
        result.cost_usd = managed_instances_cost_usd(function_prices(fn.region, fn.architecture)[0])
        return result


def run_managed(
    fn: Function,
    events: Iterable[bytes | str],
    *,
    log: TextIO | Callable[[str], None] | None = None,
    on_result: Callable[[Result], None] | None = None,
    port: int = 0,
) -> Run:
    """``run_environment`` for a function with ``concurrency`` set: the events run side
    by side on its workers, in as many environments as it takes."""
    run = Run()
    run.concurrency = fn.concurrency
    stream = LogStream(log)
    todo = collections.deque(e.encode() if isinstance(e, str) else e for e in events)
    workers_seen = 0

    def emit(result: Result) -> None:
        run.results.append(result)
        if on_result is not None:
            on_result(result)

    while todo:
        run.environments += 1
        env = ManagedEnvironment(fn, stream, run.environments, port)
        run.cgroup_used = env.cgroup is not None
        try:
            env.wait_init()
            env.serve(todo, emit)
        except InitFailed as failed:
            env.shutdown()  # the workers' last lines come before INIT_REPORT
            stream.write(lines.init_report(failed.duration_ms, failed.status, failed.error_type))
            run.init_error = failed
            run.not_sent = len(todo)
            break
        finally:
            env.shutdown()
            workers_seen += len(env.served)
    run.workers = workers_seen
    return run
