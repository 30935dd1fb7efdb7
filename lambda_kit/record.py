"""The invocation record: its keys, its timestamp and its JSON form.

The record is a plain dict, built once per invocation by ``@instrument`` and
handed unchanged to every sink. Its keys are the stable contract of
DESIGN.md ("The invocation record"); ``KEYS`` lists them in the order they are
written: message near the front so a line reads well in the console, the keys
every record has first, then those present only when they apply.
"""

from __future__ import annotations

import time

from lambda_kit._json import CORE_KEYS, record_line

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: every key a record may hold, in the order they are written
KEYS = (
    *CORE_KEYS,
    # optional keys: present only when they apply
    "error_type",
    "xray_trace_id",
    "init_duration_ms",
    "init",
    "connections",
)

_second: int = -1
_second_text: str = ""


def timestamp(now_ns: int | None = None) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``: ``2026-11-24T01:02:03.456Z``.

    The date-and-seconds part is formatted once per second and reused, which
    makes this a fraction of a microsecond (``datetime`` would also cost ~2 ms to import).

    >>> timestamp(1_700_000_000_123_456_789)
    '2023-11-14T22:13:20.123Z'
    """
    global _second, _second_text
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    seconds = ms // 1000
    if seconds != _second:
        _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second = seconds
    return f"{_second_text}.{ms - seconds * 1000:03d}Z"


def to_json_line(record: dict[str, Any]) -> bytes:
    """The record as one JSON line (UTF-8 bytes ending in a newline).

    Written by ``lambda_kit._json`` rather than orjson: see that module for why.

    >>> to_json_line({"level": "INFO", "cost_usd": 1.2e-06})
    b'{"level":"INFO","cost_usd":1.2e-06}\\n'
    """
    return record_line(record)
