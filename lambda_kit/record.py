"""The invocation record: its keys, its timestamp and its JSON form.

The record is a plain dict, built once per invocation by ``@instrument`` and
handed unchanged to every sink. Its keys are the stable contract of
DESIGN.md ("The invocation record"); ``KEYS`` lists them in the order they are
written, message near the front so a line reads well in the console.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

#: every key a record may hold, in the order they are written
KEYS = (
    "timestamp",
    "level",
    "message",
    "type",
    "service",
    "cold_start",
    "init_type",
    "proactive_init",
    "invocation_count",
    "function_name",
    "function_version",
    "function_arn",
    "function_request_id",
    "function_memory_size",
    "xray_trace_id",
    "duration_ms",
    "billed_duration_ms",
    "init_duration_ms",
    "max_memory_used_mb",
    "architecture",
    "cost_usd",
    "status",
    "error_type",
    "init",
    "connections",
)

_second: int = -1
_second_text: str = ""


def timestamp(now_ns: int | None = None) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``: ``2026-11-24T01:02:03.456Z``.

    The date-and-seconds part is formatted once per second and reused, which
    makes this about 0.3 us instead of ~2 us for ``datetime.isoformat``.
    """
    global _second, _second_text
    ns = time.time_ns() if now_ns is None else now_ns
    seconds, rest = divmod(ns, 1_000_000_000)
    if seconds != _second:
        _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second = seconds
    return f"{_second_text}.{rest // 1_000_000:03d}Z"


def _fallback(value: Any) -> str:
    # a value orjson cannot serialise is written as its str(), not dropped
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS


def to_json_line(record: dict[str, Any]) -> bytes:
    """The record as one JSON line (UTF-8 bytes ending in a newline).

    >>> to_json_line({"level": "INFO", "cost_usd": 1.2e-06})
    b'{"level":"INFO","cost_usd":1.2e-6}\\n'
    """
    return orjson.dumps(record, default=_fallback, option=_OPTIONS)
