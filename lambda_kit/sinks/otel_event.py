"""What an OpenTelemetry span needs from a Lambda event: its trigger and its parent.

Kept apart from the span code and free of OpenTelemetry imports, so it is easy
to test on plain event dicts.

Sources (OpenTelemetry semantic conventions, "Semantic conventions for FaaS
spans" and "Instrumenting AWS Lambda", opentelemetry.io/docs/specs/semconv/faas/):
- ``faas.trigger`` MUST be set on the incoming span, one of ``http``,
  ``pubsub``, ``datasource``, ``timer``, ``other``;
- span kind SERVER for all triggers, CONSUMER for message batches (SQS;
  lambda_kit also uses it for SNS, Kinesis, S3 and DynamoDB streams, whose
  records are likewise consumed rather than requested);
- the X-Ray trace header (``Root=1-...;Parent=...;Sampled=1``, AWS X-Ray
  developer guide, "Tracing header") carries a parent in ``X-Amzn-Trace-Id``
  or, for the function's own active tracing, ``_X_AMZN_TRACE_ID``.
"""

from __future__ import annotations

import os
from typing import Any

from lambda_kit import settings

#: eventSource of a record in ``Records`` -> (faas.trigger, consumer kind?)
_RECORD_SOURCES = {
    "aws:sqs": "pubsub",
    "aws:sns": "pubsub",
    "aws:kinesis": "pubsub",
    "aws:s3": "datasource",
    "aws:dynamodb": "datasource",
}


def trigger(event: Any) -> tuple[str, bool]:
    """``(faas.trigger, consumer)`` from the shape of ``event``.

    >>> trigger({"httpMethod": "GET", "path": "/"})
    ('http', False)
    >>> trigger({"Records": [{"eventSource": "aws:sqs"}]})
    ('pubsub', True)
    """
    if not isinstance(event, dict):
        return "other", False
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict):
        first = records[0]
        source = first.get("eventSource") or first.get("EventSource")
        kind = _RECORD_SOURCES.get(source) if isinstance(source, str) else None
        if kind is not None:
            return kind, True
    if "httpMethod" in event or "routeKey" in event:
        return "http", False
    request_context = event.get("requestContext")
    if isinstance(request_context, dict) and (
        "http" in request_context or "elb" in request_context or "httpMethod" in request_context
    ):
        return "http", False
    if event.get("source") == "aws.events" and event.get("detail-type") == "Scheduled Event":
        return "timer", False
    return "other", False


def message_trace_headers(event: Any, limit: int = 128) -> list[str]:
    """The ``AWSTraceHeader`` system attribute of each SQS message in the batch.

    The conventions ask for one span link per message that carries it ("SQS
    Event"); ``limit`` caps a huge batch.
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        return []
    found = []
    for record in records[:limit]:
        attributes = record.get("attributes") if isinstance(record, dict) else None
        header = attributes.get("AWSTraceHeader") if isinstance(attributes, dict) else None
        if isinstance(header, str):
            found.append(header)
    return found


def http_attributes(event: dict[str, Any]) -> dict[str, str]:
    """The HTTP server attributes an API Gateway / function URL / ALB event gives."""
    attrs: dict[str, str] = {}
    request_context = event.get("requestContext")
    http = request_context.get("http") if isinstance(request_context, dict) else None
    method = event.get("httpMethod") or (http.get("method") if isinstance(http, dict) else None)
    if isinstance(method, str):
        attrs["http.request.method"] = method
    path = event.get("rawPath") or event.get("path")
    if isinstance(path, str):
        attrs["url.path"] = path
    route = event.get("resource") or event.get("routeKey")
    if isinstance(route, str) and route != "$default":
        attrs["http.route"] = route.split(" ", 1)[-1]  # "GET /pets/{id}" -> "/pets/{id}"
    return attrs


def headers(event: Any) -> dict[str, str]:
    """The event's HTTP headers with lower-case names (empty when it has none)."""
    raw = event.get("headers") if isinstance(event, dict) else None
    if not isinstance(raw, dict):
        return {}
    return {str(k).lower(): v for k, v in raw.items() if isinstance(v, str)}


def parse_xray_header(header: str | None) -> tuple[int, int, bool] | None:
    """``(trace_id, parent span_id, sampled)`` from an X-Ray trace header, or None.

    An X-Ray trace id ``1-5759e988-bd862e3fe1be46a994272793`` is the 128-bit
    W3C trace id ``5759e988bd862e3fe1be46a994272793``; ``Parent`` is the 64-bit
    span id.

    >>> ids = parse_xray_header("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8")
    >>> (hex(ids[0]), hex(ids[1]), ids[2])
    ('0x5759e988bd862e3fe1be46a994272793', '0x53995c3f42cd8ad8', False)
    """
    if not header:
        return None
    parts = {}
    for item in header.split(";"):
        key, _, value = item.strip().partition("=")
        parts[key] = value
    root = parts.get("Root", "")
    pieces = root.split("-")
    parent = parts.get("Parent", "")
    if len(pieces) != 3 or pieces[0] != "1" or len(pieces[1]) != 8 or len(pieces[2]) != 24:
        return None
    try:
        trace_id = int(pieces[1] + pieces[2], 16)
        span_id = int(parent, 16) if len(parent) == 16 else 0
    except ValueError:
        return None
    if trace_id == 0 or span_id == 0:
        return None
    return trace_id, span_id, parts.get("Sampled") == "1"


def xray_parent(event_headers: dict[str, str]) -> tuple[int, int, bool] | None:
    """The X-Ray parent: the request's ``X-Amzn-Trace-Id``, else Lambda's ``_X_AMZN_TRACE_ID``."""
    return parse_xray_header(event_headers.get("x-amzn-trace-id")) or parse_xray_header(
        os.environ.get(settings.TRACE_ID)
    )


def resource_id(arn: str | None, version: str | None) -> str | None:
    """``cloud.resource_id``: the function ARN with an alias replaced by the version.

    The conventions ask for the function's ARN, not the invoked one: the same
    environment serves every alias of one version.

    >>> resource_id("arn:aws:lambda:eu-west-1:123456789012:function:orders:live", "7")
    'arn:aws:lambda:eu-west-1:123456789012:function:orders:7'
    """
    if not arn:
        return None
    parts = arn.split(":")
    if len(parts) < 7:
        return arn
    base = ":".join(parts[:7])
    if len(parts) > 7 and version and version != "$LATEST":
        return f"{base}:{version}"
    return base


def account_id(arn: str | None) -> str | None:
    """``cloud.account.id``: the fifth field of the ARN."""
    parts = arn.split(":") if arn else []
    return parts[4] if len(parts) > 4 and parts[4] else None


def region(arn: str | None) -> str | None:
    """``cloud.region``: ``AWS_REGION``, else the ARN's fourth field."""
    env = os.environ.get(settings.REGION)
    if env:
        return env
    parts = arn.split(":") if arn else []
    return parts[3] if len(parts) > 3 and parts[3] else None
