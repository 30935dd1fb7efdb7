"""The registries: what runs as an invocation starts, on each record, and at a reset.

**Contributors to the invocation record.**
Optional parts of lambda_kit (connection reuse, the import profiler, user metrics,
the logger) take part in an invocation without the wrapper importing them: each
registers its callables here when it is imported, and ``@instrument`` calls what
is registered. With nothing registered the cost is one empty-tuple check.

- ``on_start``: called with no arguments as an invocation starts, once
  ``lambda_kit._current.current`` is that invocation (reset per-invocation state).
- ``on_record``: called with the record dict (already holding every core key)
  and ``first`` (True on the environment's first invocation); it may add keys,
  never remove or change the core keys (DESIGN.md: sinks never change the record;
  contributors only add to it).

The registries are tuples, replaced (never changed in place) by ``add`` and
``remove``: a contributor that removes itself while an invocation runs its hooks
(the import profiler, after the first invocation) cannot make the wrapper skip
another one.

**Per-process state.** Every module that holds state for the life of a process
(the environment's facts, the deadline watchdog, reported problems, the record's
caches, metrics waiting for an invocation, reused connections, logger settings)
registers a function with ``register_reset`` that returns it to how a new process
starts. ``reset()`` calls them all in registration order; it runs in a forked child
(``os.register_at_fork``: a new process, with its own start time and first
invocation) and in tests. The places are listed in docs/architecture.md.

**Problems, lazily.** ``problem`` here reports through ``lambda_kit._problems``
and imports it only when there is a problem to report, so that a healthy cold start
does not load it: the cold-path modules call this one.

One module for both registries: each module is ~0.05 ms of every cold start.
"""

from __future__ import annotations

import os
import sys

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

on_start: tuple[Callable[[], None], ...] = ()
on_record: tuple[Callable[[dict[str, Any], bool], None], ...] = ()


def add_start(hook: Callable[[], None]) -> None:
    """Call ``hook()`` as each invocation starts (once, however often it is added)."""
    global on_start
    if hook not in on_start:
        on_start = (*on_start, hook)


def add_record(hook: Callable[[dict[str, Any], bool], None]) -> None:
    """Call ``hook(record, first)`` on each record (once, however often it is added)."""
    global on_record
    if hook not in on_record:
        on_record = (*on_record, hook)


def remove_start(hook: Callable[[], None]) -> None:
    """Stop calling ``hook`` as invocations start."""
    global on_start
    on_start = tuple(h for h in on_start if h != hook)


def remove_record(hook: Callable[[dict[str, Any], bool], None]) -> None:
    """Stop calling ``hook`` on records."""
    global on_record
    on_record = tuple(h for h in on_record if h != hook)


#: (owner module, reset function), in registration order
_resets: list[tuple[str, Callable[[], None]]] = []


def register_reset(owner: str, reset_fn: Callable[[], None]) -> None:
    """Have ``reset()`` call ``reset_fn`` (``owner`` names the module, for ``places()``)."""
    _resets.append((owner, reset_fn))


_PROBLEMS = "lambda_kit._problems"  # loaded lazily (``problem``): reset here once loaded


def places() -> list[str]:
    """The modules that hold per-process state and have registered a reset."""
    return [owner for owner, _ in _resets] + ([_PROBLEMS] if _PROBLEMS in sys.modules else [])


def reset() -> None:
    """Return every registered piece of per-process state to a new process's.

    >>> from lambda_kit import _hooks
    >>> _hooks.reset()            # as if this process had just started
    """
    for _, reset_fn in list(_resets):
        reset_fn()
    problems = sys.modules.get(_PROBLEMS)
    if problems is not None:
        problems.reset()


os.register_at_fork(after_in_child=reset)


def problem(message: str, *, key: str | None = None) -> None:
    """``lambda_kit._problems.problem``, loaded on the first problem (see above)."""
    from lambda_kit._problems import problem as report

    report(message, key=key)
