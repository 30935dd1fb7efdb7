"""Keys for one invocation vanish when it ends; keys for the environment stay;
concurrent tasks and threads never see each other's keys."""

from __future__ import annotations

import asyncio
import threading

from _log_helpers import Context, clean_log_env, lines, memory_logger

from lambda_kit import instrument

__all__ = ["clean_log_env"]


def test_appended_keys_are_on_the_lines_of_their_invocation(capsys):
    log, buf = memory_logger()

    @instrument
    def handler(event, context):
        log.append_keys(customer="c-7")
        log.info("first")
        log.info("second")

    handler({}, Context())
    assert [x["customer"] for x in lines(buf)] == ["c-7", "c-7"]


def test_appended_keys_vanish_when_the_invocation_ends(capsys):
    log, buf = memory_logger()

    @instrument
    def handler(event, context):
        if event.get("append"):
            log.append_keys(customer="c-7")
        log.info("in handler")

    handler({"append": True}, Context("req-1"))
    log.info("between invocations")
    handler({}, Context("req-2"))
    first, between, second = lines(buf)
    assert first["customer"] == "c-7"
    assert "customer" not in between
    assert "customer" not in second


def test_set_keys_stay_across_invocations(capsys):
    log, buf = memory_logger()
    log.set_keys(region="eu-west-1")

    @instrument
    def handler(event, context):
        log.info("in handler")

    handler({}, Context("req-1"))
    handler({}, Context("req-2"))
    assert [x["region"] for x in lines(buf)] == ["eu-west-1", "eu-west-1"]


def test_unset_keys_removes_environment_keys():
    log, buf = memory_logger()
    log.set_keys(region="eu-west-1", stage="prod")
    log.unset_keys("stage")
    log.info("x")
    line = lines(buf)[0]
    assert line["region"] == "eu-west-1" and "stage" not in line


def test_remove_keys_removes_one_appended_key(capsys):
    log, buf = memory_logger()

    @instrument
    def handler(event, context):
        log.append_keys(a=1, b=2)
        log.remove_keys("a")
        log.info("x")

    handler({}, Context())
    line = lines(buf)[0]
    assert "a" not in line and line["b"] == 2


def test_call_keys_override_appended_and_environment_keys():
    log, buf = memory_logger()
    log.set_keys(step="env")
    log.append_keys(step="invocation")
    log.info("x", step="call")
    assert lines(buf)[0]["step"] == "call"


def test_current_keys_shows_environment_then_invocation_keys():
    log, _ = memory_logger()
    log.set_keys(a=1)
    log.append_keys(b=2)
    assert log.current_keys() == {"a": 1, "b": 2}


def test_concurrent_asyncio_tasks_never_see_each_others_keys():
    log, buf = memory_logger()

    async def task(name: str) -> None:
        log.append_keys(task=name)
        await asyncio.sleep(0)  # let the other task run and append its key
        log.info("done", expected=name)

    async def main() -> None:
        await asyncio.gather(*(task(f"t{i}") for i in range(5)))

    asyncio.run(main())
    got = lines(buf)
    assert len(got) == 5
    assert all(x["task"] == x["expected"] for x in got)


def test_concurrent_async_invocations_keep_their_own_keys_and_request_ids(capsys):
    log, buf = memory_logger()

    @instrument
    async def handler(event, context):
        log.append_keys(order=event["order"])
        await asyncio.sleep(0)
        log.info("paid")

    async def main() -> None:
        await asyncio.gather(*(handler({"order": i}, Context(f"req-{i}")) for i in range(4)))

    asyncio.run(main())
    got = lines(buf)
    assert sorted(x["order"] for x in got) == [0, 1, 2, 3]
    assert all(x["function_request_id"] == f"req-{x['order']}" for x in got)


def test_threads_never_see_each_others_keys():
    log, buf = memory_logger()
    barrier = threading.Barrier(4)

    def work(name: str) -> None:
        log.append_keys(thread=name)
        barrier.wait()  # every thread has appended before any logs
        log.info("done", expected=name)

    threads = [threading.Thread(target=work, args=(f"th{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = lines(buf)
    assert len(got) == 4
    assert all(x["thread"] == x["expected"] for x in got)
