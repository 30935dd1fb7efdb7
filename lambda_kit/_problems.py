"""Reporting lambda_kit's own failures: one line on stderr, never an exception.

Rule 2 of DESIGN.md: a failure inside instrumentation must never reach the
handler. It is reported on stderr, once per distinct problem, so that a broken
sink does not flood the logs of every invocation.
"""

from __future__ import annotations

import sys

_seen: set[str] = set()


def problem(message: str, *, key: str | None = None) -> None:
    """Write ``lambda_kit: <message>`` to stderr once per ``key`` (default: the message).

    >>> problem("could not write the invocation record: [Errno 32] Broken pipe")
    """
    k = message if key is None else key
    if k in _seen:
        return
    _seen.add(k)
    try:
        err = sys.stderr
        if err is not None:
            err.write(f"lambda_kit: {message}\n")
            err.flush()
    except Exception:  # stderr closed too: nothing left to tell
        pass


def reset() -> None:
    """Forget what was reported (tests; a forked child reports its own problems).

    ``lambda_kit._hooks.reset`` calls it once this module is loaded: this module
    imports nothing of lambda_kit, so that ``_hooks`` can load it lazily."""
    _seen.clear()
