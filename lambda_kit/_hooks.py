"""Extension points of the invocation record.

Optional parts of lambda_kit (connection reuse, the import profiler, user
metrics) add to the record without the wrapper importing them: each registers
its callables here when it is imported, and ``@instrument`` calls whatever is
registered. With nothing registered the cost is one empty-list check.

- ``on_start``: called with no arguments as an invocation starts (reset
  per-invocation state).
- ``on_record``: called with the record dict (already holding every core key)
  and ``first`` (True on the environment's first invocation); it may add keys.
  It must not remove or change the core keys (DESIGN.md: sinks never change the
  record; contributors only add to it).
"""

from __future__ import annotations

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


on_start: list[Callable[[], None]] = []
on_record: list[Callable[[dict[str, Any], bool], None]] = []
