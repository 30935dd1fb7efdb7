"""A record for invocations that time out.

Lambda kills a runtime at its deadline, so the wrapper's own end never comes
and, without help, a timed-out invocation leaves no record at all. One daemon
thread watches the running invocations' deadlines and, ``margin`` ms before
one passes, writes that invocation's record with ``status: "timeout"``.
Whoever gets there first (the handler's end or the watchdog) takes the
invocation's one-item ``claim`` list, so an invocation never has two records.

The thread starts with the first invocation that has a deadline, wakes at
least every ``POLL_S`` while running (a frozen environment uses no CPU) and
dies with the process. Arming costs a dict insert per invocation.
"""

from __future__ import annotations

import os
import time

from lambda_kit._report import problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: how often the watchdog looks for new invocations; below Lambda's 1 s minimum timeout
POLL_S = 0.2

# id(claim) -> (fire at, epoch ms; claim; the _Instrumented; its state)
_active: dict[int, tuple[float, list[bool], Any, Any]] = {}
_thread: Any = None


def deadline_ms(context: Any) -> float | None:
    """The invocation's deadline in epoch milliseconds, from the Lambda context."""
    deadline = getattr(context, "_epoch_deadline_time_in_ms", None)  # awslambdaric's own
    if type(deadline) is int:
        return float(deadline)
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    try:
        return time.time() * 1000.0 + float(remaining())
    except Exception:
        return None


def arm(claim: list[bool], fire_at_ms: float, instrumented: Any, state: Any) -> None:
    """Watch an invocation: at ``fire_at_ms`` call ``instrumented._timed_out(state)``."""
    _active[id(claim)] = (fire_at_ms, claim, instrumented, state)
    if _thread is None:
        _start()


def disarm(claim: list[bool]) -> None:
    """Stop watching an invocation (it ended)."""
    _active.pop(id(claim), None)


def _start() -> None:
    global _thread
    import threading  # already loaded under the Lambda runtime client

    _thread = threading.Thread(target=_watch, name="lambda_kit-deadline", daemon=True)
    _thread.start()


def _watch() -> None:
    while True:
        now = time.time() * 1000.0
        wake = now + POLL_S * 1000.0
        for key, (fire_at, claim, instrumented, state) in list(_active.items()):
            if now < fire_at:
                wake = min(wake, fire_at)
                continue
            _active.pop(key, None)
            try:
                claim.pop()  # atomic: the handler's end did not get here first
            except IndexError:
                continue
            try:
                instrumented._timed_out(state)
            except Exception as err:  # never let the watchdog die
                problem(f"could not write the timeout record: {err!r}", key="timeout")
        time.sleep(max(0.001, (wake - time.time() * 1000.0) / 1000.0))


def _after_fork() -> None:
    # threads do not survive fork: the child starts its own watchdog when it needs one
    global _thread
    _thread = None
    _active.clear()


os.register_at_fork(after_in_child=_after_fork)
