"""Contributors to the invocation record: optional parts that add to it.

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
"""

from __future__ import annotations

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
