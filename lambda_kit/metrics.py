"""User metrics, written to CloudWatch with the invocation record (EMF).

    from lambda_kit import instrument, metrics

    @instrument(service="orders", metrics=True)
    def handler(event, context):
        metrics.add("OrdersPlaced", 1, "Count")
        metrics.add("BasketValue", 42.5)            # unit "None"
        return {"ok": True}

What ``add`` collects during an invocation goes out in that invocation's EMF
line(s), with the dimensions ``service`` and ``function_name`` (see
docs/metrics.md). Values added during init (module code) go out with the first
invocation. Adding the same name again appends a value (CloudWatch takes up to
100 values per metric per line; lambda_kit splits beyond that).

Nothing leaks between invocations: when an invocation starts, what the previous
one added and nobody wrote (metrics not enabled) is dropped. Bad input (unknown
unit, a value that is not a finite number, an empty or too long name) is
reported once on stderr and never raises into the handler.
"""

from __future__ import annotations

import math

from lambda_kit import _hooks, environment
from lambda_kit._problems import problem

#: CloudWatch's metric units (MetricDatum, "Unit"), the only ones EMF accepts
_SIZES = ("Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes")
_BITS = ("Bits", "Kilobits", "Megabits", "Gigabits", "Terabits")
UNITS = frozenset(
    ("Seconds", "Microseconds", "Milliseconds", "Percent", "Count", "Count/Second", "None")
).union(_SIZES, _BITS, (f"{u}/Second" for u in (*_SIZES, *_BITS)))
MAX_NAME_LENGTH = 255  # CloudWatch MetricName
#: values held for one invocation, all metrics together: a runaway loop cannot eat memory
MAX_VALUES = 10_000

# name -> [unit, storage resolution, values]
_pending: dict[str, tuple[str, int, list[float]]] = {}
_count = 0


def add(name: str, value: float, unit: str = "None", *, resolution: int = 60) -> None:
    """Record ``value`` for metric ``name`` in this invocation's EMF line.

    ``unit`` is a CloudWatch unit (``Count``, ``Milliseconds``, ``Bytes``, ...);
    ``resolution`` is 60 (standard) or 1 (high resolution, per second).

    >>> add("OrdersPlaced", 1, "Count")
    """
    global _count
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        problem(
            f"metrics.add: metric name {name!r} must be a non-empty string of at most "
            f"{MAX_NAME_LENGTH} characters; value not recorded",
            key=f"metrics-name:{name!r}",
        )
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problem(
            f"metrics.add: value {value!r} for {name!r} is not a finite number; not recorded",
            key=f"metrics-value:{name}",
        )
        return
    if unit not in UNITS:
        problem(
            f"metrics.add: unit {unit!r} for {name!r} is not a CloudWatch unit "
            f"(e.g. Count, Milliseconds, Bytes, Percent); using 'None'",
            key=f"metrics-unit:{name}:{unit!r}",
        )
        unit = "None"
    if resolution not in (1, 60):
        problem(
            f"metrics.add: resolution {resolution!r} for {name!r} must be 1 or 60; using 60",
            key=f"metrics-resolution:{name}",
        )
        resolution = 60
    if _count >= MAX_VALUES:
        problem(
            f"metrics.add: more than {MAX_VALUES} values in one invocation; dropping the rest",
            key="metrics-too-many",
        )
        return
    entry = _pending.get(name)
    if entry is None:
        _pending[name] = (unit, resolution, [value])
    else:
        if entry[0] != unit:
            problem(
                f"metrics.add: {name!r} was added with unit {entry[0]!r} and now {unit!r}; "
                f"keeping {entry[0]!r}",
                key=f"metrics-unit-change:{name}",
            )
        entry[2].append(value)
    _count += 1


def take() -> dict[str, tuple[str, int, list[float]]]:
    """What was added since the last ``take``, emptied (the EMF sink calls it)."""
    global _pending, _count
    taken = _pending
    _pending = {}
    _count = 0
    return taken


def clear() -> None:
    """Drop everything not yet written (tests, or a handler that changes its mind)."""
    take()


def _on_start() -> None:
    # values added during init wait for the first invocation; after that, what an
    # invocation added and nobody wrote (metrics off) must not reach the next one
    if _pending and environment.get().invocations > 1:
        names = ", ".join(sorted(take())[:5])
        problem(
            f"metrics added but not written ({names}): turn CloudWatch metrics on with "
            "@instrument(metrics=True) or LAMBDA_KIT_METRICS=1",
            key="metrics-not-enabled",
        )


_hooks.on_start.append(_on_start)

__all__ = ["UNITS", "add", "clear", "take"]
