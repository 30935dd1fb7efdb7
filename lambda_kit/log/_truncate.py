"""Cutting a log line that is over the limit (CloudWatch Logs' event size) to fit.

A line over the limit keeps, in this order of priority:

1. the logger's own keys and the invocation's context: ``timestamp``, ``level``,
   ``service``, ``location``, ``logger``, ``sampling_rate``, ``cold_start``,
   ``function_*``, ``xray_trace_id``, ``correlation_id``, ``exception_name``
   (a value of these over ``_CAP`` bytes, less under a small limit, is cut);
2. ``message``, cut when it does not fit whole (to leave room for the other keys:
   all of them when they are small, else half the line);
3. the other keys, in the line's order, each whole while it fits;
4. the first key that did not fit, cut into the room left (when there is some).

The rest are dropped, and the line says so: ``"truncated": {"dropped_keys": 2,
"cut_keys": ["payload"], "bytes": 401234}`` (``bytes``: the line's size before).
Each value is encoded once to learn its size, so the time is linear in the
line's size (a line of 20,000 keys is cut in milliseconds).

Source: CloudWatch Logs quotas, a log event is at most 256 KB including the 26
bytes it adds per event (PutLogEvents API reference); ``_fields.MAX_LINE_BYTES``.
"""

from __future__ import annotations

from lambda_kit.log._fields import MAX_LINE_BYTES, to_line

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MARK = "...[truncated]"
_REQUIRED = frozenset(
    (
        "timestamp",
        "level",
        "message",
        "service",
        "location",
        "logger",
        "sampling_rate",
        "cold_start",
        "xray_trace_id",
        "correlation_id",
        "exception_name",
    )
)
_CAP = 1024  # a required value (other than the message) longer than this is cut
_CUT_ROOM = 256  # below this much room, the first key that did not fit is dropped, not cut
# '"truncated":{"dropped_keys":N,"bytes":N,"cut_keys":[...]}' without the names
_MARK_ROOM = 80


def _required(key: Any) -> bool:
    return key in _REQUIRED or (type(key) is str and key.startswith("function_"))


def _size(key: Any, value: Any) -> int:
    """Bytes of ``"key":value,`` in the line (the comma counted for every item)."""
    return len(to_line({key: value})) - 2  # minus the braces and the newline, plus a comma


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    return to_line(value).decode("utf-8", "replace")[:-1]  # a structure: its JSON text


def cut(key: Any, value: Any, room: int) -> tuple[Any, int]:
    """``value`` as text cut so that its item takes at most ``room`` bytes; and that size.

    The cut text ends with ``...[truncated]``; a room too small for anything gives
    the mark alone (its size may then exceed ``room``, which callers allow for).
    """
    text = _text(value)
    empty = _size(key, "")
    allowed = room - empty - len(MARK)
    n = max(0, min(len(text), allowed))
    for _ in range(32):  # proportional steps: escapes and multibyte text take more bytes
        if n <= 0:
            n = 0
            break
        used = len(to_line(text[:n])) - 3  # minus the quotes and the newline
        if used <= allowed:
            break
        n = min(n - 1, n * allowed // used)
    else:
        n = 0
    cut_value = text[:n] + MARK
    return cut_value, _size(key, cut_value)


def _plan(
    fields: dict[Any, Any], sizes: list[int], budget: int
) -> tuple[dict[Any, Any], int, list[Any]]:
    """Which keys stay (value, possibly cut), how many were dropped, which were cut."""
    keep: dict[Any, Any] = {}
    cut_keys: list[Any] = []
    used = 0
    cap = min(_CAP, max(96, budget // 12))  # a small limit leaves less for each
    # 1. the logger's and the context's keys
    for (key, value), size in zip(fields.items(), sizes, strict=True):
        if _required(key) and key != "message":
            if size > cap:
                value, size = cut(key, value, cap)
                cut_keys.append(key)
            keep[key] = value
            used += size
    if "message" in fields:  # 2. the message, cut when it must be
        value, size = fields["message"], sizes[list(fields).index("message")]
        if used + size > budget:
            # room for the other keys too: all of them if they are small, else half
            others = sum(n for k, n in zip(fields, sizes, strict=True) if not _required(k))
            room = budget - used
            value, size = cut("message", value, max(room - others, room // 2))
            cut_keys.append("message")
        keep["message"] = value
        used += size
    first_left: Any = _NONE
    dropped = 0
    for (key, value), size in zip(fields.items(), sizes, strict=True):  # 3. the others, whole
        if _required(key):
            continue
        if used + size <= budget:
            keep[key] = value
            used += size
        else:
            dropped += 1
            if first_left is _NONE:
                first_left = key
    # its name is written once more, in "cut_keys"
    room = budget - used - (len(to_line(first_left)) + 1 if first_left is not _NONE else 0)
    if first_left is not _NONE and room >= _CUT_ROOM:  # 4. the first left out, cut in
        keep[first_left], _ = cut(first_left, fields[first_left], room)
        cut_keys.append(first_left)
        dropped -= 1
    return keep, dropped, cut_keys


_NONE: Any = object()


def truncate(fields: dict[Any, Any], limit: int = MAX_LINE_BYTES, size: int | None = None) -> bytes:
    """A line of at most ``limit`` bytes (newline excluded) from ``fields`` (see the module).

    ``size`` is the line's size before, when the caller knows it.

    >>> line = truncate({"level": "INFO", "message": "m", "a": "x" * 300, "b": 1}, 1200)
    >>> len(line) <= 1201
    True
    """
    sizes = [_size(k, v) for k, v in fields.items()]
    original = size if size is not None else sum(sizes) + 1
    budget = limit - 2 - _MARK_ROOM
    for _ in range(3):
        keep, dropped, cut_keys = _plan(fields, sizes, budget)
        names = [k if type(k) is str else str(k) for k in cut_keys]
        marker: dict[str, Any] = {"dropped_keys": dropped, "bytes": original}
        if names:
            marker["cut_keys"] = names
        kept = {k: keep[k] for k in fields if k in keep}  # the line's own order
        kept["truncated"] = marker
        line = to_line(kept)
        excess = len(line) - 1 - limit
        if excess <= 0:
            return line
        budget -= excess + 64  # long cut-key names or a fallback encoding: try tighter
    return _last_resort(fields, limit, original)


def _last_resort(fields: dict[Any, Any], limit: int, original: int) -> bytes:
    """Timestamp, level and as much of the message as fits: always under ``limit``."""
    small: dict[str, Any] = {k: _text(fields.get(k, ""))[:64] for k in ("timestamp", "level")}
    room = limit - len(to_line(small)) - _MARK_ROOM - 16
    message, _ = cut("message", fields.get("message", ""), room)
    small["message"] = message
    small["truncated"] = {"dropped_keys": max(0, len(fields) - 3), "bytes": original}
    return to_line(small)
