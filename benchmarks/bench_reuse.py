"""Connection reuse against a real PostgreSQL (scram-sha-256 over TLS), in one run.

One group, four ways to run an invocation's query; pytest-benchmark prints each
figure with its ratio to the fastest in parentheses:

- ``raw_kept_connection``: a psycopg connection opened once, used directly
  (the best any helper could do);
- ``reuse_handle``: the same through ``reuse``, including what each new
  invocation costs (the ``on_start`` hooks and the local liveness check);
- ``connect_per_invocation``: connect, query, close, as code without reuse does.

A second group times the handle alone: the first call of an invocation (local
check, no round trip) and later calls.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

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
