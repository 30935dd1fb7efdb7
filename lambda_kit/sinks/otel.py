"""OpenTelemetry: each invocation as a span, with the record's facts as attributes.

Depends on ``opentelemetry-api`` only (the ``otel`` extra); the application
chooses the SDK and exporter. With no tracer provider configured the sink does
nothing. Enabled by ``@instrument(otel=True)`` or ``LAMBDA_KIT_OTEL=1``.

The span follows the OpenTelemetry semantic conventions for FaaS spans and AWS
Lambda (opentelemetry.io/docs/specs/semconv/faas/faas-spans/ and .../aws-lambda/):
named after the function, kind SERVER (CONSUMER for message and stream
batches), with ``faas.trigger``, ``faas.invocation_id``, ``faas.coldstart``,
``cloud.provider``, ``cloud.platform``, ``cloud.region``, ``cloud.resource_id``,
``cloud.account.id``, ``faas.name``, ``faas.version``, ``faas.max_memory``
(bytes), ``faas.instance`` (the log stream), and lambda_kit's own facts under
``lambda_kit.*``. Its parent comes from the event's HTTP headers (the global
propagator: W3C ``traceparent`` by default) or an X-Ray trace header. An
exception is recorded on the span (``exception`` event, ``error.type``, status
ERROR) and goes on to the caller untouched.

On a cold start, the record's ``init`` becomes child spans: one
``lambda_kit.init`` per phase, laid end to end from the process start, and one
``lambda_kit.import`` per slow import under the imports phase; spans shorter
than ``LAMBDA_KIT_OTEL_MIN_SPAN_MS`` (default 1 ms) are left out.

A frozen environment sends nothing, so the provider is flushed at the end of
every invocation, in a background thread waited for at most
``LAMBDA_KIT_OTEL_FLUSH_TIMEOUT_MS`` (default 1000 ms): a hung exporter costs
the invocation that long, once, and never its result.
"""

from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.trace.status import Status, StatusCode

from lambda_kit import settings
from lambda_kit.sinks import otel_event
from lambda_kit.sinks._bounded import BoundedWorker

if TYPE_CHECKING:
    from lambda_kit.sinks.protocol import StartEvent

_worker = BoundedWorker("opentelemetry")

#: record key -> span attribute, set when the record has the key
_RECORD_ATTRIBUTES = (
    ("service", "lambda_kit.service"),
    ("init_type", "lambda_kit.init_type"),
    ("proactive_init", "lambda_kit.proactive_init"),
    ("invocation_count", "lambda_kit.invocation_count"),
    ("duration_ms", "lambda_kit.duration_ms"),
    ("billed_duration_ms", "lambda_kit.billed_duration_ms"),
    ("init_duration_ms", "lambda_kit.init_duration_ms"),
    ("max_memory_used_mb", "lambda_kit.max_memory_used_mb"),
    ("cost_usd", "lambda_kit.cost_usd"),
    ("status", "lambda_kit.status"),
)


#: time left for Lambda's own work after our flush, when the invocation is near its timeout
_MARGIN_S = 0.05


class _Started:
    """One invocation's span, the context token that made it current, and its deadline."""

    __slots__ = ("deadline", "origin_ns", "span", "token")

    def __init__(self, span: Any, token: Any, deadline: float | None, origin_ns: int) -> None:
        self.span = span
        self.token = token
        self.deadline = deadline  # time.monotonic() when Lambda would time the invocation out
        self.origin_ns = origin_ns  # when the process started (time.time_ns), for init spans


class OtelSink:
    """Turns each invocation into an OpenTelemetry span (see the module docstring).

    >>> @instrument(otel=True)          # or LAMBDA_KIT_OTEL=1
    ... def handler(event, context): ...
    """

    __slots__ = ("flush_timeout_s", "min_span_ns", "provider", "tracer")

    def __init__(
        self,
        *,
        tracer_provider: Any = None,
        flush_timeout_ms: float | None = None,
        min_span_ms: float | None = None,
    ) -> None:
        if flush_timeout_ms is None:
            flush_timeout_ms = settings.env_float(settings.OTEL_FLUSH_TIMEOUT_MS, 1000.0)
        if min_span_ms is None:
            min_span_ms = settings.env_float(settings.OTEL_MIN_SPAN_MS, 1.0)
        self.flush_timeout_s = flush_timeout_ms / 1000
        self.min_span_ns = int(min_span_ms * 1_000_000)
        from lambda_kit._version import __version__

        # without a provider of its own, a ProxyTracer: it follows whatever provider the
        # application sets, also after the decorator ran
        self.provider = tracer_provider
        self.tracer = trace.get_tracer("lambda_kit", __version__, tracer_provider=tracer_provider)

    def start(self, call: StartEvent) -> _Started | None:
        """Open the invocation's span and make it current for the handler's own spans."""
        event, context = call.event, call.context
        if self.provider is None and isinstance(
            trace.get_tracer_provider(), trace.ProxyTracerProvider
        ):
            return None  # no SDK configured: nothing would be recorded
        faas_trigger, consumer = otel_event.trigger(event)
        headers = otel_event.headers(event)
        parent = propagate.extract(headers) if headers else None
        if parent is None or not trace.get_current_span(parent).get_span_context().is_valid:
            parent = _xray_context(headers)
        name = call.function_name or "handler"
        attrs = _context_attributes(context, call.function_memory_size)
        attrs["faas.trigger"] = faas_trigger
        if faas_trigger == "http" and isinstance(event, dict):
            attrs.update(otel_event.http_attributes(event))
        links = _message_links(event) if consumer else ()
        span = self.tracer.start_span(
            name,
            context=parent,
            kind=SpanKind.CONSUMER if consumer else SpanKind.SERVER,
            attributes=attrs,
            links=links,
            start_time=call.wall_ns,
        )
        token = otel_context.attach(trace.set_span_in_context(span))
        return _Started(span, token, _deadline(call), call.env.process_start_ns)

    def finish(
        self, state: _Started | None, record: dict[str, Any] | None, exc: BaseException | None
    ) -> None:
        """Close the span with the record's facts, then flush with a bounded wait."""
        if state is None:
            return
        end_ns = time.time_ns()
        span = state.span
        with contextlib.suppress(Exception):  # a handler that changed threads
            otel_context.detach(state.token)
        children: list[tuple[str, int, int, dict[str, Any]]] = []
        if record is not None:
            for key, attr in _RECORD_ATTRIBUTES:
                value = record.get(key)
                if value is not None:
                    span.set_attribute(attr, value)
            span.set_attribute("faas.coldstart", bool(record.get("cold_start")))
            init = record.get("init")
            if isinstance(init, dict):
                children = self._init_spans(init, state.origin_ns)
        if exc is not None:
            span.record_exception(exc, escaped=True)
            span.set_attribute("error.type", f"{type(exc).__module__}.{type(exc).__qualname__}")
            span.set_status(Status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}"[:256]))
        parent_context = trace.set_span_in_context(span)
        tracer = self.tracer

        def end_and_flush() -> None:
            # exporting happens here (a simple processor exports in end()), not in the handler
            made: dict[str, Any] = {}
            for name, start, end, attrs in children:
                parent_key = attrs.pop("_parent", None)
                ctx = trace.set_span_in_context(made[parent_key]) if parent_key else parent_context
                child = tracer.start_span(name, context=ctx, attributes=attrs, start_time=start)
                child.end(end_time=end)
                made[attrs.get("lambda_kit.init.phase", "")] = child
            span.end(end_time=end_ns)
            provider = self.provider or trace.get_tracer_provider()
            flush = getattr(provider, "force_flush", None)
            if flush is not None:
                flush(int(self.flush_timeout_s * 1000))

        timeout = self.flush_timeout_s
        if state.deadline is not None:
            # never wait past the invocation's own timeout: Lambda would kill it
            timeout = max(0.0, min(timeout, state.deadline - time.monotonic() - _MARGIN_S))
        _worker.run(end_and_flush, timeout)

    def _init_spans(
        self, init: dict[str, Any], origin_ns: int
    ) -> list[tuple[str, int, int, dict[str, Any]]]:
        """(name, start ns, end ns, attributes) of the init phases and slow imports.

        Phases are laid end to end from the process start, in the record's order (it
        lists them in the order they happen). An import carries its own offset from
        the process start in ``start_ms`` when the profiler knows it; without one,
        imports are laid end to end from the start of the imports phase.
        """
        origin = origin_ns
        spans: list[tuple[str, int, int, dict[str, Any]]] = []
        phases = init.get("phases")
        imports_start = origin
        at = origin
        if isinstance(phases, dict):
            for key, ms in phases.items():
                if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms < 0:
                    continue
                phase = key[:-3] if key.endswith("_ms") else key
                length = int(ms * 1_000_000)
                if phase == "imports":
                    imports_start = at
                if length >= self.min_span_ns:
                    attrs = {"lambda_kit.init.phase": phase, "lambda_kit.duration_ms": ms}
                    spans.append(("lambda_kit.init", at, at + length, attrs))
                at += length
        has_imports_span = any(s[3]["lambda_kit.init.phase"] == "imports" for s in spans)
        at = imports_start
        for item in init.get("top_imports") or ():
            if not isinstance(item, dict):
                continue
            ms = item.get("cumulative_ms")
            if not isinstance(ms, (int, float)) or isinstance(ms, bool) or ms < 0:
                continue
            length = int(ms * 1_000_000)
            offset = item.get("start_ms")
            start = origin + int(offset * 1_000_000) if isinstance(offset, (int, float)) else at
            at = max(at, start + length)
            if length < self.min_span_ns:
                continue
            attrs = {
                "lambda_kit.import.module": str(item.get("module")),
                "lambda_kit.import.cumulative_ms": ms,
            }
            if isinstance(item.get("self_ms"), (int, float)):
                attrs["lambda_kit.import.self_ms"] = item["self_ms"]
            if has_imports_span:
                attrs["_parent"] = "imports"
            spans.append(("lambda_kit.import", start, start + length, attrs))
        return spans


def _message_links(event: Any) -> list[Link]:
    links = []
    for header in otel_event.message_trace_headers(event):
        parsed = otel_event.parse_xray_header(header)
        if parsed is not None:
            trace_id, span_id, sampled = parsed
            flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
            links.append(Link(SpanContext(trace_id, span_id, True, flags)))
    return links


def _deadline(call: StartEvent) -> float | None:
    """When Lambda would time the invocation out, on the monotonic clock."""
    deadline_ms = call.deadline_ms  # checked by @instrument when its timeout watch is on
    if deadline_ms is not None:
        return time.monotonic() + (deadline_ms - time.time() * 1000) / 1000
    try:
        remaining = call.context.get_remaining_time_in_millis()
    except Exception:  # a context that cannot tell: no deadline but ours
        return None
    if type(remaining) in (int, float) and 0 < remaining < 86_400_000:
        return time.monotonic() + float(remaining) / 1000
    return None  # not a number of milliseconds (a mock's answer): no deadline


def _xray_context(headers: dict[str, str]) -> Any:
    parsed = otel_event.xray_parent(headers)
    if parsed is None:
        return None
    trace_id, span_id, sampled = parsed
    parent = SpanContext(
        trace_id=trace_id,
        span_id=span_id,
        is_remote=True,
        trace_flags=TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT),
    )
    return trace.set_span_in_context(NonRecordingSpan(parent))


def _context_attributes(context: Any, memory_mb: int) -> dict[str, Any]:
    arn = getattr(context, "invoked_function_arn", None)
    version = getattr(context, "function_version", None)
    attrs: dict[str, Any] = {"cloud.provider": "aws", "cloud.platform": "aws_lambda"}
    values = {
        "faas.invocation_id": getattr(context, "aws_request_id", None),
        "faas.name": getattr(context, "function_name", None),
        "faas.version": version,
        "faas.instance": getattr(context, "log_stream_name", None),
        "cloud.region": otel_event.region(arn),
        "cloud.resource_id": otel_event.resource_id(arn, version),
        "cloud.account.id": otel_event.account_id(arn),
        "aws.lambda.invoked_arn": arn,
    }
    attrs.update({k: v for k, v in values.items() if isinstance(v, str) and v})
    attrs["faas.max_memory"] = memory_mb * 1024 * 1024
    return attrs


__all__ = ["OtelSink"]
