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


def stack_of(call: Any, wrappers: frozenset[Any]) -> list[str]:
    """Where ``call``'s handler is now: the innermost frames (first) of the thread
    running it, as ``file:line in function``, at most ``STACK_FRAMES`` of at most
    ``FRAME_CHARS`` each; empty when no thread is running it (an async handler that
    is awaiting).

    The thread is found when the watchdog fires, not noted per invocation: it is the
    one whose stack holds a wrapper frame (code in ``wrappers``) for this ``call``.
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
    return []


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
