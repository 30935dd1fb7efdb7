"""reuse() itself: the record it writes, its arguments, shutdown, and the cold path."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any

import pytest
from _reuse_helpers import Invoker, unique

import lambda_kit
from lambda_kit import reuse


class Resource:
    def __init__(self) -> None:
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_importing_lambda_kit_and_reuse_imports_no_client_library() -> None:
    done = _python(
        """
        import sys
        import lambda_kit
        from lambda_kit import reuse, boto3_client, http_session
        reuse("x", object)()
        heavy = ("boto3", "botocore", "requests", "urllib3", "psycopg", "redis")
        print(sorted(m for m in sys.modules if m.partition(".")[0] in heavy))
        """
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_the_resource_is_made_on_first_use_not_at_definition() -> None:
    made: list[Resource] = []
    handle = reuse(unique("r"), lambda: made.append(Resource()) or made[-1])
    assert made == []
    assert handle() is made[0]
    assert handle() is made[0]


def test_records_say_created_then_reused() -> None:
    name = unique("r")
    handle = reuse(name, Resource)
    invoke = Invoker(lambda event, context: handle())
    first = invoke()[1]["connections"][name]
    second = invoke()[1]["connections"][name]
    assert first["state"] == "created"
    assert first["connect_ms"] >= 0
    assert second == {"state": "reused"}


def test_a_record_lists_only_the_connections_its_invocation_used() -> None:
    used, unused = reuse(unique("used"), Resource), reuse(unique("unused"), Resource)
    unused()
    _, record = Invoker(lambda event, context: used())()
    assert list(record["connections"]) == [used.name]


def test_a_record_without_connections_has_no_connections_key() -> None:
    _, record = Invoker(lambda event, context: 1)()
    assert "connections" not in record


def test_eager_connects_at_init_and_the_first_record_says_created() -> None:
    made: list[Resource] = []
    name = unique("eager")
    handle = reuse(name, lambda: made.append(Resource()) or made[-1], eager=True)
    assert len(made) == 1
    _, record = Invoker(lambda event, context: handle())()
    assert record["connections"][name]["state"] == "created"
    assert len(made) == 1


def test_eager_connect_failure_is_reported_and_init_goes_on(capsys: Any) -> None:
    def factory() -> Resource:
        raise ConnectionRefusedError("no database yet")

    handle = reuse(unique("eager-fail"), factory, eager=True)
    assert "could not connect at init" in capsys.readouterr().err
    with pytest.raises(ConnectionRefusedError):
        handle()


def test_without_a_check_an_unknown_resource_is_trusted_after_idle() -> None:
    name = unique("r")
    handle = reuse(name, Resource, max_idle_s=0)
    invoke = Invoker(lambda event, context: handle())
    first, _ = invoke()
    time.sleep(0.01)
    second, record = invoke()
    assert second is first
    assert record["connections"][name] == {"state": "reused"}


def test_a_check_that_raises_counts_as_dead() -> None:
    def check(r: Resource) -> bool:
        raise RuntimeError("ping failed")

    name = unique("r")
    handle = reuse(name, Resource, check=check, max_idle_s=0)
    invoke = Invoker(lambda event, context: handle())
    first, _ = invoke()
    second, record = invoke()
    assert second is not first
    assert first.closed == 1
    assert record["connections"][name]["reason"] == "check raised RuntimeError"


def test_run_does_not_retry_errors_that_are_not_connection_errors() -> None:
    handle = reuse(unique("r"), Resource, retry=True)
    calls: list[Resource] = []

    def operation(r: Resource) -> None:
        calls.append(r)
        raise KeyError("not a connection problem")

    with pytest.raises(KeyError):
        handle.run(operation)
    assert len(calls) == 1
    assert handle() is calls[0]


def test_run_retries_once_after_a_connection_error_on_a_reused_resource() -> None:
    handle = reuse(unique("r"), Resource, retry=True)
    stale = handle()
    seen: list[Resource] = []

    def operation(r: Resource, n: int) -> int:
        seen.append(r)
        if r is stale:
            raise ConnectionResetError("reset by peer")
        return n * 2

    assert handle.run(operation, 21) == 42
    assert seen[0] is stale and seen[1] is not stale
    assert stale.closed == 1


def test_close_closes_and_the_next_call_makes_a_new_one() -> None:
    handle = reuse(unique("r"), Resource)
    first = handle()
    handle.close()
    assert first.closed == 1
    assert handle() is not first


def test_the_user_close_function_is_used() -> None:
    closed: list[object] = []
    handle = reuse(unique("r"), object, close=closed.append)
    r = handle()
    handle.close()
    assert closed == [r]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": ""}, ValueError, "non-empty name"),
        ({"factory": 3}, TypeError, "factory must be callable"),
        ({"check": "yes"}, TypeError, "check must be callable"),
        ({"close": 1}, TypeError, "close must be callable"),
        ({"max_idle_s": -1}, ValueError, "max_idle_s must be >= 0"),
        ({"max_idle_s": math.nan}, ValueError, "max_idle_s must be >= 0"),
        ({"max_idle_s": "soon"}, TypeError, "max_idle_s must be a number"),
    ],
)
def test_bad_arguments_get_a_precise_error(kwargs: Any, error: type, message: str) -> None:
    args: dict[str, Any] = {"name": "db", "factory": Resource, **kwargs}
    with pytest.raises(error, match=message):
        reuse(args.pop("name"), args.pop("factory"), **args)


def test_the_module_name_is_callable_like_the_function() -> None:
    import lambda_kit.reuse as module

    handle = module(unique("r"), Resource)  # type: ignore[operator]
    assert isinstance(handle(), Resource)
    assert callable(lambda_kit.reuse)


_SHUTDOWN = """
    import os, signal, sys, time
    from lambda_kit import reuse

    class Resource:
        def close(self):
            print("closed", flush=True)

    {before}
    handle = reuse("r", Resource)
    handle()
    {after}
"""


def _shutdown(before: str, after: str) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(_SHUTDOWN).format(before=before, after=after)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_sigterm_closes_then_calls_the_handler_that_was_there() -> None:
    done = _shutdown(
        "signal.signal(signal.SIGTERM, lambda s, f: (print('previous', flush=True), sys.exit(3)))",
        "os.kill(os.getpid(), signal.SIGTERM); time.sleep(10)",
    )
    assert done.stdout.split() == ["closed", "previous"]
    assert done.returncode == 3


def test_sigterm_with_the_default_handler_closes_then_dies_of_the_signal() -> None:
    done = _shutdown("", "os.kill(os.getpid(), signal.SIGTERM); time.sleep(10)")
    assert done.stdout.split() == ["closed"]
    assert done.returncode == -signal.SIGTERM


def test_sigterm_ignored_before_stays_ignored_after_closing() -> None:
    done = _shutdown(
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
        "os.kill(os.getpid(), signal.SIGTERM); print('alive', flush=True)",
    )
    assert done.stdout.split() == ["closed", "alive"]
    assert done.returncode == 0


def test_a_normal_exit_closes_the_connections() -> None:
    done = _shutdown("", "print('done', flush=True)")
    assert done.stdout.split() == ["done", "closed"]


def test_builtin_checks_are_chosen_by_the_clients_kind() -> None:
    import boto3
    import redis
    import redis.asyncio
    import requests

    from lambda_kit.reuse._checks import driver_for

    s3 = boto3.session.Session().client("s3", region_name="eu-west-1")
    assert driver_for(redis.Redis()).name == "redis"
    assert driver_for(redis.asyncio.Redis()).name == "generic"  # its ping must be awaited
    assert driver_for(s3).name == "urllib3"
    assert driver_for(requests.Session()).name == "urllib3"
    assert driver_for(object()).name == "generic"


def test_under_snapstart_a_connection_made_at_init_is_pinged_before_first_use(
    monkeypatch: Any,
) -> None:
    from lambda_kit.reuse import _handle

    monkeypatch.setattr(_handle, "_SNAPSTART", True)
    pings: list[Resource] = []
    name = unique("snap")
    handle = reuse(name, Resource, check=lambda r: not pings.append(r), eager=True)
    invoke = Invoker(lambda event, context: handle())
    first, record = invoke()
    invoke()
    assert pings == [first]  # once, at the first invocation after the snapshot
    assert record["connections"][name]["state"] == "created"


def test_under_snapstart_a_dead_connection_from_the_snapshot_is_replaced(
    monkeypatch: Any,
) -> None:
    from lambda_kit.reuse import _handle

    monkeypatch.setattr(_handle, "_SNAPSTART", True)
    name = unique("snap")
    handle = reuse(name, Resource, check=lambda r: False, eager=True)
    snapshotted = handle()
    fresh, record = Invoker(lambda event, context: handle())()
    assert fresh is not snapshotted
    assert record["connections"][name]["reason"] == "check failed after restore from a snapshot"
