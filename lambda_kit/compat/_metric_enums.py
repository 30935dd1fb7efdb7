"""Powertools' ``MetricUnit`` and ``MetricResolution`` enums, built on first use.

An ``Enum`` class of 27 members costs about 0.3 ms to create, paid by every cold
start that imports it; a handler that passes units as text (``unit="Count"``)
never needs it, so ``lambda_kit.compat._metric_types`` loads this module only
when the name is asked for (PEP 562). The member names are Powertools' (its
Metrics docs, "Metric units"); ``_metric_types.UNIT_BY_MEMBER`` holds the same
pairs as text, checked against these by tests/test_compat_metrics.py.
"""

from __future__ import annotations

from enum import Enum


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
