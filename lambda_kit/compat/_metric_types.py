"""Names Powertools' Metrics code imports: units, resolutions, errors, limits.

``MetricUnit`` and ``MetricResolution`` are served from ``_metric_enums`` on first
use (PEP 562): until something asks for them, no member can exist, so checking a
unit given as text needs no enum at all.

The units are CloudWatch's (the set ``lambda_kit.metrics.UNITS`` has, checked by a test); the enum
member names and the error classes are Powertools' (its Metrics docs and
``aws_lambda_powertools.metrics`` exports), so ``except SchemaValidationError``
keeps working after the import change.
"""

from __future__ import annotations

import os
import sys

from lambda_kit import settings

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lambda_kit.compat._metric_enums import MetricResolution, MetricUnit

#: EMF's limits as Powertools applies them: 29 dimensions of the user's (+ service),
#: 100 metrics (or 100 values of one metric) per blob
MAX_DIMENSIONS = 29
MAX_METRICS = 100
METRICS_DISABLED_VARIABLE = settings.POWERTOOLS_METRICS_DISABLED
DEV_VARIABLE = settings.POWERTOOLS_DEV


class MetricUnitError(Exception):
    """A unit CloudWatch does not know."""


class MetricResolutionError(Exception):
    """A resolution other than 1 or 60."""


class MetricValueError(Exception):
    """A value that is not a number."""


class MetricNameError(Exception):
    """A name shorter than 1 or longer than 255 characters."""


class SchemaValidationError(Exception):
    """What EMF would refuse: no metric, no namespace, too many dimensions."""


#: Powertools' MetricUnit member names -> CloudWatch's unit text (the enum's pairs)
UNIT_BY_MEMBER = {
    "Seconds": "Seconds",
    "Microseconds": "Microseconds",
    "Milliseconds": "Milliseconds",
    "Bytes": "Bytes",
    "Kilobytes": "Kilobytes",
    "Megabytes": "Megabytes",
    "Gigabytes": "Gigabytes",
    "Terabytes": "Terabytes",
    "Bits": "Bits",
    "Kilobits": "Kilobits",
    "Megabits": "Megabits",
    "Gigabits": "Gigabits",
    "Terabits": "Terabits",
    "Percent": "Percent",
    "Count": "Count",
    "BytesPerSecond": "Bytes/Second",
    "KilobytesPerSecond": "Kilobytes/Second",
    "MegabytesPerSecond": "Megabytes/Second",
    "GigabytesPerSecond": "Gigabytes/Second",
    "TerabytesPerSecond": "Terabytes/Second",
    "BitsPerSecond": "Bits/Second",
    "KilobitsPerSecond": "Kilobits/Second",
    "MegabitsPerSecond": "Megabits/Second",
    "GigabitsPerSecond": "Gigabits/Second",
    "TerabitsPerSecond": "Terabits/Second",
    "CountPerSecond": "Count/Second",
    "NoUnit": "None",
}
#: CloudWatch's units; tests/test_compat_metrics.py checks them against lambda_kit.metrics.UNITS
UNITS = frozenset(UNIT_BY_MEMBER.values())
_ENUMS = "lambda_kit.compat._metric_enums"
_modules = sys.modules


def __getattr__(name: str) -> Any:
    if name in ("MetricUnit", "MetricResolution"):
        from lambda_kit.compat import _metric_enums

        return getattr(_metric_enums, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def unit_value(unit: MetricUnit | str) -> str:
    """The unit's text: ``MetricUnit.Count``, ``"Count"`` and ``"CountPerSecond"`` all work."""
    if isinstance(unit, str):
        text = UNIT_BY_MEMBER.get(unit, unit)
        if text in UNITS:
            return text
    else:
        enums = _modules.get(_ENUMS)  # not loaded: no member of it exists
        if enums is not None and isinstance(unit, enums.MetricUnit):
            return str(unit.value)
    raise MetricUnitError(
        f"Invalid metric unit '{unit}', expected either option: {list(UNIT_BY_MEMBER)}"
    )


def resolution_value(resolution: MetricResolution | int) -> int:
    """1 or 60 (``MetricResolutionError`` otherwise)."""
    if type(resolution) is int:
        if resolution in (1, 60):
            return resolution
    else:
        enums = _modules.get(_ENUMS)
        if enums is not None and isinstance(resolution, enums.MetricResolution):
            return int(resolution.value)
    raise MetricResolutionError(
        f"Invalid metric resolution '{resolution}', expected either option: [60, 1]"
    )


def _flag(name: str) -> bool | None:
    raw = os.environ.get(name)
    return None if raw is None else raw.strip().lower() in ("1", "true", "yes", "y", "on")


def metrics_disabled() -> bool:
    """``POWERTOOLS_METRICS_DISABLED``; ``POWERTOOLS_DEV`` alone disables them too."""
    disabled = _flag(METRICS_DISABLED_VARIABLE)
    return bool(disabled) or (disabled is None and bool(_flag(DEV_VARIABLE)))
