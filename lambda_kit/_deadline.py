"""A record for invocations that time out.

Lambda kills a runtime at its deadline, so the wrapper's own end never comes
and, without help, a timed-out invocation leaves no record at all. One daemon
thread watches the running invocations' deadlines and, ``margin`` ms before
one passes, writes that invocation's record with ``status: "timeout"``.
Whoever gets there first (the handler's end or the watchdog) takes the
invocation out of ``active`` (``dict.pop`` is atomic), so an invocation never has
two records.

The thread starts with the first invocation that has a deadline, wakes at
least every ``POLL_S`` while running (a frozen environment uses no CPU) and
dies with the process. Watching costs a dict store and a dict pop per invocation.
"""

from __future__ import annotations

import time
from _thread import start_new_thread as _start_thread

from lambda_kit import _hooks
from lambda_kit._hooks import problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: how often the watchdog looks for new invocations; below Lambda's 1 s minimum timeout
POLL_S = 0.2

#: the invocations being watched, by id: each has ``fire_at_ms`` (epoch ms) and
#: ``expire`` (called with the entry when it fires, once the watchdog popped it: the
#: pop is the claim). ``@instrument`` adds and removes entries itself: a dict store
#: costs less than a function call here.
active: dict[int, Any] = {}
_thread: Any = None
#: no watchdog runs in this process yet (read on each watched invocation)
idle = True


def deadline_ms(context: Any) -> float | None:
    """The invocation's deadline in epoch milliseconds, from the Lambda context."""
    deadline = getattr(context, "_epoch_deadline_time_in_ms", None)  # awslambdaric's own
    if type(deadline) is int:
        return float(deadline)
    return deadline_from_remaining(context)


def deadline_from_remaining(context: Any) -> float | None:
    """The deadline from ``get_remaining_time_in_millis``, for contexts that are not
    awslambdaric's (tests, other runtimes); None when the context has none."""
    try:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        if remaining is None:
            return None
        value = remaining()
    except Exception as exc:
        _not_a_deadline(f"raised {exc!r}")
        return None
    # a number of milliseconds ahead; not a bool, a string or a mock (a MagicMock's
    # answer converts to 1.0 and would time every invocation out after 1 ms)
    kind = type(value)
    if (kind is int or kind is float) and 0 < value <= MAX_REMAINING_MS:
        return time.time() * 1000.0 + float(value)
    _not_a_deadline(f"returned {value!r:.80}")
    return None


#: Lambda's longest timeout is 900 s; more than a day ahead is no deadline
MAX_REMAINING_MS = 86_400_000


def _not_a_deadline(what: str) -> None:
    problem(
        f"context.get_remaining_time_in_millis() {what}, not a number of milliseconds "
        f"(0 < ms <= {MAX_REMAINING_MS}); this context's invocations get no timeout record",
        key="deadline-not-a-number",
    )


def ensure_started() -> None:
    """Start the watchdog thread, once per process.

    A bare ``_thread`` thread: ``threading.Thread.start`` waits for the new thread
    to report that it runs (an Event handshake, a few hundred microseconds of the
    first invocation); this one needs no handshake, and like a daemon thread it
    never holds up the interpreter's exit.
    """
    global _thread, idle
    if _thread is not None:
        return
    _thread = _start_thread(_watch, ())
    idle = False


def _watch() -> None:
    while True:
        now = time.time() * 1000.0
        wake = now + POLL_S * 1000.0
        for key, call in list(active.items()):
            fire_at = call.fire_at_ms
            if now < fire_at:
                wake = min(wake, fire_at)
                continue
            if active.pop(key, None) is None:  # the handler's end took it first
                continue
            try:
                call.expire(call)
            except Exception as err:  # never let the watchdog die
                problem(f"could not write the timeout record: {err!r}", key="timeout")
        time.sleep(max(0.001, (wake - time.time() * 1000.0) / 1000.0))


def _reset() -> None:
    # threads do not survive fork: the child starts its own watchdog when it needs one
    global _thread, idle
    _thread = None
    idle = True
    active.clear()


_hooks.register_reset(__name__, _reset)
