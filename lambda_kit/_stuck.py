"""Where a timed-out invocation was stuck: its handler's stack, and a WARNING line.

Loaded when the deadline watchdog fires (``instrument._timed_out``), never on the cold
path: a timeout is rare, and this module's code would be paid by every cold start.
"""

from __future__ import annotations

import time

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: frames of the handler's stack kept in a timeout record, and the length of each
STACK_FRAMES = 10
FRAME_CHARS = 160


#: links of an awaiting chain followed at most (a coroutine awaiting itself, deep recursion)
MAX_AWAITS = 1_000


def stack_of(call: Any, wrappers: frozenset[Any]) -> list[str]:
    """Where ``call``'s handler is now: the innermost frames (first) as
    ``file:line in function``, at most ``STACK_FRAMES`` of at most ``FRAME_CHARS`` each.

    A handler running on a thread (a sync one, or an async one blocking its loop) is
    found when the watchdog fires, not noted per invocation: its thread's stack holds a
    wrapper frame (code in ``wrappers``) for this ``call``. An async handler that is
    suspended in an ``await`` is on no thread's stack (its loop's thread shows the
    loop's ``select``): its frames are those of the chain of coroutines it awaits
    (:func:`awaiting_frames`). Empty when neither finds it.
    """
    import sys

    for top in sys._current_frames().values():
        frames: list[Any] = []
        frame: Any = top
        while frame is not None:
            if frame.f_code in wrappers:
                if frame.f_locals.get("call") is call:
                    return [_where(f) for f in frames[:STACK_FRAMES]]
                # a nested instrumented call's wrapper: ours may be further out
            else:
                frames.append(frame)
            frame = frame.f_back
    awaiting = getattr(call, "awaiting", None)  # unset: a sync handler
    if awaiting is None:
        return []
    return [_where(f) for f in awaiting_frames(awaiting)[:STACK_FRAMES]]


def awaiting_frames(awaitable: Any) -> list[Any]:
    """The frames of a suspended coroutine and of what it awaits, innermost first.

    Each coroutine (or generator, or async generator) says what it awaits now
    (``cr_await``, ``gi_yieldfrom``, ``ag_await``) and where it stopped (its frame's
    line). The chain ends at what is not a coroutine: a future (``asyncio.sleep``, a
    socket read, another task: a future's waiters are not reachable from it) or a C
    awaitable. At most ``MAX_AWAITS`` links are followed.
    """
    chain: list[Any] = []
    link = awaitable
    for _ in range(MAX_AWAITS):
        frame = _attr(link, "cr_frame", "gi_frame", "ag_frame")
        if frame is None:
            break  # a finished coroutine, or not one at all
        chain.append(frame)
        link = _attr(link, "cr_await", "gi_yieldfrom", "ag_await")
    chain.reverse()
    return chain


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _where(frame: Any) -> str:
    code = frame.f_code
    where = f"{code.co_filename}:{frame.f_lineno} in {code.co_name}"
    if len(where) > FRAME_CHARS:  # keep the end: the file's name and the function
        where = "..." + where[-(FRAME_CHARS - 3) :]
    return where


def warn(call: Any, stack: list[str]) -> None:
    """A WARNING log line, just before the timeout record and Lambda's kill, with the
    invocation's log keys (written as if from inside it) and where it was stuck."""
    import contextvars

    from lambda_kit._current import current

    left_ms = None if call.deadline_ms is None else round(call.deadline_ms - time.time() * 1000)

    def deadline_watchdog() -> None:  # the log line's location names it
        from lambda_kit.log import logger

        current.set(call)
        logger.warning(
            f"invocation about to time out ({left_ms} ms left)"
            + (f"; stuck at {stack[0]}" if stack else ""),
            remaining_ms=left_ms,
            timeout_stack=stack,
        )

    contextvars.Context().run(deadline_watchdog)
