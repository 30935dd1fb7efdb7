"""Names Powertools' Metrics code imports: units, resolutions, errors, limits.

The units are CloudWatch's (the set ``lambda_kit.metrics.UNITS`` has, checked by a test); the enum
member names and the error classes are Powertools' (its Metrics docs and
``aws_lambda_powertools.metrics`` exports), so ``except SchemaValidationError``
keeps working after the import change.
"""

from __future__ import annotations

import os
from enum import Enum

from lambda_kit import settings

#: EMF's limits as Powertools applies them: 29 dimensions of the user's (+ service),
#: 100 metrics (or 100 values of one metric) per blob
MAX_DIMENSIONS = 29
MAX_METRICS = 100
METRICS_DISABLED_VARIABLE = settings.POWERTOOLS_METRICS_DISABLED
DEV_VARIABLE = settings.POWERTOOLS_DEV


class MetricUnit(Enum):
    """CloudWatch's metric units, by Powertools' member names."""

    Seconds = "Seconds"
    Microseconds = "Microseconds"
    Milliseconds = "Milliseconds"
    Bytes = "Bytes"
    Kilobytes = "Kilobytes"
    Megabytes = "Megabytes"
    Gigabytes = "Gigabytes"
    Terabytes = "Terabytes"
    Bits = "Bits"
    Kilobits = "Kilobits"
    Megabits = "Megabits"
    Gigabits = "Gigabits"
    Terabits = "Terabits"
    Percent = "Percent"
    Count = "Count"
    BytesPerSecond = "Bytes/Second"
    KilobytesPerSecond = "Kilobytes/Second"
    MegabytesPerSecond = "Megabytes/Second"
    GigabytesPerSecond = "Gigabytes/Second"
    TerabytesPerSecond = "Terabytes/Second"
    BitsPerSecond = "Bits/Second"
    KilobitsPerSecond = "Kilobits/Second"
    MegabitsPerSecond = "Megabits/Second"
    GigabitsPerSecond = "Gigabits/Second"
    TerabitsPerSecond = "Terabits/Second"
    CountPerSecond = "Count/Second"
    NoUnit = "None"


class MetricResolution(Enum):
    """Storage resolution: 60 s (standard) or 1 s (high)."""

    Standard = 60
    High = 1


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


_BY_MEMBER = {m.name: m.value for m in MetricUnit}
#: CloudWatch's units; tests/test_compat_metrics.py checks them against lambda_kit.metrics.UNITS
UNITS = frozenset(_BY_MEMBER.values())


def unit_value(unit: MetricUnit | str) -> str:
    """The unit's text: ``MetricUnit.Count``, ``"Count"`` and ``"CountPerSecond"`` all work."""
    if isinstance(unit, MetricUnit):
        return unit.value
    if isinstance(unit, str):
        text = _BY_MEMBER.get(unit, unit)
        if text in UNITS:
            return text
    raise MetricUnitError(
        f"Invalid metric unit '{unit}', expected either option: {list(_BY_MEMBER)}"
    )


def resolution_value(resolution: MetricResolution | int) -> int:
    """1 or 60 (``MetricResolutionError`` otherwise)."""
    if isinstance(resolution, MetricResolution):
        return resolution.value
    if type(resolution) is int and resolution in (1, 60):
        return resolution
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
