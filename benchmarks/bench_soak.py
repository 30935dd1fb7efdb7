"""Soak: a million warm invocations with the logger, metrics and reuse on.

    make bench                                   one million invocations
    LAMBDA_KIT_SOAK_INVOCATIONS=200000 make bench
    make test (--benchmark-disable)              10,000, so the suite stays fast

Every invocation logs a line, adds a metric (an EMF line) and uses a kept connection
(a real socket pair, checked by ``reuse``). Promises checked at the end: every record,
EMF line and log line was written (counted as they are written, nothing kept), and
resident memory, open file descriptors and threads are flat between the first tenth
of the run (after warm-up) and its end.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import Any

import pytest
from conftest import report_figure

from lambda_kit import environment, instrument, logger, metrics, reuse

#: how much resident memory may grow between the first tenth and the end (allocator noise)
RSS_SLACK_KIB = 8 * 1024


class Counter:
    """A binary stream that counts the lines of each kind written to it and keeps none."""

    def __init__(self) -> None:
        self.records = self.emf = self.logs = 0

    def write(self, data: bytes) -> int:
        if b'"type":"invocation"' in data:
            self.records += data.count(b"\n")
        elif b'"_aws"' in data:
            self.emf += data.count(b"\n")
        else:
            self.logs += data.count(b"\n")
        return len(data)

    def flush(self) -> None:
        pass


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def threads() -> int:
    return len(os.listdir("/proc/self/task"))


def _count(disabled: bool) -> int:
    if disabled:
        return 10_000
    return int(os.environ.get("LAMBDA_KIT_SOAK_INVOCATIONS", "1000000"))


@pytest.mark.benchmark(group="soak")
def test_a_million_warm_invocations_stay_flat(benchmark: Any, lambda_context: Any) -> None:
    n = _count(benchmark.disabled)
    environment.reset()
    out = Counter()
    pair: list[socket.socket] = []

    def connect() -> socket.socket:
        a, b = socket.socketpair()
        pair.append(b)
        return a

    conn = reuse("soak", connect)

    @instrument(service="soak", output=out, metrics=True)
    def handler(event: dict[str, Any], context: Any) -> int:
        conn().fileno()
        logger.info("order", order_id=event["i"])
        metrics.add("Orders", 1, "Count")
        return event["i"]

    samples: dict[str, tuple[int, int, int]] = {}

    def run() -> None:
        tenth = max(1, n // 10)
        event = {"i": 0}
        for i in range(n):
            event["i"] = i
            handler(event, lambda_context)
            if i == tenth:
                samples["early"] = (rss_kib(), fds(), threads())
        samples["end"] = (rss_kib(), fds(), threads())

    started = time.perf_counter()
    with contextlib.redirect_stdout(out):  # type: ignore[type-var]
        benchmark.pedantic(run, rounds=1, iterations=1)
    elapsed = time.perf_counter() - started
    conn.close()
    for sock in pair:
        sock.close()
    assert (out.records, out.emf, out.logs) == (n, n, n)  # every line written
    (rss0, fd0, th0), (rss1, fd1, th1) = samples["early"], samples["end"]
    assert fd1 == fd0 and th1 == th0
    assert rss1 - rss0 <= RSS_SLACK_KIB, f"RSS grew {rss1 - rss0} KiB over {n} invocations"
    figure = (
        f"[soak] {n} warm invocations (logger, metrics, reuse): {elapsed / n * 1e6:.1f} us each; "
        f"RSS {rss0 // 1024} -> {rss1 // 1024} MB, fds {fd0} -> {fd1}, threads {th0} -> {th1}; "
        f"{out.records} records, {out.emf} EMF lines, {out.logs} log lines"
    )
    benchmark.extra_info["figures"] = [figure]
    report_figure(figure)
