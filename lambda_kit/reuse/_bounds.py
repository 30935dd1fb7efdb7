"""How long a reconnect or a ping may wait: bounded by the running invocation's time.

A server that accepts a TCP connection and never answers (a stopped PostgreSQL, a
black-holed route) would hold a connect for as long as the driver's own default
(psycopg's is 130 s), well past any Lambda timeout. Each wait of ours is the smaller
of its own bound and what the running invocation has left, less a small margin for
the handler to fail cleanly (DESIGN.md, rule 7).
"""

from __future__ import annotations

import time

from lambda_kit._current import current

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: a connect's bound when no invocation deadline is known
DEFAULT_CONNECT_TIMEOUT_S = 10.0
#: left to the handler after a wait that used its whole bound
MARGIN_S = 0.2
#: no wait is cut below this: a bound of 0 would fail connects that had time enough
FLOOR_S = 0.05


def remaining_s() -> float | None:
    """Seconds the running invocation has left (None outside one, or without a deadline)."""
    call = current.get()
    deadline_ms = None if call is None else call.deadline_ms
    if deadline_ms is None:
        return None
    return deadline_ms / 1000 - time.time()


def bound_s(limit_s: float) -> float:
    """``limit_s``, cut to the running invocation's remaining time less ``MARGIN_S``.

    >>> bound_s(2.0)        # outside an invocation
    2.0
    """
    left = remaining_s()
    if left is None:
        return limit_s
    return max(FLOOR_S, min(limit_s, left - MARGIN_S))


def ceiling_s(value: Any, default: float, what: str) -> float:
    """The ceiling of a built-in client's wait: the caller's own timeout, else ``default``
    (what ``bound_s`` then cuts to the invocation's time).

    >>> ceiling_s(None, 10.0, "socket_timeout"), ceiling_s(2, 10.0, "socket_timeout")
    (10.0, 2.0)
    """
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1e9:
        raise ValueError(f"{what} must be a positive number of seconds, got {value!r}")
    return float(value)


def connecting(state: str, lost: str | None) -> dict[str, Any]:
    """The ``connections`` entry of a (re)connect under way: what a timeout record says
    when the factory hangs (a server that accepts and never answers), and why."""
    entry: dict[str, Any] = {"state": state, "connecting": True}
    if state == "reconnected" and lost is not None:
        entry["reason"] = lost
    return entry
