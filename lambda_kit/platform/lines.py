"""A Telemetry API ``platform.report`` event in, one ``platform_report`` line out.

    line = report_line({"time": "...", "type": "platform.report", "record": {...}})
    # b'{"type":"platform_report","timestamp":"...","function_request_id":"8f5c",...}\\n'

The event's shape is Lambda's (AWS Lambda docs, "Lambda Telemetry API Event schema
reference", ``platform.report``: ``record.requestId``, ``record.metrics.durationMs``,
``billedDurationMs``, ``memorySizeMB``, ``maxMemoryUsedMB``, ``initDurationMs`` on a
cold start, ``restoreDurationMs`` / ``billedRestoreDurationMs`` after a SnapStart
restore, ``record.status``, ``record.errorType``). The line carries Lambda's own
figures under lambda_kit's names, so that the record and the line compare key by key.
"""

from __future__ import annotations

from lambda_kit._output import dumps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: (event metric, line key, required)
_METRICS = (
    ("durationMs", "duration_ms", True),
    ("billedDurationMs", "billed_duration_ms", True),
    ("memorySizeMB", "function_memory_size", True),
    ("maxMemoryUsedMB", "max_memory_used_mb", True),
    ("initDurationMs", "init_duration_ms", False),
    ("restoreDurationMs", "restore_duration_ms", False),
    ("billedRestoreDurationMs", "billed_restore_duration_ms", False),
)
_SIZES = frozenset({"function_memory_size", "max_memory_used_mb"})
_INTEGERS = frozenset({"billed_duration_ms", "billed_restore_duration_ms", *_SIZES})
STATUSES = frozenset({"success", "failure", "error", "timeout"})


class BadEvent(ValueError):
    """A platform event that is not of the documented shape; the message says why."""


def request_id(event: dict[str, Any]) -> str:
    """``record.requestId`` of a ``platform.start`` / ``platform.report`` event."""
    record = event.get("record")
    rid = record.get("requestId") if isinstance(record, dict) else None
    if not isinstance(rid, str) or not rid:
        raise BadEvent(f"{event.get('type')} without record.requestId")
    return rid


def report_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The ``platform_report`` line's keys, in order, from a ``platform.report`` event."""
    rid = request_id(event)
    record = event["record"]
    metrics = record.get("metrics")
    if not isinstance(metrics, dict):
        raise BadEvent("platform.report without record.metrics")
    fields: dict[str, Any] = {"type": "platform_report"}
    when = event.get("time")
    if isinstance(when, str):
        fields["timestamp"] = when
    fields["function_request_id"] = rid
    for name, key, required in _METRICS:
        value = metrics.get(name)
        if value is None:
            if required:
                raise BadEvent(f"platform.report without metrics.{name}")
            continue
        fields[key] = _figure(name, key, value)
    status = record.get("status", "success")
    if status not in STATUSES:
        raise BadEvent(f"platform.report status {status!r} is not one of {sorted(STATUSES)}")
    fields["status"] = status
    error_type = record.get("errorType")
    if isinstance(error_type, str) and error_type:
        fields["error_type"] = error_type
    return fields


def _figure(name: str, key: str, value: Any) -> float:
    """A figure within what Lambda can report: finite, not negative, under the bounds
    ``lambda-kit report`` reads logs with (one home: ``lambda_kit.report.values``, which
    says why), whole where Lambda counts whole ms or MB. Anything else is a BadEvent:
    no line, and no metric CloudWatch would get as NaN or an absurd value."""
    from lambda_kit.report.values import MAX_MEMORY_MB, MAX_MS  # loaded at the first report

    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise BadEvent(f"platform.report metrics.{name} is not a duration or size: {value!r:.40}")
    high = MAX_MEMORY_MB if key in _SIZES else MAX_MS - 1
    if value > high:
        raise BadEvent(
            f"platform.report metrics.{name} is out of range: {value!r:.40} (at most {high:,})"
        )
    if key in _INTEGERS:
        if value != int(value):
            raise BadEvent(f"platform.report metrics.{name} is not a whole number: {value!r}")
        return int(value)
    return float(value)


def report_line(event: dict[str, Any]) -> bytes:
    """The ``platform_report`` line (JSON, newline-terminated) of a ``platform.report``."""
    return line_of(report_fields(event))


def line_of(fields: dict[str, Any]) -> bytes:
    """The ``platform_report`` line of ``report_fields``' answer."""
    return (dumps(fields) + "\n").encode()
