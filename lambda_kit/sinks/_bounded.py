"""Run exporter work with a deadline, so a hung exporter cannot hang the handler.

OpenTelemetry's ``force_flush`` exports in the calling thread (the SDK's batch
processor ignores its timeout argument), and a simple span processor exports
inside ``span.end()``. One daemon thread per process does that work; the
invocation waits for it at most ``timeout`` seconds.

A dependency that hangs costs that bound once (DESIGN.md, rule 7): once a job has
overrun its wait, the worker is *stuck*, and every later job is refused at once
(a lock and a flag, no wait) until the stuck job returns. That is said once on
stderr when it starts and once when the exporter comes back, with the count of
jobs skipped meanwhile. A job that only waits for another thread's job still in
its budget (concurrent invocations) waits within its own budget.
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

    __slots__ = (
        "_busy",
        "_cond",
        "_done",
        "_job",
        "_name",
        "_pid",
        "_skipped",
        "_stuck_since",
        "_thread",
    )

    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._job: Callable[[], None] | None = None
        self._busy = False
        self._done = 0
        self._thread: threading.Thread | None = None
        self._pid = 0
        #: time.monotonic() when the running job overran its wait; None when not stuck
        self._stuck_since: float | None = None
        self._skipped = 0  # jobs refused while stuck

    @property
    def stuck(self) -> bool:
        """Whether a job overran its wait and has not returned yet."""
        return self._stuck_since is not None

    def run(self, job: Callable[[], None], timeout: float) -> bool:
        """Run ``job`` in the worker; True if it finished within ``timeout`` seconds.

        While an earlier job is stuck, returns False at once without running ``job``.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._pid != os.getpid():
                # a fork copies the state but not the thread: start afresh
                self._busy = False
                self._job = None
                self._thread = None
                self._stuck_since = None
                self._skipped = 0
            if self._stuck_since is not None:
                self._skipped += 1  # stuck: refuse without waiting
                return False
            # another thread's export may be running: wait for it, within the same budget
            if self._busy and not self._cond.wait_for(lambda: not self._busy, timeout):
                self._became_stuck(timeout)
                self._skipped += 1
                return False
            self._ensure_thread()
            self._job = job
            self._busy = True
            ticket = self._done + 1
            self._cond.notify_all()
            left = max(0.0, deadline - time.monotonic())
            finished = self._cond.wait_for(lambda: self._done >= ticket, left)
            if not finished:
                self._became_stuck(timeout)
        return finished

    def _became_stuck(self, timeout: float) -> None:
        # called with the condition held
        if self._stuck_since is None:
            self._stuck_since = time.monotonic()
        problem(
            f"{self._name}: export did not finish within {timeout * 1000:.0f} ms; "
            "the invocation goes on without waiting, and later exports are skipped "
            "without waiting until it returns",
            key=f"bounded-stuck:{self._name}",
        )

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
                    if self._stuck_since is not None:
                        self._recovered(time.monotonic() - self._stuck_since)
                    self._cond.notify_all()

    def _recovered(self, stuck_s: float) -> None:
        # called with the condition held, in the worker thread
        skipped, self._skipped, self._stuck_since = self._skipped, 0, None
        problem(
            f"{self._name}: the stuck export returned after {stuck_s:.1f} s; "
            f"{skipped} export(s) were skipped meanwhile; exporting again",
            key=f"bounded-recovered:{self._name}",
        )
