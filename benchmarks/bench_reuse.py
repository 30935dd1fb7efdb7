"""Connection reuse against a real PostgreSQL (scram-sha-256 over TLS), in one run.

One group, four ways to run an invocation's query; pytest-benchmark prints each
figure with its ratio to the fastest in parentheses:

- ``raw_kept_connection``: a psycopg connection opened once, used directly
  (the best any helper could do);
- ``reuse_handle``: the same through ``reuse``, including what each new
  invocation costs (the ``on_start`` hooks and the local liveness check);
- ``connect_per_invocation``: connect, query, close, as code without reuse does.

Consecutive benchmarks see different moments of a shared machine's noise, so a
third group interleaves the kept and the reused connection round by round and
reports the ratio of their medians in the run's "lambda_kit ratios" summary.

Another group times the handle alone: the first call of an invocation (local
check, no round trip) and later calls.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import report_figure

from lambda_kit import _hooks, reuse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import PostgresServer

QUERY = "select 1"


@pytest.fixture(scope="module")
def dsn() -> Iterator[str]:
    with PostgresServer.started() as server:
        yield server.dsn(application_name="bench")


def _new_invocation() -> None:
    for hook in _hooks.on_start:  # what @instrument does as each invocation starts
        hook()


def _run(benchmark: Any, invocation: Any) -> Any:
    # the same fixed number of rounds for the kept and the reused connection, so that the
    # two figures come from equally long samples of this machine's noise
    rounds = 1 if benchmark.disabled else 2000
    return benchmark.pedantic(invocation, rounds=rounds, warmup_rounds=0 if rounds == 1 else 100)


@pytest.mark.benchmark(group="reuse: one query per invocation")
def test_raw_kept_connection(benchmark: Any, dsn: str) -> None:
    conn = psycopg.connect(dsn)

    def invocation() -> Any:
        _new_invocation()
        return conn.execute(QUERY).fetchone()

    assert _run(benchmark, invocation) == (1,)
    conn.close()


@pytest.mark.benchmark(group="reuse: one query per invocation")
def test_reuse_handle(benchmark: Any, dsn: str) -> None:
    db = reuse("bench-db", lambda: psycopg.connect(dsn))

    def invocation() -> Any:
        _new_invocation()
        return db().execute(QUERY).fetchone()

    assert _run(benchmark, invocation) == (1,)
    db.close()


@pytest.mark.benchmark(group="reuse: one query per invocation")
def test_connect_per_invocation(benchmark: Any, dsn: str) -> None:
    def invocation() -> Any:
        _new_invocation()
        with psycopg.connect(dsn) as conn:
            return conn.execute(QUERY).fetchone()

    rounds = 2 if benchmark.disabled else 100
    assert benchmark.pedantic(invocation, rounds=rounds, warmup_rounds=1) == (1,)


@pytest.mark.benchmark(group="reuse: the handle alone")
def test_handle_first_call_of_an_invocation(benchmark: Any, dsn: str) -> None:
    db = reuse("bench-first", lambda: psycopg.connect(dsn))
    conn = db()

    def first_call() -> Any:
        _new_invocation()
        return db()

    assert benchmark(first_call) is conn
    db.close()


@pytest.mark.benchmark(group="reuse: the handle alone")
def test_handle_later_call_in_an_invocation(benchmark: Any, dsn: str) -> None:
    db = reuse("bench-later", lambda: psycopg.connect(dsn))
    conn = db()
    assert benchmark(db) is conn
    db.close()


@pytest.mark.benchmark(group="reuse: the handle alone")
def test_new_invocation_hooks_only(benchmark: Any) -> None:
    benchmark(_new_invocation)


@pytest.mark.benchmark(group="reuse: interleaved with a raw kept connection")
def test_reuse_against_raw_interleaved(benchmark: Any, dsn: str) -> None:
    conn = psycopg.connect(dsn)
    db = reuse("bench-pair", lambda: psycopg.connect(dsn))
    db()
    raw_ns: list[int] = []
    reused_ns: list[int] = []
    clock = time.perf_counter_ns

    def raw() -> None:
        _new_invocation()  # @instrument's own cost, the same for both: not timed
        t0 = clock()
        conn.execute(QUERY).fetchone()
        raw_ns.append(clock() - t0)

    def reused() -> None:
        _new_invocation()
        t0 = clock()
        db().execute(QUERY).fetchone()  # includes the handle's check at a new invocation
        reused_ns.append(clock() - t0)

    def pair() -> None:
        first, second = (raw, reused) if len(raw_ns) % 2 == 0 else (reused, raw)
        first()
        second()

    rounds = 1 if benchmark.disabled else 3000
    benchmark.pedantic(pair, rounds=rounds, warmup_rounds=0)
    raw_median, reused_median = statistics.median(raw_ns), statistics.median(reused_ns)
    ratio = reused_median / raw_median
    benchmark.extra_info.update(
        raw_median_us=raw_median / 1000, reused_median_us=reused_median / 1000, ratio=ratio
    )
    if not benchmark.disabled:
        report_figure(
            f"[reuse, {rounds} interleaved invocations] median: reuse handle "
            f"{reused_median / 1000:.1f} us, raw kept connection {raw_median / 1000:.1f} us, "
            f"ratio {ratio:.3f}"
        )
    conn.close()
    db.close()


@pytest.mark.parametrize("sslmode", ["disable", "require"])
def test_connect_per_invocation_against_reuse(benchmark: Any, dsn: str, sslmode: str) -> None:
    # the figure the target names: an invocation that reuses its connection against one
    # that connects (scram-sha-256) for its query, with and without TLS. In blocks, not
    # interleaved: a closed backend still exiting slows the next query on the server
    target = f"{dsn} sslmode={sslmode}"
    db = reuse(f"bench-vs-connect-{sslmode}", lambda: psycopg.connect(target))
    db()
    reused_ns: list[int] = []
    connect_ns: list[int] = []
    clock = time.perf_counter_ns

    def blocks() -> None:
        for _ in range(rounds):
            _new_invocation()
            t0 = clock()
            db().execute(QUERY).fetchone()
            reused_ns.append(clock() - t0)
        time.sleep(0.2)
        for _ in range(rounds):
            _new_invocation()
            t0 = clock()
            with psycopg.connect(target) as conn:
                conn.execute(QUERY).fetchone()
            connect_ns.append(clock() - t0)

    rounds = 2 if benchmark.disabled else 200
    benchmark.pedantic(blocks, rounds=1, warmup_rounds=0)
    ratio = statistics.median(connect_ns) / statistics.median(reused_ns)
    assert ratio > 1  # a connection per call can never be the cheaper one
    if not benchmark.disabled:
        report_figure(
            f"[reuse, sslmode={sslmode}, {rounds} invocations each] median: connect per "
            f"invocation {statistics.median(connect_ns) / 1000:.0f} us, reused "
            f"{statistics.median(reused_ns) / 1000:.1f} us: reuse is {ratio:.0f}x cheaper"
        )
    db.close()
