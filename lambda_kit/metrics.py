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

Values belong to the invocation that added them (the running one in this asyncio
task or thread, ``lambda_kit._current.current``), so concurrent invocations never
see each other's. A thread the handler started has no current invocation of its
own; while exactly one invocation (with a deadline) runs in the process, its values
go to that one. Values added outside any invocation go out with the next one.
Nothing leaks between invocations: an invocation's values go with it. Bad input (unknown
unit, a value that is not a finite number, an empty or too long name) is
reported once on stderr and never raises into the handler.
"""

from __future__ import annotations

import math

from lambda_kit import _deadline, _hooks
from lambda_kit._current import Call, current
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


class Bag(dict):  # type: ignore[type-arg]
    """One invocation's user metrics: name -> (unit, storage resolution, values)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        super().__init__()
        self.count = 0


#: values added outside any invocation (module code at init, a background thread):
#: they go out with the next invocation that starts
_outside = Bag()


def _reset() -> None:
    global _outside
    _outside = Bag()


_hooks.register_reset(__name__, _reset)


def _bag(name: str) -> Bag | None:
    """Where a value added now belongs: the running invocation's bag, or the one for
    the next invocation; None when the running invocation has no sink for metrics."""
    call = current.get() or _only_running()
    if call is None:
        return _outside
    if not call.takes_metrics:
        problem(
            f"metrics added but not written ({name}): turn "
            "CloudWatch metrics on with @instrument(metrics=True) or LAMBDA_KIT_METRICS=1",
            key="metrics-not-enabled",
        )
        return None
    bag: Bag | None = call.metrics
    if bag is None:
        bag = call.metrics = Bag()
    return bag


def _only_running() -> Call | None:
    """The one invocation running in this process, when there is exactly one: a thread
    the handler started (``threading.Thread``, a ``ThreadPoolExecutor``) begins with an
    empty context, yet what it adds belongs to that invocation, not to the next one.
    The running invocations are the deadline watchdog's (those with a deadline)."""
    running = _deadline.active
    if len(running) != 1:
        return None
    try:
        (call,) = running.values()
    except ValueError:  # changed under us by another thread
        return None
    return call if isinstance(call, Call) else None


def add(name: str, value: float, unit: str = "None", *, resolution: int = 60) -> None:
    """Record ``value`` for metric ``name`` in this invocation's EMF line.

    ``unit`` is a CloudWatch unit (``Count``, ``Milliseconds``, ``Bytes``, ...);
    ``resolution`` is 60 (standard) or 1 (high resolution, per second). Values belong
    to the invocation that added them, also among concurrent asyncio tasks and threads.

    >>> add("OrdersPlaced", 1, "Count")
    """
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
    bag = _bag(name)
    if bag is None:
        return
    if bag.count >= MAX_VALUES:
        problem(
            f"metrics.add: more than {MAX_VALUES} values in one invocation; dropping the rest",
            key="metrics-too-many",
        )
        return
    entry = bag.get(name)
    if entry is None:
        bag[name] = (unit, resolution, [value])
    else:
        if entry[0] != unit:
            problem(
                f"metrics.add: {name!r} was added with unit {entry[0]!r} and now {unit!r}; "
                f"keeping {entry[0]!r}",
                key=f"metrics-unit-change:{name}",
            )
        entry[2].append(value)
    bag.count += 1


def take() -> dict[str, tuple[str, int, list[float]]]:
    """What the running invocation added so far (outside one: what waits for the next
    invocation), emptied."""
    global _outside
    call = current.get()
    if call is None:
        taken, _outside = _outside, Bag()
        return dict(taken)
    held = call.metrics
    call.metrics = None
    return dict(held) if held else {}


def clear() -> None:
    """Drop everything not yet written (tests, or a handler that changes its mind)."""
    take()


def _on_start() -> None:
    # what was added outside any invocation goes out with this one
    global _outside
    if not _outside:
        return
    waiting, _outside = _outside, Bag()
    call = current.get()
    if call is not None and call.takes_metrics:
        call.metrics = waiting
    elif call is not None:
        names = ", ".join(sorted(waiting)[:5])
        problem(
            f"metrics added but not written ({names}): turn CloudWatch metrics on with "
            "@instrument(metrics=True) or LAMBDA_KIT_METRICS=1",
            key="metrics-not-enabled",
        )


_hooks.add_start(_on_start)

__all__ = ["UNITS", "add", "clear", "take"]

#: Powertools' Metrics names, served lazily from lambda_kit.compat.metrics (PEP 562):
#: ``from lambda_kit.metrics import Metrics, MetricUnit, single_metric``
_POWERTOOLS_NAMES = frozenset(
    ("Metrics", "MetricUnit", "MetricResolution", "single_metric", "EphemeralMetrics",
     "MetricUnitError", "MetricResolutionError", "MetricValueError", "MetricNameError",
     "SchemaValidationError")
)  # fmt: skip


def __getattr__(name: str) -> object:
    if name in _POWERTOOLS_NAMES:
        from lambda_kit.compat import metrics as compat

        return getattr(compat, name)
    raise AttributeError(f"module 'lambda_kit.metrics' has no attribute {name!r}")
