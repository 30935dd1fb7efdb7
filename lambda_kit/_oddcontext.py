"""A context whose attributes raise when read: what lambda_kit reads from it, guarded.

Loaded only when that happens (``lambda_kit.instrument``'s ``_begin`` catches the
failure): a context built by a test framework or a proxy, not Lambda's.
"""

from __future__ import annotations

from lambda_kit._current import text

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: the context attributes lambda_kit reads (``SafeContext`` copies them)
_ATTRIBUTES = (
    "function_name",
    "function_version",
    "invoked_function_arn",
    "aws_request_id",
    "memory_limit_in_mb",
    "log_group_name",
    "log_stream_name",
)


class SafeContext:
    """What lambda_kit reads from a context whose attributes raise when read: each
    attribute read once, guarded (a failure reads as absent). Only for our own facts;
    the handler still receives its own context."""

    __slots__ = (*_ATTRIBUTES, "_remaining")

    def __init__(self, context: object) -> None:
        for name in _ATTRIBUTES:
            try:
                value = getattr(context, name, None)
            except Exception:
                value = None
            setattr(self, name, value if name == "memory_limit_in_mb" else text(value))
        try:
            self._remaining = getattr(context, "get_remaining_time_in_millis", None)
        except Exception:
            self._remaining = None

    def get_remaining_time_in_millis(self) -> Any:
        """The context's own answer, or None when it has none or it raises."""
        remaining = self._remaining
        if remaining is None:
            return None
        try:
            return remaining()
        except Exception:
            return None
