"""Connection reuse against a real redis-server: one connection per environment, alive at thaw."""

from __future__ import annotations

import time
from typing import Any

import redis
from _reuse_helpers import Invoker, unique
from servers import RedisServer

from lambda_kit import reuse


def _clients_named(server: RedisServer, name: str) -> list[dict[str, Any]]:
    admin = redis.Redis.from_url(server.url())
    try:
        return [c for c in admin.client_list() if c.get("name") == name]
    finally:
        admin.close()


def _cache(server: RedisServer, **options: Any) -> tuple[Any, str]:
    name = unique("lk")
    return reuse(
        name, lambda: redis.Redis.from_url(server.url(), client_name=name), **options
    ), name


def test_fifty_invocations_open_one_server_connection(redis_server: RedisServer) -> None:
    cache, name = _cache(redis_server)
    invoke = Invoker(lambda event, context: cache().incr(name))
    states = [invoke()[1]["connections"][name]["state"] for _ in range(50)]
    assert len(_clients_named(redis_server, name)) == 1
    assert states == ["created"] + ["reused"] * 49
    cache.close()


def test_client_kill_between_invocations_is_reconnected(redis_server: RedisServer) -> None:
    cache, name = _cache(redis_server)
    invoke = Invoker(lambda event, context: cache().incr(name))
    invoke()
    admin = redis.Redis.from_url(redis_server.url())
    assert admin.client_kill_filter(_id=_clients_named(redis_server, name)[0]["id"]) == 1
    admin.close()
    assert _clients_named(redis_server, name) == []  # the server closed it: the FIN is sent
    result, record = invoke()
    assert result == 2
    assert record["connections"][name]["state"] == "reconnected"
    assert record["connections"][name]["reason"] == "closed by the server"
    cache.close()


def test_server_restart_between_invocations_is_survived(redis_server: RedisServer) -> None:
    cache, name = _cache(redis_server)
    invoke = Invoker(lambda event, context: cache().ping())
    invoke()
    redis_server.restart()
    result, record = invoke()
    assert result is True
    assert record["connections"][name]["state"] == "reconnected"
    cache.close()


def _pings(cache: Any) -> int:
    stats = cache().info("commandstats")
    return int(stats.get("cmdstat_ping", {}).get("calls", 0))


def test_pings_only_after_idle_beyond_max_idle(redis_server: RedisServer) -> None:
    cache, name = _cache(redis_server, max_idle_s=0.2)
    invoke = Invoker(lambda event, context: cache().get(name))
    invoke()
    cache().config_resetstat()
    for _ in range(5):
        invoke()
    assert _pings(cache) == 0
    time.sleep(0.3)
    _, record = invoke()
    assert _pings(cache) == 1
    assert record["connections"][name] == {"state": "reused", "checked": True}
    cache.close()
