"""Connection reuse against a real PostgreSQL: one connection per environment, alive at thaw."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from typing import Any

import psycopg
import pytest
from _reuse_helpers import Invoker, unique
from servers import PostgresServer

from lambda_kit import reuse


def _admin(pg: PostgresServer) -> psycopg.Connection[Any]:
    return psycopg.connect(pg.dsn(application_name="admin"), autocommit=True)


def _server_connections(pg: PostgresServer, app: str) -> int:
    with _admin(pg) as admin:
        row = admin.execute(
            "select count(*) from pg_stat_activity where application_name = %s", (app,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def _backend_pid(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("select pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def _terminate(pg: PostgresServer, pid: int) -> None:
    with _admin(pg) as admin:
        # the timeout makes the call wait until the backend has really gone
        admin.execute("select pg_terminate_backend(%s, 5000)", (pid,))


def _db(pg: PostgresServer, **options: Any) -> tuple[Any, str]:
    app = unique("lk")
    return reuse(app, lambda: psycopg.connect(pg.dsn(application_name=app)), **options), app


def test_fifty_invocations_open_one_server_connection(postgres: PostgresServer) -> None:
    db, app = _db(postgres)
    invoke = Invoker(lambda event, context: db().execute("select 1").fetchone())
    states = [invoke()[1]["connections"][app]["state"] for _ in range(50)]
    assert _server_connections(postgres, app) == 1
    assert states == ["created"] + ["reused"] * 49
    db.close()


def test_first_record_gives_the_connect_time(postgres: PostgresServer) -> None:
    db, app = _db(postgres)
    _, record = Invoker(lambda event, context: db())()
    assert record["connections"][app]["state"] == "created"
    assert record["connections"][app]["connect_ms"] > 0
    db.close()


def test_connection_killed_by_the_server_is_replaced_before_the_handler_sees_it(
    postgres: PostgresServer,
) -> None:
    db, app = _db(postgres)
    invoke = Invoker(lambda event, context: _backend_pid(db()))
    first_pid, _ = invoke()
    _terminate(postgres, first_pid)
    second_pid, record = invoke()
    assert second_pid != first_pid
    assert record["status"] == "success"
    assert record["connections"][app]["state"] == "reconnected"
    assert record["connections"][app]["reason"] == "closed by the server"
    db.close()


def test_server_restart_between_invocations_is_survived(postgres: PostgresServer) -> None:
    db, app = _db(postgres)
    invoke = Invoker(lambda event, context: db().execute("select 41 + 1").fetchone())
    invoke()
    postgres.restart()
    result, record = invoke()
    assert result == (42,)
    assert record["connections"][app]["state"] == "reconnected"
    db.close()


def test_idle_beyond_max_idle_runs_the_check_once(postgres: PostgresServer) -> None:
    pings: list[object] = []

    def check(conn: psycopg.Connection[Any]) -> bool:
        pings.append(conn)
        return conn.execute("select 1").fetchone() == (1,)

    db, app = _db(postgres, check=check, max_idle_s=0.2)
    invoke = Invoker(lambda event, context: db().execute("select 1").fetchone())
    invoke()
    time.sleep(0.3)
    _, record = invoke()
    assert len(pings) == 1
    assert record["connections"][app] == {"state": "reused", "checked": True}
    db.close()


def test_within_max_idle_no_check_runs(postgres: PostgresServer) -> None:
    pings: list[object] = []
    db, _ = _db(postgres, check=lambda c: pings.append(c) is None, max_idle_s=60)
    invoke = Invoker(lambda event, context: db().execute("select 1").fetchone())
    for _ in range(20):
        invoke()
    assert pings == []
    db.close()


def test_a_failing_check_replaces_the_connection(postgres: PostgresServer) -> None:
    db, app = _db(postgres, check=lambda c: False, max_idle_s=0)
    invoke = Invoker(lambda event, context: _backend_pid(db()))
    first, _ = invoke()
    second, record = invoke()
    assert second != first
    assert record["connections"][app]["state"] == "reconnected"
    assert record["connections"][app]["reason"].startswith("check failed")
    db.close()


def test_builtin_ping_opens_no_transaction(postgres: PostgresServer) -> None:
    db, app = _db(postgres, max_idle_s=0)  # autocommit off: a SELECT would open a transaction
    invoke = Invoker(lambda event, context: db().info.transaction_status.name)
    invoke()
    status, record = invoke()
    assert record["connections"][app] == {"state": "reused", "checked": True}
    assert status == "IDLE"
    db.close()


def test_two_threads_asking_at_once_share_one_connection(postgres: PostgresServer) -> None:
    made: list[object] = []
    app = unique("lk")

    def factory() -> psycopg.Connection[Any]:
        time.sleep(0.1)  # both threads are inside the handle while the first one connects
        conn = psycopg.connect(postgres.dsn(application_name=app))
        made.append(conn)
        return conn

    db = reuse(app, factory)
    barrier = threading.Barrier(2)
    got: list[object] = []

    def worker() -> None:
        barrier.wait()
        got.append(db())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1
    assert got[0] is got[1]
    assert _server_connections(postgres, app) == 1
    db.close()


def test_a_forked_child_gets_its_own_connection(postgres: PostgresServer) -> None:
    db, _ = _db(postgres)
    parent_pid = _backend_pid(db())
    read_fd, write_fd = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report its backend pid, then leave without cleanup
        try:
            os.write(write_fd, str(_backend_pid(db())).encode())
        finally:
            os._exit(0)
    os.close(write_fd)
    child_pid = int(os.read(read_fd, 64).decode())
    os.close(read_fd)
    os.waitpid(child, 0)
    assert child_pid != parent_pid
    assert _backend_pid(db()) == parent_pid  # the child did not close the parent's session
    db.close()


def test_run_retries_idempotent_work_on_a_new_connection(postgres: PostgresServer) -> None:
    db, app = _db(postgres, retry=True)

    def handler(event: Any, context: Any) -> Any:
        _terminate(postgres, _backend_pid(db()))  # lost in mid-invocation: no check can see it
        return db.run(lambda conn: conn.execute("select 7").fetchone())

    result, record = Invoker(handler)()
    assert result == (7,)
    assert record["connections"][app]["state"] == "reconnected"
    assert (
        record["connections"][app]["reason"] == "AdminShutdown during use"
    )  # psycopg names the cause
    db.close()


def test_run_without_retry_raises_and_the_next_call_reconnects(postgres: PostgresServer) -> None:
    db, _ = _db(postgres)
    pid = _backend_pid(db())
    _terminate(postgres, pid)
    with pytest.raises(psycopg.OperationalError):
        db.run(lambda conn: conn.execute("select 1").fetchone())
    assert _backend_pid(db()) != pid
    db.close()


def test_a_statement_timeout_keeps_the_connection(postgres: PostgresServer) -> None:
    db, _ = _db(postgres, retry=True)
    conn = db()
    conn.autocommit = True
    pid = _backend_pid(conn)
    conn.execute("set statement_timeout = '20ms'")
    with pytest.raises(psycopg.errors.QueryCanceled):
        db.run(lambda c: c.execute("select pg_sleep(1)"))
    assert db() is conn
    assert _backend_pid(conn) == pid
    db.close()


def test_a_factory_failure_reaches_the_handler_and_the_record(postgres: PostgresServer) -> None:
    dsn = postgres.dsn(password="wrong")
    db = reuse("bad-password", lambda: psycopg.connect(dsn))
    invoke = Invoker(lambda event, context: db())
    with pytest.raises(psycopg.OperationalError):
        invoke()
    # the record of that failed invocation was still written (read it from the stream)
    record = invoke.last_record()
    assert record["status"] == "error"
    assert record["connections"]["bad-password"] == {
        "state": "failed",
        "error_type": "OperationalError",
    }


def test_psycopg_connections_get_the_builtin_check(postgres: PostgresServer) -> None:
    from lambda_kit.reuse._checks import driver_for

    with psycopg.connect(postgres.dsn()) as conn:
        assert driver_for(conn).name == "psycopg"


def test_a_connection_that_never_answers_is_replaced_after_the_ping_timeout(
    postgres: PostgresServer, monkeypatch: Any
) -> None:
    from lambda_kit.reuse import _checks

    monkeypatch.setattr(_checks, "PING_TIMEOUT_S", 0.3)
    db, app = _db(postgres, max_idle_s=0)
    invoke = Invoker(lambda event, context: _backend_pid(db()))
    frozen, _ = invoke()
    # a stopped backend keeps its socket open and never answers: what a NAT that forgot
    # the connection looks like from the client
    os.kill(frozen, signal.SIGSTOP)
    try:
        pid, record = invoke()
    finally:
        os.kill(frozen, signal.SIGCONT)
    assert pid != frozen
    assert record["connections"][app]["state"] == "reconnected"
    assert record["connections"][app]["reason"].startswith("check failed")
    db.close()


def test_a_failed_transaction_left_by_an_invocation_is_rolled_back(
    postgres: PostgresServer,
) -> None:
    db, app = _db(postgres)  # autocommit off: statements run inside a transaction

    def handler(event: Any, context: Any) -> Any:
        if event == "fail":
            pid = _backend_pid(db())
            # swallowed, and no rollback: the transaction stays aborted
            with contextlib.suppress(psycopg.errors.DivisionByZero):
                db().execute("select 1 / 0")
            return pid
        return db().execute("select 1").fetchone(), _backend_pid(db())

    invoke = Invoker(handler)
    first_pid, _ = invoke("fail")
    (row, pid), record = invoke("read")
    assert row == (1,)
    assert record["connections"][app] == {"state": "reused", "rolled_back": True}
    assert pid == first_pid  # repaired, not replaced
    db.close()
