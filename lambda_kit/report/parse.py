"""Reading REPORT lines: one log line in, the invocations it reports out.

    from lambda_kit.report.parse import parse_line
    [s] = parse_line("REPORT RequestId: 1\\tDuration: 27.55 ms\\tBilled Duration: 28 ms\\t"
                     "Memory Size: 1024 MB\\tMax Memory Used: 472 MB")
    s.billed_ms, s.memory_mb   # (28, 1024)

Forms understood (examples with their sources: ``tests/fixtures/report_corpus.jsonl``):

* the text REPORT line CloudWatch prints, bare or after a timestamp and log-stream
  prefix (``sam logs``, ``aws logs tail``), tab- or space-separated, with
  ``Init Duration``, SnapStart's ``Restore Duration`` / ``Billed Restore Duration``,
  ``Status: timeout|error`` and ``Error Type``, and the XRAY line that may follow
  (not a REPORT line: skipped);
* the JSON platform events of ``AWS_LAMBDA_LOG_FORMAT=JSON`` and the Telemetry API:
  ``platform.report`` is an invocation; ``platform.initReport``, ``platform.start``,
  ``platform.runtimeDone`` are recognised and skipped;
* REPORT lines inside JSON strings, as ``aws logs filter-log-events`` /
  ``get-log-events`` and Logs Insights exports print them (``"message"`` /
  ``"@message"``), several on one line if need be;
* lambda_kit's own invocation records (``"type": "invocation"``), and its
  ``platform_report`` lines (``LAMBDA_KIT_PLATFORM=1``: Lambda's figures from the
  Telemetry API, docs/platform.md).

A line that is none of these is skipped; a line that claims to be a REPORT but
cannot be read raises :class:`Malformed` with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

_REPORT = "REPORT RequestId:"
# Longest names first, so "Billed Restore Duration" is never read as "Restore Duration".
_FIELD = re.compile(
    r"\b(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Max Memory Used"
    r"|Memory Size|Duration|Status|Error Type): *(\S+)"
)
_REQUEST_ID = re.compile(r"REPORT RequestId: *([^\s\t]+)")
_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})")
_LOG_GROUP = re.compile(r"/aws/lambda/([A-Za-z0-9_\-]+)")
# "message": "..." (filter-log-events, get-log-events), "@message": "..." (Insights export),
# "field": "@message", "value": "..." (Insights GetQueryResults)
_MESSAGE_KEY = re.compile(r'"@?message"\s*:\s*"|"field"\s*:\s*"@message"\s*,\s*"value"\s*:\s*"')
_EPOCH_MS = re.compile(r'"timestamp"\s*:\s*(\d{12,14})\b')
_decoder = json.JSONDecoder()


class Malformed(ValueError):
    """A REPORT line (or platform.report event) that cannot be read; the message says why."""


class Sample:
    """One invocation as a REPORT line (or record) tells it.

    ``billed_ms`` is what AWS billed (on SnapStart it already includes the
    Billed Restore Duration). ``reported_cost_usd`` is set for lambda_kit's own
    records, which carry their estimate.
    """

    __slots__ = (
        "architecture",
        "billed_ms",
        "billed_restore_ms",
        "duration_ms",
        "error_type",
        "function",
        "init_ms",
        "max_memory_mb",
        "memory_mb",
        "reported_cost_usd",
        "request_id",
        "restore_ms",
        "status",
        "timestamp",
    )

    def __init__(
        self,
        duration_ms: float,
        billed_ms: int,
        memory_mb: int,
        max_memory_mb: int,
        *,
        init_ms: float | None = None,
        restore_ms: float | None = None,
        billed_restore_ms: int | None = None,
        status: str = "success",
        error_type: str | None = None,
        request_id: str | None = None,
        function: str | None = None,
        timestamp: str | None = None,
        architecture: str | None = None,
        reported_cost_usd: float | None = None,
    ) -> None:
        self.duration_ms = duration_ms
        self.billed_ms = billed_ms
        self.memory_mb = memory_mb
        self.max_memory_mb = max_memory_mb
        self.init_ms = init_ms
        self.restore_ms = restore_ms
        self.billed_restore_ms = billed_restore_ms
        self.status = status
        self.error_type = error_type
        self.request_id = request_id
        self.function = function
        self.timestamp = timestamp
        self.architecture = architecture
        self.reported_cost_usd = reported_cost_usd

    @property
    def cold_start(self) -> bool:
        """A new execution environment: INIT ran, or a SnapStart snapshot was restored."""
        return self.init_ms is not None or self.restore_ms is not None

    @property
    def out_of_memory(self) -> bool:
        """The runtime ran out of memory (``Runtime.OutOfMemory``)."""
        return self.error_type is not None and "OutOfMemory" in self.error_type

    def __repr__(self) -> str:
        return f"Sample({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise Malformed(f"{what} is not a number: {text!r}") from None
    if not value >= 0:  # also refuses NaN
        raise Malformed(f"{what} must not be negative: {text!r}")
    return value


def _timestamp(text: str) -> str | None:
    m = _TIMESTAMP.search(text)
    return f"{m.group(1)}T{m.group(2)}:{m.group(3)}" if m else None


def parse_report_text(
    line: str, *, function: str | None = None, timestamp: str | None = None
) -> Sample:
    """Read a text REPORT line (the part from ``REPORT RequestId:`` on, prefixes allowed)."""
    at = line.find(_REPORT)
    if at < 0:
        raise Malformed("no 'REPORT RequestId:'")
    body = line[at:]
    # The XRAY line is a line of its own, but some tools join it on: stop before it.
    xray = body.find("XRAY TraceId:")
    if xray > 0:
        body = body[:xray]
    fields: dict[str, str] = {}
    for m in _FIELD.finditer(body):
        fields.setdefault(m.group(1), m.group(2))
    missing = [
        k
        for k in ("Duration", "Billed Duration", "Memory Size", "Max Memory Used")
        if k not in fields
    ]
    if missing:
        raise Malformed(f"missing {', '.join(missing)}")
    rid = _REQUEST_ID.search(body)
    status = fields.get("Status", "success")
    error_type = fields.get("Error Type")
    init = fields.get("Init Duration")
    restore = fields.get("Restore Duration")
    billed_restore = fields.get("Billed Restore Duration")
    prefix = line[:at]
    return Sample(
        _number(fields["Duration"], "Duration"),
        int(_number(fields["Billed Duration"], "Billed Duration")),
        int(_number(fields["Memory Size"], "Memory Size")),
        int(_number(fields["Max Memory Used"], "Max Memory Used")),
        init_ms=None if init is None else _number(init, "Init Duration"),
        restore_ms=None if restore is None else _number(restore, "Restore Duration"),
        billed_restore_ms=None
        if billed_restore is None
        else int(_number(billed_restore, "Billed Restore Duration")),
        status="error" if error_type and status == "success" else status,
        error_type=error_type,
        request_id=rid.group(1) if rid else None,
        function=function or _function_in(prefix),
        timestamp=timestamp or _timestamp(prefix),
    )


def _epoch_stamp(text: str) -> str | None:
    """The envelope's ``"timestamp": <epoch ms>`` (filter-log-events), as ``YYYY-MM-DDTHH:MM``."""
    m = _EPOCH_MS.search(text)
    if not m:
        return None
    import time

    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(int(m.group(1)) / 1000))


def _function_in(text: str) -> str | None:
    m = _LOG_GROUP.search(text)
    return m.group(1) if m else None


def _metric(metrics: dict[str, Any], key: str, required: bool = True) -> float | None:
    value = metrics.get(key)
    if value is None:
        if required:
            raise Malformed(f"platform.report without metrics.{key}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise Malformed(f"platform.report metrics.{key} is not a duration or size: {value!r}")
    return float(value)


def parse_platform_report(event: dict[str, Any], *, function: str | None = None) -> Sample:
    """Read a ``platform.report`` event (``{"time", "type", "record": {"metrics", "status"}}``)."""
    record = event.get("record")
    if not isinstance(record, dict) or not isinstance(record.get("metrics"), dict):
        raise Malformed("platform.report without record.metrics")
    metrics = record["metrics"]
    duration = _metric(metrics, "durationMs")
    billed = _metric(metrics, "billedDurationMs")
    memory = _metric(metrics, "memorySizeMB")
    used = _metric(metrics, "maxMemoryUsedMB")
    assert duration is not None and billed is not None and memory is not None and used is not None
    billed_restore = _metric(metrics, "billedRestoreDurationMs", False)
    error_type = record.get("errorType")
    time = event.get("time")
    return Sample(
        duration,
        int(billed),
        int(memory),
        int(used),
        init_ms=_metric(metrics, "initDurationMs", False),
        restore_ms=_metric(metrics, "restoreDurationMs", False),
        billed_restore_ms=None if billed_restore is None else int(billed_restore),
        status=str(record.get("status") or "success"),
        error_type=str(error_type) if error_type else None,
        request_id=record.get("requestId"),
        function=function,
        timestamp=_timestamp(time) if isinstance(time, str) else None,
    )


def parse_platform_line(line: dict[str, Any]) -> Sample:
    """Read one of lambda_kit's ``platform_report`` lines (Lambda's own figures)."""
    try:
        duration = _number(str(line["duration_ms"]), "duration_ms")
        billed = int(_number(str(line["billed_duration_ms"]), "billed_duration_ms"))
        memory = int(_number(str(line["function_memory_size"]), "function_memory_size"))
        used = int(_number(str(line["max_memory_used_mb"]), "max_memory_used_mb"))
    except KeyError as missing:
        raise Malformed(f"platform_report line without {missing.args[0]}") from None
    optional = {}
    for key in ("init_duration_ms", "restore_duration_ms", "billed_restore_duration_ms"):
        value = line.get(key)
        optional[key] = None if value is None else _number(str(value), key)
    billed_restore = optional["billed_restore_duration_ms"]
    ts = line.get("timestamp")
    error_type = line.get("error_type")
    return Sample(
        duration,
        billed,
        memory,
        used,
        init_ms=optional["init_duration_ms"],
        restore_ms=optional["restore_duration_ms"],
        billed_restore_ms=None if billed_restore is None else int(billed_restore),
        status=str(line.get("status") or "success"),
        error_type=str(error_type) if error_type else None,
        request_id=line.get("function_request_id"),
        timestamp=_timestamp(ts) if isinstance(ts, str) else None,
    )


def parse_record(record: dict[str, Any]) -> Sample:
    """Read one of lambda_kit's own invocation records (``"type": "invocation"``)."""
    try:
        duration = _number(str(record["duration_ms"]), "duration_ms")
        billed = int(_number(str(record["billed_duration_ms"]), "billed_duration_ms"))
        memory = int(_number(str(record["function_memory_size"]), "function_memory_size"))
        used = int(_number(str(record.get("max_memory_used_mb", 0)), "max_memory_used_mb"))
    except KeyError as missing:
        raise Malformed(f"invocation record without {missing.args[0]}") from None
    init = record.get("init_duration_ms") if record.get("cold_start") else None
    cost = record.get("cost_usd")
    ts = record.get("timestamp")
    status = record.get("status") or "success"
    return Sample(
        duration,
        billed,
        memory,
        used,
        init_ms=None if init is None else _number(str(init), "init_duration_ms"),
        status=str(status),
        error_type=record.get("error_type"),
        request_id=record.get("function_request_id"),
        function=record.get("function_name") or record.get("service"),
        timestamp=_timestamp(ts) if isinstance(ts, str) else None,
        architecture=record.get("architecture"),
        reported_cost_usd=float(cost) if isinstance(cost, int | float) else None,
    )


#: the JSON line types that are one invocation each
_INVOCATIONS = ("platform.report", "invocation", "platform_report")
_SKIPPED_PLATFORM = frozenset(
    {
        "platform.initReport",
        "platform.start",
        "platform.runtimeDone",
        "platform.initStart",
        "platform.initRuntimeDone",
        "platform.restoreStart",
        "platform.restoreRuntimeDone",
        "platform.restoreReport",
        "platform.extension",
        "platform.telemetrySubscription",
        "platform.logsDropped",
    }
)


def _from_object(obj: dict[str, Any], function: str | None) -> list[Sample]:
    kind = obj.get("type")
    if kind == "platform.report":
        return [parse_platform_report(obj, function=function)]
    if kind == "invocation":
        return [parse_record(obj)]
    if kind == "platform_report":
        return [parse_platform_line(obj)]
    return []


def _embedded(line: str) -> list[Sample]:
    """REPORT lines inside JSON strings ("message" / "@message"), with their envelope's facts.

    Each message is dated and named from its own envelope: the text between the
    previous message and this one, and a little after it (one line may hold a
    whole ``filter-log-events`` answer).
    """
    found: list[Sample] = []
    previous_end = 0
    matches = list(_MESSAGE_KEY.finditer(line))
    for i, m in enumerate(matches):
        try:
            text, end = _decoder.raw_decode(line, m.end() - 1)
        except ValueError:
            raise Malformed('a JSON "message" string that does not end') from None
        next_start = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        envelope = line[previous_end : m.start()] + line[end : min(next_start, end + 300)]
        previous_end = end
        if not isinstance(text, str):
            continue
        function = _function_in(envelope)
        stamp = _timestamp(envelope) or _epoch_stamp(envelope)
        if _REPORT in text:
            found.append(parse_report_text(text, function=function, timestamp=stamp))
        elif text.lstrip().startswith("{"):
            try:
                inner = json.loads(text)
            except ValueError:
                continue
            if isinstance(inner, dict):
                found.extend(_from_object(inner, function))
    return found


def parse_line(line: str) -> list[Sample]:
    """The invocations one log line reports: usually zero or one, several for JSON exports.

    Raises :class:`Malformed` for a REPORT line or report event that cannot be read.

    >>> parse_line("START RequestId: 1 Version: $LATEST")
    []
    """
    stripped = line.strip()
    if not stripped:
        return []
    if stripped[0] == "{" and stripped[-1] == "}" and '"type"' in stripped:
        try:
            obj = json.loads(stripped)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and obj.get("type") in _INVOCATIONS:
            return _from_object(obj, None)
        if isinstance(obj, dict) and obj.get("type") in _SKIPPED_PLATFORM:
            return []
    if _REPORT in stripped and "message" in stripped and _MESSAGE_KEY.search(stripped):
        return _embedded(stripped)
    if "platform.report" in stripped and _MESSAGE_KEY.search(stripped):
        return _embedded(stripped)
    if _REPORT in stripped:
        return [parse_report_text(stripped)]
    return []
