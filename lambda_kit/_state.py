"""Where lambda_kit keeps per-process state, and the one way to forget it.

Every module that holds state for the life of a process (the environment's facts,
the deadline watchdog, reported problems, the record's caches, user metrics waiting
for an invocation, reused connections, logger settings) registers a function here
that returns it to how a new process starts. ``reset()`` calls them all, in the
order they registered; it runs in a forked child (``os.register_at_fork``: the
child is a new process, with its own start time and first invocation) and in tests.

    from lambda_kit import _state
    _state.reset()            # as if this process had just started

The places are listed in ``docs/architecture.md`` ("Where state lives").
"""

from __future__ import annotations

import os

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

#: (owner module, reset function), in registration order
_resets: list[tuple[str, Callable[[], None]]] = []


def register(owner: str, reset_fn: Callable[[], None]) -> None:
    """Have ``reset()`` call ``reset_fn`` (``owner`` names the module, for ``places()``)."""
    _resets.append((owner, reset_fn))


def places() -> list[str]:
    """The modules that hold per-process state and have registered a reset."""
    return [owner for owner, _ in _resets]


def reset() -> None:
    """Return every registered piece of per-process state to a new process's."""
    for _, reset_fn in list(_resets):
        reset_fn()


os.register_at_fork(after_in_child=reset)
