"""Every built-in client's waits are bounded by the invocation's remaining time: redis-py
(a SIGSTOPped redis-server: it accepts and never answers) and boto3 (a loopback socket
that accepts and never answers; moto for the settings of a working client)."""

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

import botocore.exceptions
import pytest
import redis
from _aws_helpers import SilentServer
from _reuse_helpers import unique
from servers import MotoServer, RedisServer

from lambda_kit import _deadline, _problems, environment, instrument
from lambda_kit.reuse import _bounds, _checks, boto3_client, redis_client

_CREDENTIALS = {"aws_access_key_id": "lk-test", "aws_secret_access_key": "lk-test"}


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
def stopped(server: RedisServer) -> Iterator[None]:
    assert server.proc is not None
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)


def connections(client: Any) -> list[Any]:
    pool = client.connection_pool
    return [*pool._available_connections, *pool._in_use_connections]


def records(out: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


# -- redis ---------------------------------------------------------------------------------


def test_redis_timeouts_follow_each_invocations_remaining_time(redis_server: RedisServer) -> None:
    cache = redis_client(unique("bound"), redis_server.url())
    seen: list[tuple[float, float, float | None]] = []

    @instrument(output=io.StringIO())
    def handler(event: Any, context: Any) -> None:
        client = cache()
        client.ping()
        [conn] = connections(client)
        seen.append((conn.socket_connect_timeout, conn.socket_timeout, conn._sock.gettimeout()))

    handler({}, Remaining(3000))  # made here: 3 s left, less the margin
    handler({}, Remaining(60_000))  # kept: the same connection, its bound set again
    handler({}, Remaining(1000))
    (c1, r1, s1), (c2, r2, s2), (c3, r3, s3) = seen
    # the live socket's own timeout too (the kernel's clock keeps it to the microsecond)
    assert 2.0 < c1 <= 2.8 and 2.0 < r1 <= 2.8 and s1 == pytest.approx(r1, abs=1e-6)
    assert (c2, r2, s2) == (10.0, 10.0, 10.0)
    assert 0.2 < c3 <= 0.8 and 0.2 < r3 <= 0.8 and s3 == pytest.approx(r3, abs=1e-6)
    assert cache().connection_pool.connection_kwargs["socket_timeout"] == r3
    cache.close()


def test_redis_own_timeouts_are_ceilings(redis_server: RedisServer) -> None:
    cache = redis_client(
        unique("own"), redis_server.url(), socket_timeout=1.5, socket_connect_timeout=0.5
    )

    @instrument(output=io.StringIO())
    def handler(event: Any, context: Any) -> Any:
        client = cache()
        client.ping()
        [conn] = connections(client)
        return conn.socket_connect_timeout, conn.socket_timeout

    assert handler({}, Remaining(60_000)) == (0.5, 1.5)
    assert 0.5 < handler({}, Remaining(1000))[1] <= 0.8
    cache.close()
    with pytest.raises(ValueError, match="socket_timeout must be a positive number of seconds"):
        redis_client("bad", redis_server.url(), socket_timeout=float("inf"))


def test_a_redis_server_that_hangs_while_idle_costs_the_bound_once(
    redis_server: RedisServer,
) -> None:
    name = unique("hung")
    cache = redis_client(name, redis_server.url(), max_idle_s=0)
    out = io.StringIO()
    outcome: list[Any] = []
    bounds: list[float] = []
    retried: list[tuple[type[BaseException], ...]] = []

    @instrument(output=out)
    def handler(event: Any, context: Any) -> Any:
        client = cache()
        try:
            return client.incr(name)
        except redis.TimeoutError as exc:
            outcome.append(exc)
            bounds.extend(c.socket_timeout for c in connections(client))
            retried.extend(c.retry._supported_errors for c in connections(client))
            return "gave up"

    assert handler({}, Remaining(30_000)) == 1
    with stopped(redis_server):  # idle past max_idle_s: the ping gets no PONG
        worker = threading.Thread(target=lambda: outcome.append(handler({}, Remaining(2500))))
        worker.start()
        worker.join(60)  # redis-py 8 alone: 10 retries of 5 s
        assert not worker.is_alive(), "the reconnect was not bounded"
    assert outcome[-1] == "gave up" and isinstance(outcome[0], redis.TimeoutError)
    # the new client's reads were bounded by what the invocation had left, once: no retry
    assert bounds and all(0 < b <= 2.3 for b in bounds)
    assert retried and all(errors == (redis.ConnectionError,) for errors in retried)
    [_, second] = records(out)  # one per invocation, however the second one ended
    entry = second["connections"][name]
    assert entry["state"] == "reconnected" and entry["reason"].startswith("check failed after")
    cache.close()


def test_the_timeout_record_keeps_connections_while_redis_hangs(
    redis_server: RedisServer,
) -> None:
    name = unique("late")
    cache = redis_client(name, redis_server.url(), max_idle_s=0)
    out = io.StringIO()

    @instrument(output=out, timeout_margin_ms=100)
    def handler(event: Any, context: Any) -> Any:
        try:
            return cache().incr(name)
        except redis.TimeoutError:
            time.sleep(0.5)  # past the deadline: the watchdog writes the record
            return "late"

    handler({}, Remaining(30_000))
    with stopped(redis_server):
        assert handler({}, Remaining(1000)) == "late"
    timed_out = records(out)[1]
    assert timed_out["status"] == "timeout"
    assert timed_out["connections"][name]["state"] == "reconnected"
    cache.close()


def test_the_redis_ping_is_bounded_for_any_redis_client(redis_server: RedisServer) -> None:
    # a client of the user's own, with no socket_timeout at all: the ping still ends
    plain = redis.Redis.from_url(redis_server.url(), socket_timeout=None)
    plain.ping()
    with stopped(redis_server):
        assert _checks.Redis().ping(plain) is False
    plain.close()


# -- boto3 ---------------------------------------------------------------------------------


def pool_timeout(client: Any, url: str) -> Any:
    session = client._endpoint.http_session
    return session._manager.connection_from_url(url).timeout


def test_a_boto3_endpoint_that_never_answers_costs_one_bounded_attempt() -> None:
    out = io.StringIO()
    outcome: list[Any] = []
    with SilentServer() as server:
        url = server.url + "/"

        @instrument(output=out, timeout_margin_ms=50)
        def handler(event: Any, context: Any) -> Any:
            table = boto3_client(
                "dynamodb", region_name="eu-west-1", endpoint_url=server.url, **_CREDENTIALS
            )
            try:
                return table.list_tables()
            except botocore.exceptions.ReadTimeoutError as exc:
                outcome.append((exc, pool_timeout(table, url)))
                return "gave up"

        worker = threading.Thread(target=lambda: outcome.append(handler({}, Remaining(1500))))
        worker.start()
        worker.join(60)  # botocore alone: 60 s read timeout, 5 attempts
        assert not worker.is_alive(), "the call was not bounded"
        held = len(server.held)
    assert outcome[-1] == "gave up"
    _, timeout = outcome[0]
    assert 0 < timeout.read_timeout <= 1.3 and 0 < timeout.connect_timeout <= 1.3
    assert held == 1  # one attempt: no retry without time left for it
    [record] = records(out)
    assert any(name.startswith("boto3.dynamodb") for name in record["connections"])


def test_boto3_timeouts_follow_each_attempts_remaining_time(aws: MotoServer) -> None:
    url = aws.url() + "/"
    seen: list[Any] = []

    @instrument(output=io.StringIO())
    def handler(event: Any, context: Any) -> None:
        sqs = boto3_client("sqs", region_name="us-east-1", endpoint_url=aws.url())
        sqs.list_queues()
        seen.append(pool_timeout(sqs, url))

    handler({}, Remaining(5000))
    handler({}, Remaining(900_000))
    assert 4.0 < seen[0].read_timeout <= 4.8
    assert seen[0].connect_timeout == pytest.approx(seen[0].read_timeout, abs=0.01)
    assert (seen[1].connect_timeout, seen[1].read_timeout) == (10.0, 60.0)


def test_boto3_own_config_timeouts_are_ceilings(aws: MotoServer) -> None:
    from botocore.config import Config

    sqs = boto3_client(
        "sqs",
        region_name="us-west-2",
        endpoint_url=aws.url(),
        config=Config(connect_timeout=0.5, read_timeout=2),
    )
    assert (sqs.meta.config.connect_timeout, sqs.meta.config.read_timeout) == (0.5, 2.0)

    @instrument(output=io.StringIO())
    def handler(event: Any, context: Any) -> Any:
        boto3_client(
            "sqs",
            region_name="us-west-2",
            endpoint_url=aws.url(),
            config=Config(connect_timeout=0.5, read_timeout=2),
        ).list_queues()
        return pool_timeout(sqs, aws.url() + "/")

    timeout = handler({}, Remaining(60_000))
    assert (timeout.connect_timeout, timeout.read_timeout) == (0.5, 2.0)


def test_the_one_rule_floor_and_ceiling() -> None:
    @instrument(output=io.StringIO())
    def handler(event: Any, context: Any) -> Any:
        return _bounds.bound_s(10.0)

    assert handler({}, Remaining(100)) == _bounds.FLOOR_S  # no time left: the floor
    assert handler({}, Remaining(600_000)) == 10.0  # the ceiling
    assert _bounds.bound_s(10.0) == 10.0  # outside an invocation
    for bad in (0, -1, float("nan"), float("inf"), "5", True):
        with pytest.raises(ValueError):
            _bounds.ceiling_s(bad, 10.0, "t")

