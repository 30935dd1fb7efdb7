"""Lambda's own figures as CloudWatch metrics: one EMF document per ``platform_report``.

    from lambda_kit.platform.metrics import write
    write(fields)      # fields: lines.report_fields(event); 0 when EMF is off, None: not yet

With CloudWatch metrics on (``@instrument(metrics=True)`` or ``LAMBDA_KIT_METRICS=1``),
each report also goes out as an EMF document through the EMF sink that wrote the
invocation's own metrics (``lambda_kit.sinks.emf.last_used``): the same namespace,
the same dimensions (``service``, ``function_name``), the same output, the same
limits and encoding (CloudWatch docs, "Specification: Embedded metric format":
``_aws`` with ``Timestamp`` in epoch ms and ``CloudWatchMetrics``, a list of
``{Namespace, Dimensions, Metrics: [{Name, Unit}]}``). The sink's module is never
imported here: when no sink was made, EMF is off and nothing is written.

The metric names start with ``Platform``: they sit beside the record's ``Duration``,
``BilledDuration``, ``InitDuration``, ``MaxMemoryUsed`` (lambda_kit's measurements)
so that one graph shows both. What ``AWS/Lambda`` already gives for every function
free (``Invocations``, ``Errors``, ``Throttles``, ...: AWS Lambda docs, "Types of
metrics for Lambda functions") is not repeated; the document's ``status`` and
``error_type`` ride along as plain members, like the request id. See docs/platform.md.
"""

from __future__ import annotations

import re
import sys
import time

# typing costs ~5 ms to import: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: platform_report key -> (metric name, unit); written when the report has the key
METRICS = (
    ("duration_ms", "PlatformDuration", "Milliseconds"),
    ("billed_duration_ms", "PlatformBilledDuration", "Milliseconds"),
    ("max_memory_used_mb", "PlatformMaxMemoryUsed", "Megabytes"),
    ("init_duration_ms", "PlatformInitDuration", "Milliseconds"),
    ("restore_duration_ms", "PlatformRestoreDuration", "Milliseconds"),
    ("billed_restore_duration_ms", "PlatformBilledRestoreDuration", "Milliseconds"),
)
_PROPERTIES = ("function_request_id", "status", "error_type")

# the Telemetry API's event time: "2022-10-12T00:00:15.064Z" (AWS Lambda docs, "Lambda
# Telemetry API Event schema reference"); any number of fraction digits, UTC only
_ISO = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z")


def epoch_ms(text: str) -> int | None:
    """An ISO 8601 UTC time (``YYYY-MM-DDTHH:MM:SS[.fff]Z``) as epoch milliseconds; None
    when it is not one. Written out: ``datetime`` / ``calendar`` cost milliseconds to import.

    >>> epoch_ms("1970-01-02T00:00:00.250Z")
    86400250
    """
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= _days_in(year, month)):
        return None
    if hour > 23 or minute > 59 or second > 59:
        return None
    millis = int(((match.group(7) or "") + "000")[:3])
    days = _days_from_civil(year, month, day)
    return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def document_parts(fields: dict[str, Any]) -> tuple[list[Any], dict[str, Any], int | None]:
    """The metrics, plain members and time (epoch ms, None: unreadable) of one report."""
    metrics = [(name, unit, 60, [fields[key]]) for key, name, unit in METRICS if key in fields]
    props = {k: fields[k] for k in _PROPERTIES if k in fields}
    when = fields.get("timestamp")
    return metrics, props, epoch_ms(when) if isinstance(when, str) else None


def write(fields: dict[str, Any]) -> int | None:
    """Write one report's EMF document through the EMF sink in use; the lines written
    (0 when CloudWatch metrics are off). None when an EMF sink was made but no
    invocation of this process has written metrics yet, so that the document's
    dimensions are not known: on Managed Instances the worker that runs the extension
    reports the other workers' requests too, maybe before it has run one itself.
    Raises what the sink's writer raises."""
    if "lambda_kit.sinks.emf" not in sys.modules:
        return 0  # no EMF sink was ever made: metrics are off
    from lambda_kit.sinks import emf

    used = emf.last_used
    if used is None:
        return None  # the sink's first invocation has not run in this process (yet)
    sink, dims = used
    metrics, props, when = document_parts(fields)
    if when is None:
        # made now rather than at Lambda's time: within the same minute, unless the
        # environment was frozen between the report and its delivery
        from lambda_kit._problems import problem

        problem(
            f"platform.report time {fields.get('timestamp')!r:.60} is not ISO 8601 UTC; "
            "its metrics carry the time they were written",
            key="platform-emf-time",
        )
        when = time.time_ns() // 1_000_000
    return sink.write_metrics(metrics, dims, props, when)
