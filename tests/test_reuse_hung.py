"""A reconnect to a hung PostgreSQL (SIGSTOPped: it accepts and never answers) is bounded
by the invocation's remaining time, and the timeout record keeps ``connections``."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from _reuse_helpers import unique
from servers import PostgresServer

from lambda_kit import _deadline, _problems, environment, instrument
from lambda_kit.reuse import _bounds, _checks, postgres


class Remaining:
    """A context with ``ms`` left when made."""

    function_name = "orders"

    def __init__(self, ms: float) -> None:
        self.deadline = time.time() * 1000 + ms

    def get_remaining_time_in_millis(self) -> int:
        return int(self.deadline - time.time() * 1000)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(_checks, "PING_TIMEOUT_S", 0.3)
    monkeypatch.delenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raising=False)
    environment.reset()
    _problems.reset()
    yield
    _deadline.active.clear()


@contextlib.contextmanager
def stopped(*pids: int) -> Iterator[None]:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def postmaster_pid(pg: PostgresServer) -> int:
    return int((pg.data / "postmaster.pid").read_text().splitlines()[0])


def backend_pid(conn: Any) -> int:
    return int(conn.execute("select pg_backend_pid()").fetchone()[0])


def test_a_reconnect_to_a_hung_server_ends_within_the_invocation(postgres: PostgresServer) -> None:
    app = unique("hung")
    db = postgres_connection(postgres, app)
    out = io.StringIO()
    outcome: list[Any] = []

    @instrument(service="orders", output=out)
    def handler(event: Any, context: Any) -> Any:
        try:
            return backend_pid(db())
        except psycopg.OperationalError as exc:
            outcome.append(exc)
            return "gave up"

    first = handler({}, Remaining(30_000))
    # the whole server stops: the kept connection's ping gets no answer, and the
    # reconnect's TCP handshake succeeds (the kernel) but the server never answers
    with stopped(postmaster_pid(postgres), first):
        worker = threading.Thread(target=lambda: outcome.append(handler({}, Remaining(1500))))
        worker.start()
        worker.join(60)  # psycopg's own default would be 130 s
        assert not worker.is_alive(), "the reconnect was not bounded"
    assert outcome[-1] == "gave up" and isinstance(outcome[0], psycopg.OperationalError)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(records) == 2  # one per invocation: the timeout record, no second one
    timed_out = records[1]
    assert timed_out["status"] == "timeout"
    entry = timed_out["connections"][app]
    assert entry["state"] == "reconnected" and entry["connecting"] is True
    assert entry["reason"].startswith("check failed")
    db.close()


def postgres_connection(pg: PostgresServer, app: str) -> Any:
    return postgres(app, pg.dsn(application_name=app), max_idle_s=0)


def test_each_connect_gets_a_timeout_from_the_remaining_time(postgres: PostgresServer) -> None:
    app = unique("bound")
    db = postgres_connection(postgres, app)
    seen: list[str] = []

    @instrument(service="orders", output=io.StringIO())
    def handler(event: Any, context: Any) -> Any:
        seen.append(db().info.dsn)

    handler({}, Remaining(6_000))  # 6 s left: 5 s (whole seconds, less the margin)
    db.close()
    handler({}, Remaining(60_000))  # more than the bound: 10 s
    db.close()
    handler({}, Remaining(500))  # less than libpq's least: 2 s
    db.close()
    timeouts = [next(p for p in dsn.split() if p.startswith("connect_timeout=")) for dsn in seen]
    assert timeouts == ["connect_timeout=5", "connect_timeout=10", "connect_timeout=2"]


def test_the_ping_is_cut_to_the_remaining_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_checks, "PING_TIMEOUT_S", 2.0)
    seen: list[float] = []

    @instrument(service="orders", output=io.StringIO())
    def handler(event: Any, context: Any) -> None:
        seen.append(_bounds.bound_s(_checks.PING_TIMEOUT_S))

    handler({}, Remaining(1000))
    handler({}, Remaining(60_000))
    assert 0.5 <= seen[0] <= 0.8 and seen[1] == 2.0
    assert _bounds.bound_s(2.0) == 2.0  # outside an invocation: its own bound
