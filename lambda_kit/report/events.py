"""Reading the JSON forms that are one invocation each: ``platform.report`` events,
lambda_kit's ``platform_report`` lines and its invocation records.

    from lambda_kit.report.events import parse_record
    parse_record({"type": "invocation", "duration_ms": 3.2, "billed_duration_ms": 4,
                  "function_memory_size": 256}).billed_ms      # 4

Every number goes through :mod:`lambda_kit.report.values` (finite, within what
Lambda can print), and a field that should be a string and is not is malformed.
"""

from __future__ import annotations

from typing import Any

from lambda_kit.report.sample import Sample, minute_of
from lambda_kit.report.values import (
    Malformed,
    cost_usd,
    duration_ms,
    memory_size_mb,
    memory_used_mb,
    text_or_none,
    whole_ms,
)


def _metrics(event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("record")
    if not isinstance(record, dict) or not isinstance(record.get("metrics"), dict):
        raise Malformed("platform.report without record.metrics")
    metrics: dict[str, Any] = record["metrics"]
    for key in ("durationMs", "billedDurationMs", "memorySizeMB", "maxMemoryUsedMB"):
        if metrics.get(key) is None:
            raise Malformed(f"platform.report without metrics.{key}")
    return metrics


def parse_platform_report(event: dict[str, Any], *, function: str | None = None) -> Sample:
    """Read a ``platform.report`` event (``{"time", "type", "record": {"metrics", "status"}}``)."""
    metrics = _metrics(event)
    record = event["record"]

    def optional(key: str) -> float | None:
        value = metrics.get(key)
        return None if value is None else duration_ms(value, f"metrics.{key}")

    billed_restore = metrics.get("billedRestoreDurationMs")
    error_type = text_or_none(record.get("errorType"), "record.errorType")
    time = event.get("time")
    return Sample(
        duration_ms(metrics["durationMs"], "metrics.durationMs"),
        whole_ms(metrics["billedDurationMs"], "metrics.billedDurationMs"),
        memory_size_mb(metrics["memorySizeMB"], "metrics.memorySizeMB"),
        memory_used_mb(metrics["maxMemoryUsedMB"], "metrics.maxMemoryUsedMB"),
        init_ms=optional("initDurationMs"),
        restore_ms=optional("restoreDurationMs"),
        billed_restore_ms=None
        if billed_restore is None
        else whole_ms(billed_restore, "metrics.billedRestoreDurationMs"),
        status=text_or_none(record.get("status"), "record.status") or "success",
        error_type=error_type or None,
        request_id=text_or_none(record.get("requestId"), "record.requestId"),
        function=function,
        timestamp=minute_of(time) if isinstance(time, str) else None,
    )


def parse_platform_line(line: dict[str, Any]) -> Sample:
    """Read one of lambda_kit's ``platform_report`` lines (Lambda's own figures)."""
    for key in ("duration_ms", "billed_duration_ms", "function_memory_size", "max_memory_used_mb"):
        if key not in line:
            raise Malformed(f"platform_report line without {key}")

    def optional(key: str) -> float | None:
        value = line.get(key)
        return None if value is None else duration_ms(value, key)

    billed_restore = line.get("billed_restore_duration_ms")
    ts = text_or_none(line.get("timestamp"), "timestamp")
    return Sample(
        duration_ms(line["duration_ms"], "duration_ms"),
        whole_ms(line["billed_duration_ms"], "billed_duration_ms"),
        memory_size_mb(line["function_memory_size"], "function_memory_size"),
        memory_used_mb(line["max_memory_used_mb"], "max_memory_used_mb"),
        init_ms=optional("init_duration_ms"),
        restore_ms=optional("restore_duration_ms"),
        billed_restore_ms=None
        if billed_restore is None
        else whole_ms(billed_restore, "billed_restore_duration_ms"),
        status=text_or_none(line.get("status"), "status") or "success",
        error_type=text_or_none(line.get("error_type"), "error_type") or None,
        request_id=text_or_none(line.get("function_request_id"), "function_request_id"),
        timestamp=minute_of(ts) if ts else None,
    )


def parse_record(record: dict[str, Any]) -> Sample:
    """Read one of lambda_kit's own invocation records (``"type": "invocation"``)."""
    for key in ("duration_ms", "billed_duration_ms", "function_memory_size"):
        if key not in record:
            raise Malformed(f"invocation record without {key}")
    init = record.get("init_duration_ms") if record.get("cold_start") else None
    cost = record.get("cost_usd")
    ts = text_or_none(record.get("timestamp"), "timestamp")
    function = text_or_none(record.get("function_name"), "function_name")
    service = text_or_none(record.get("service"), "service")
    return Sample(
        duration_ms(record["duration_ms"], "duration_ms"),
        whole_ms(record["billed_duration_ms"], "billed_duration_ms"),
        memory_size_mb(record["function_memory_size"], "function_memory_size"),
        memory_used_mb(record.get("max_memory_used_mb", 0), "max_memory_used_mb"),
        init_ms=None if init is None else duration_ms(init, "init_duration_ms"),
        status=text_or_none(record.get("status"), "status") or "success",
        error_type=text_or_none(record.get("error_type"), "error_type"),
        request_id=text_or_none(record.get("function_request_id"), "function_request_id"),
        function=function or service,
        timestamp=minute_of(ts) if ts else None,
        architecture=text_or_none(record.get("architecture"), "architecture"),
        reported_cost_usd=None if cost is None else cost_usd(cost, "cost_usd"),
    )
