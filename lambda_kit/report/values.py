"""The figures a REPORT line or record may hold, and the checks that keep the rest out.

    from lambda_kit.report.values import Malformed, duration_ms
    duration_ms("27.55", "Duration")        # 27.55
    duration_ms("inf", "Duration")          # raises Malformed("Duration is not a number: 'inf'")

Every number read from a log passes one of these checks before it reaches the
figures, on the line-by-line path and (as the same bounds written into its
regular expressions) on the fast chunked path. A value outside them is not
something Lambda can print, so its line is malformed, named with its line
number, and counted; nothing in the report can then be NaN, infinite or absurd.

The bounds, and why (AWS Lambda developer guide, "Lambda quotas" and "Configure
Lambda function timeout"):

* durations (``Duration``, ``Billed Duration``, ``Init Duration``, ``Restore
  Duration``, and the same in JSON events and our records): 0 <= ms < 10,000,000.
  An invocation runs at most 900 s (15 minutes), and on Lambda Managed Instances an
  asynchronous invocation up to 5,400 s (90 minutes); a REPORT line of a timeout can
  read a little over its timeout. So a duration over 15 minutes is accepted (it is
  real on Managed Instances), and one of 10 million ms (2 h 47 min) or more is not.
* ``Memory Size``: 128 to 32,768 MB (10,240 MB on Lambda; 32 GB is the API's
  range with Managed Instances); ``Max Memory Used``: 0 to 32,768 MB.
* a recorded ``cost_usd``: 0 <= USD < 1,000 per invocation (the largest function,
  32 GB for 90 minutes, costs under $10).
* a count of invocations (Logs Insights' aggregates): 0 <= n < 10**15. A function
  kept at Lambda's default 1,000 concurrent invocations of 1 ms each for a year makes
  3.2 * 10**13; above 2**53 a float no longer counts one by one.
* a sum of MB x ms (Insights' billed totals): 0 <= MB-ms < 10**15 * 32,768 * 10**7,
  that many invocations at the largest size and duration.

Text numbers are plain decimals as Lambda prints them (``27.55``, ``28``):
``1e3``, ``inf``, ``NaN``, ``+5``, ``1_000`` or digits of other scripts are not
numbers here. Whole-number fields (billed durations, sizes) have no fraction.
"""

from __future__ import annotations

import re

# typing costs ~5 ms to import: the platform extension checks Lambda's figures with these
# bounds from its own thread while the next invocation runs (docs/platform.md)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: durations must be below this (ms): see the module's docstring
MAX_MS = 10_000_000
MIN_MEMORY_MB = 128
MAX_MEMORY_MB = 32_768
MAX_COST_USD = 1_000.0
MAX_COUNT = 10**15
MAX_MB_MS = float(MAX_COUNT) * MAX_MEMORY_MB * MAX_MS

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_WHOLE = re.compile(r"[0-9]+")


class Malformed(ValueError):
    """A REPORT line (or report event, or record) that cannot be read; the message says why."""


def _text(value: str, what: str, whole: bool) -> float:
    if (_WHOLE if whole else _DECIMAL).fullmatch(value) is None:
        if value[:1] == "-" and _DECIMAL.fullmatch(value[1:]):
            raise Malformed(f"{what} must not be negative: {value[:40]!r}")
        kind = "a whole number" if whole else "a number"
        raise Malformed(f"{what} is not {kind}: {value[:40]!r}")
    return float(value)


def _number(value: Any, what: str, whole: bool) -> float:
    """A text or JSON value as a finite float (range checks are the caller's)."""
    if isinstance(value, str):
        return _text(value, what, whole)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed(f"{what} is not a number: {str(value)[:40]!r}")
    if isinstance(value, int):
        if value.bit_length() > 64:
            raise Malformed(f"{what} is out of range: {str(value)[:40]!r}")
        value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise Malformed(f"{what} is not a number: {value!r}")
    if whole and not value.is_integer():
        raise Malformed(f"{what} is not a whole number: {value!r}")
    return float(value) + 0.0  # -0.0 reads as 0.0


def _within(value: Any, whole: bool, low: float, high: float, what: str, unit: str) -> float:
    """``value`` read as a number, ``low <= number < high``."""
    number = _number(value, what, whole)
    if number < 0:
        raise Malformed(f"{what} must not be negative: {str(value)[:40]}")
    if not low <= number < high:
        top = f"{high - 1:,.0f}" if whole else f"under {high:,.0f}"
        shown = str(value)[:40]
        raise Malformed(f"{what} is out of range: {shown} {unit} (Lambda's: {low:,.0f} to {top})")
    return number


def duration_ms(value: Any, what: str) -> float:
    """A duration in ms, 0 <= ms < :data:`MAX_MS`."""
    return _within(value, False, 0, MAX_MS, what, "ms")


def whole_ms(value: Any, what: str) -> int:
    """A billed duration in whole ms, 0 <= ms < :data:`MAX_MS`."""
    return int(_within(value, True, 0, MAX_MS, what, "ms"))


def memory_size_mb(value: Any, what: str) -> int:
    """A configured memory size in MB, :data:`MIN_MEMORY_MB` to :data:`MAX_MEMORY_MB`."""
    return int(_within(value, True, MIN_MEMORY_MB, MAX_MEMORY_MB + 1, what, "MB"))


def memory_used_mb(value: Any, what: str) -> int:
    """Memory used in MB, 0 to :data:`MAX_MEMORY_MB`."""
    return int(_within(value, True, 0, MAX_MEMORY_MB + 1, what, "MB"))


def memory_mb(value: Any, what: str) -> float:
    """A memory figure in MB that may have a fraction (a percentile), 0 to :data:`MAX_MEMORY_MB`."""
    return _within(value, False, 0, MAX_MEMORY_MB + 1, what, "MB")


def count(value: Any, what: str) -> int:
    """A count of invocations, 0 <= n < :data:`MAX_COUNT`."""
    return int(_within(value, True, 0, MAX_COUNT, what, "invocations"))


def mb_ms(value: Any, what: str) -> float:
    """A sum of memory x duration in MB-ms, 0 <= MB-ms < :data:`MAX_MB_MS`."""
    return _within(value, False, 0, MAX_MB_MS, what, "MB-ms")


def cost_usd(value: Any, what: str) -> float:
    """A recorded cost in USD, 0 <= USD < :data:`MAX_COST_USD`."""
    return _within(value, False, 0, MAX_COST_USD, what, "USD")


def text_or_none(value: Any, what: str) -> str | None:
    """An optional string field: a string, or absent (None); anything else is malformed."""
    if value is None or isinstance(value, str):
        return value
    raise Malformed(f"{what} is not a string: {type(value).__name__}")
