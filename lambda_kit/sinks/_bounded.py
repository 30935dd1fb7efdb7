"""Run exporter work with a deadline, so a hung exporter cannot hang the handler.

OpenTelemetry's ``force_flush`` exports in the calling thread (the SDK's batch
processor ignores its timeout argument), and a simple span processor exports
inside ``span.end()``. One daemon thread per process does that work; the
invocation waits for it at most ``timeout`` seconds. A job waits for the one
before it (another thread's) within the same budget; while a job is stuck, new
jobs are refused (and reported) instead of piling up behind it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from lambda_kit._problems import problem


class BoundedWorker:
    """One background thread that runs a job at a time, waited for with a timeout.

    >>> BoundedWorker("otel").run(lambda: None, timeout=1.0)
    True
    """

    __slots__ = ("_busy", "_cond", "_done", "_job", "_name", "_pid", "_thread")

    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._job: Callable[[], None] | None = None
        self._busy = False
        self._done = 0
        self._thread: threading.Thread | None = None
        self._pid = 0

    def run(self, job: Callable[[], None], timeout: float) -> bool:
        """Run ``job`` in the worker; True if it finished within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._pid != os.getpid():
                # a fork copies the state but not the thread: start afresh
                self._busy = False
                self._job = None
                self._thread = None
            # another thread's export may be running: wait for it, within the same budget
            if self._busy and not self._cond.wait_for(lambda: not self._busy, timeout):
                problem(
                    f"{self._name}: the exporter is still stuck in an earlier export; "
                    "skipping this one",
                    key=f"bounded-busy:{self._name}",
                )
                return False
            self._ensure_thread()
            self._job = job
            self._busy = True
            ticket = self._done + 1
            self._cond.notify_all()
            left = max(0.0, deadline - time.monotonic())
            finished = self._cond.wait_for(lambda: self._done >= ticket, left)
        if not finished:
            problem(
                f"{self._name}: export did not finish within {timeout * 1000:.0f} ms; "
                "the invocation goes on without waiting",
                key=f"bounded-timeout:{self._name}",
            )
        return finished

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs (at most ``timeout`` seconds); True if idle."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._busy, timeout)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._loop, name=f"lambda_kit-{self._name}", daemon=True
            )
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._job is not None)
                job = self._job
                self._job = None
            try:
                if job is not None:
                    job()
            except Exception as err:
                problem(f"{self._name}: export failed: {err!r}", key=f"bounded-err:{err!r}")
            finally:
                with self._cond:
                    self._busy = False
                    self._done += 1
                    self._cond.notify_all()
