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

A line that is none of these is skipped; a line that claims to be a REPORT (or a
``platform.report`` event, or one of our records) but cannot be read raises
:class:`Malformed` with the reason: a field missing or not a number, a value
outside what Lambda can print (:mod:`lambda_kit.report.values` has the bounds),
JSON that does not parse or nests too deeply.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lambda_kit.report.events import parse_platform_line, parse_platform_report, parse_record
from lambda_kit.report.sample import Sample, minute_of
from lambda_kit.report.values import (
    Malformed,
    duration_ms,
    memory_size_mb,
    memory_used_mb,
    whole_ms,
)

__all__ = [
    "Malformed",
    "Sample",
    "parse_line",
    "parse_platform_line",
    "parse_platform_report",
    "parse_record",
]

_REPORT = "REPORT RequestId:"
# Longest names first, so "Billed Restore Duration" is never read as "Restore Duration".
_FIELD = re.compile(
    r"\b(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Max Memory Used"
    r"|Memory Size|Duration|Status|Error Type): *(\S+)"
)
_REQUEST_ID = re.compile(r"REPORT RequestId: *([^\s\t]+)")
_LOG_GROUP = re.compile(r"/aws/lambda/([A-Za-z0-9_\-]+)")
# "message": "..." (filter-log-events, get-log-events), "@message": "..." (Insights export),
# "field": "@message", "value": "..." (Insights GetQueryResults)
_MESSAGE_KEY = re.compile(r'"@?message"\s*:\s*"|"field"\s*:\s*"@message"\s*,\s*"value"\s*:\s*"')
_EPOCH_MS = re.compile(r'"timestamp"\s*:\s*(\d{12,14})\b')
# a JSON line that says it is a report event or one of our records (then it must parse)
_CLAIMS = re.compile(r'"type"\s*:\s*"(?:platform\.report|invocation|platform_report)"')
_decoder = json.JSONDecoder()


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
        duration_ms(fields["Duration"], "Duration"),
        whole_ms(fields["Billed Duration"], "Billed Duration"),
        memory_size_mb(fields["Memory Size"], "Memory Size"),
        memory_used_mb(fields["Max Memory Used"], "Max Memory Used"),
        init_ms=None if init is None else duration_ms(init, "Init Duration"),
        restore_ms=None if restore is None else duration_ms(restore, "Restore Duration"),
        billed_restore_ms=None
        if billed_restore is None
        else whole_ms(billed_restore, "Billed Restore Duration"),
        status="error" if error_type and status == "success" else status,
        error_type=error_type,
        request_id=rid.group(1) if rid else None,
        function=function or _function_in(prefix),
        timestamp=timestamp or minute_of(prefix),
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


#: the largest JSON object parsed whole (a report event or record is a few hundred
#: bytes; 256 KB was CloudWatch's largest event until April 2025, 1 MB since: AWS SDK
#: docs, InputLogEvent.message): it bounds the memory the parser's objects take
MAX_EVENT_CHARS = 256 << 10


def _json(text: str) -> Any:
    """``json.loads``, with nesting too deep for the parser, or a text larger than any
    event, as a plain ValueError."""
    if len(text) > MAX_EVENT_CHARS:
        raise ValueError("larger than a report event or record: over 256 KB")
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _claimed(err: ValueError) -> Malformed:
    return Malformed(f"not valid JSON ({str(err).split(':')[0][:60]})")


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
        stamp = minute_of(envelope) or _epoch_stamp(envelope)
        if _REPORT in text:
            found.append(parse_report_text(text, function=function, timestamp=stamp))
        elif text.lstrip().startswith("{"):
            try:
                inner = _json(text)
            except ValueError as err:
                if _CLAIMS.search(text):
                    raise _claimed(err) from None
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
            obj = _json(stripped)
        except ValueError as err:
            if _CLAIMS.search(stripped):
                raise _claimed(err) from None
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
