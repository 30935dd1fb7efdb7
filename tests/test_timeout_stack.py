"""A timeout record says where the handler was stuck, and a WARNING line comes first."""

from __future__ import annotations

import asyncio
import json
import sys
import threading
import time
from typing import Any

import pytest
from _lk_helpers import Capture, FakeContext

from lambda_kit import _deadline, _problems, _stuck, environment, instrument


class Remaining(FakeContext):
    def __init__(self, remaining_ms: float) -> None:
        super().__init__(request_id="req-stuck")
        self._deadline = time.time() * 1000 + remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return int(self._deadline - time.time() * 1000)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raising=False)
    environment.reset()
    _problems.reset()
    yield
    _deadline.active.clear()
    environment.reset()


def wait_for_the_lock(lock: threading.Lock) -> None:
    lock.acquire(timeout=5)  # the line the record must point at


def stuck_in_a_helper(event: Any, context: Any) -> str:
    wait_for_the_lock(event["lock"])
    return "late"


def test_the_timeout_record_has_the_handlers_innermost_frames() -> None:
    out = Capture()
    lock = threading.Lock()
    lock.acquire()
    release = threading.Timer(0.6, lock.release)
    release.start()
    handler = instrument(output=out, timeout_margin_ms=100)(stuck_in_a_helper)
    assert handler({"lock": lock}, Remaining(300)) == "late"
    [record] = out.records
    assert record["status"] == "timeout"
    stack = record["timeout_stack"]
    assert stack[0].startswith(f"{__file__}:") and stack[0].endswith(" in wait_for_the_lock")
    assert stack[1].endswith(" in stuck_in_a_helper")
    # the wrapper's frames and what called it are not the handler's
    assert len(stack) == 2
    assert list(record).index("timeout_stack") > list(record).index("error_type")


def recurse(n: int, lock: threading.Lock) -> None:
    if n:
        recurse(n - 1, lock)
    else:
        lock.acquire(timeout=5)


def test_the_stack_is_bounded_in_frames_and_characters() -> None:
    out = Capture()
    lock = threading.Lock()
    lock.acquire()
    threading.Timer(0.5, lock.release).start()
    handler = instrument(output=out, timeout_margin_ms=100)(lambda e, c: recurse(500, lock))
    handler({}, Remaining(250))
    stack = out.records[0]["timeout_stack"]
    assert len(stack) == _stuck.STACK_FRAMES
    assert all(len(frame) <= _stuck.FRAME_CHARS for frame in stack)
    assert all(frame.endswith(" in recurse") for frame in stack)


def test_a_warning_line_with_the_invocations_keys_comes_before_the_record(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = Capture()
    lock = threading.Lock()
    lock.acquire()
    threading.Timer(0.6, lock.release).start()
    handler = instrument(output=out, service="orders", timeout_margin_ms=100)(stuck_in_a_helper)
    handler({"lock": lock}, Remaining(300))
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    [warning] = [x for x in lines if x.get("level") == "WARNING"]
    assert warning["message"].startswith("invocation about to time out (")
    assert "stuck at " in warning["message"] and "wait_for_the_lock" in warning["message"]
    assert warning["function_request_id"] == "req-stuck"
    assert warning["service"] == "orders"
    assert 0 <= warning["remaining_ms"] <= 150
    assert warning["timeout_stack"] == out.records[0]["timeout_stack"]


def test_an_async_handler_blocked_in_a_call_has_its_stack() -> None:
    out = Capture()

    @instrument(output=out, timeout_margin_ms=100)
    async def handler(event: Any, context: Any) -> None:
        time.sleep(0.5)  # blocks the loop: the stack shows where

    asyncio.run(handler({}, Remaining(250)))
    stack = out.records[0]["timeout_stack"]
    assert stack[0].endswith(" in handler")


def test_a_record_that_did_not_time_out_has_no_stack() -> None:
    out = Capture()
    instrument(output=out)(lambda e, c: "ok")({}, Remaining(3000))
    assert "timeout_stack" not in out.records[0]


def test_an_outer_invocation_that_times_out_inside_an_inner_one_has_the_inner_frames() -> None:
    out, inner_out = Capture(), Capture()
    lock = threading.Lock()
    lock.acquire()
    threading.Timer(0.6, lock.release).start()
    inner = instrument(output=inner_out, timeout_margin_ms=0)(stuck_in_a_helper)
    outer = instrument(output=out, timeout_margin_ms=100)(lambda e, c: inner(e, c))
    outer({"lock": lock}, Remaining(300))
    stack = out.records[0]["timeout_stack"]
    assert stack[0].endswith(" in wait_for_the_lock") and stack[1].endswith(" in stuck_in_a_helper")
    assert stack[-1].endswith(" in <lambda>")  # the outer handler, past the inner wrapper


# -- async handlers suspended in an await: the chain of coroutines they await ------------


async def fetch_order(seconds: float) -> None:
    await asyncio.sleep(seconds)  # the line the record must point at


def test_an_async_handler_stuck_awaiting_has_the_frames_of_its_awaits() -> None:
    out = Capture()

    @instrument(output=out, timeout_margin_ms=100)
    async def handler(event: Any, context: Any) -> None:
        await fetch_order(0.6)

    asyncio.run(handler({}, Remaining(300)))
    [record] = out.records
    assert record["status"] == "timeout"
    stack = record["timeout_stack"]
    # innermost first: asyncio's sleep (awaiting its future), then the user's coroutines
    assert stack[0].endswith(" in sleep") and "asyncio" in stack[0]
    assert stack[1].startswith(f"{__file__}:") and stack[1].endswith(" in fetch_order")
    assert stack[2].endswith(" in handler") and len(stack) == 3


def test_an_async_handler_awaiting_a_hung_socket_names_the_read() -> None:
    import socket

    out = Capture()
    ours, theirs = socket.socketpair()  # the peer never writes: a hung dependency
    ours.setblocking(False)

    async def read_reply(sock: socket.socket) -> bytes:
        loop = asyncio.get_running_loop()
        return await asyncio.wait_for(loop.sock_recv(sock, 1), 0.6)

    @instrument(output=out, timeout_margin_ms=100)
    async def handler(event: Any, context: Any) -> Any:
        try:
            return await read_reply(ours)
        except TimeoutError:
            return "gave up"

    try:
        assert asyncio.run(handler({}, Remaining(300))) == "gave up"
    finally:
        ours.close()
        theirs.close()
    stack = out.records[0]["timeout_stack"]
    assert [f.rsplit(" in ", 1)[1] for f in stack][-2:] == ["read_reply", "handler"]
    if sys.version_info < (3, 12):  # wait_for runs the read in a task of its own
        assert stack[0].endswith(" in wait_for")
    else:  # 3.12's wait_for awaits it in the same task: the chain reaches the read
        assert stack[0].endswith(" in sock_recv") and any(" in wait_for" in f for f in stack)


async def descend(n: int) -> None:
    if n:
        await descend(n - 1)
    else:
        await asyncio.sleep(0.5)


def test_an_await_chain_is_bounded_in_frames_and_characters() -> None:
    out = Capture()

    @instrument(output=out, timeout_margin_ms=100)
    async def handler(event: Any, context: Any) -> None:
        await descend(500)

    asyncio.run(handler({}, Remaining(250)))
    stack = out.records[0]["timeout_stack"]
    assert len(stack) == _stuck.STACK_FRAMES
    assert all(len(frame) <= _stuck.FRAME_CHARS for frame in stack)
    assert stack[0].endswith(" in sleep") and all(f.endswith(" in descend") for f in stack[1:])


def test_concurrent_async_invocations_each_get_their_own_stack() -> None:
    out_blocking, out_waiting = Capture(), Capture()

    @instrument(output=out_blocking, timeout_margin_ms=100)
    async def blocking(event: Any, context: Any) -> None:
        await asyncio.sleep(0)
        time.sleep(0.6)  # holds the loop: the other handler stays suspended meanwhile

    @instrument(output=out_waiting, timeout_margin_ms=100)
    async def waiting(event: Any, context: Any) -> None:
        await fetch_order(0.7)

    async def both() -> None:
        await asyncio.gather(blocking({}, Remaining(300)), waiting({}, Remaining(300)))

    asyncio.run(both())
    assert out_blocking.records[0]["timeout_stack"][0].endswith(" in blocking")
    waiting_stack = out_waiting.records[0]["timeout_stack"]
    assert [f.rsplit(" in ", 1)[1] for f in waiting_stack] == ["sleep", "fetch_order", "waiting"]


def test_the_chain_walk_stops_at_a_coroutine_that_awaits_itself_through_a_cycle() -> None:
    class Loop:
        """An awaitable whose ``cr_await`` is itself: a walk must end."""

        def __init__(self) -> None:
            self.cr_frame = sys._getframe()
            self.cr_await = self

    assert len(_stuck.awaiting_frames(Loop())) == _stuck.MAX_AWAITS
