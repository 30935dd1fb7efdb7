"""OpenTelemetry: each invocation as a span, recorded by the real SDK's in-memory exporter."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from _sinks_helpers import INIT, Context, fresh_environment, with_init
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from lambda_kit import environment, instrument
from lambda_kit.sinks import otel, otel_event

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
XRAY = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


class Exporter(SpanExporter):
    """The SDK's in-memory exporter, which a test can make raise or hang."""

    def __init__(self) -> None:
        self.memory = InMemorySpanExporter()
        self.mode = "ok"
        self.raised = 0
        self.release = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.mode == "raise":
            self.raised += 1
            raise ConnectionError("collector is down")
        if self.mode == "hang":
            self.release.wait(30)
        return self.memory.export(spans)

    def shutdown(self) -> None:
        self.memory.shutdown()


_EXPORTER = Exporter()


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Exporter]:
    """A configured tracer provider (set once per process: OpenTelemetry allows no reset)."""
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    for name in ("_X_AMZN_TRACE_ID", "LAMBDA_KIT_OTEL", "LAMBDA_KIT_OTEL_MIN_SPAN_MS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    fresh_environment()
    _EXPORTER.memory.clear()
    _EXPORTER.mode = "ok"
    _EXPORTER.release.clear()
    yield _EXPORTER
    _EXPORTER.release.set()
    otel._worker.wait_idle(10)


def invocation_span(exporter: Exporter) -> ReadableSpan:
    (span,) = [s for s in exporter.memory.get_finished_spans() if s.name == "orders"]
    return span


def traced(**options: Any) -> Any:
    def handler(event: Any, context: Any) -> Any:
        if event.get("raise"):
            raise ValueError("bad order")
        return {"ok": True}

    return instrument(service="orders", output=io.StringIO(), otel=True, **options)(handler)


# -- the span and its attributes -----------------------------------------------------------
def test_invocation_is_a_server_span_named_after_the_function(spans: Exporter) -> None:
    assert traced()({}, Context()) == {"ok": True}
    span = invocation_span(spans)
    assert span.kind is SpanKind.SERVER
    assert span.status.status_code is StatusCode.UNSET


def test_span_carries_the_faas_and_cloud_semantic_conventions(spans: Exporter) -> None:
    traced()({}, Context("req-9"))
    attrs = invocation_span(spans).attributes or {}
    assert attrs["faas.invocation_id"] == "req-9"
    assert attrs["faas.coldstart"] is True
    assert attrs["faas.trigger"] == "other"
    assert attrs["faas.name"] == "orders"
    assert attrs["faas.version"] == "7"
    assert attrs["faas.max_memory"] == 512 * 1024 * 1024
    assert attrs["cloud.provider"] == "aws"
    assert attrs["cloud.region"] == "eu-west-1"
    assert attrs["cloud.account.id"] == "123456789012"
    # the function's ARN with the alias ("live") replaced by the version
    assert attrs["cloud.resource_id"] == "arn:aws:lambda:eu-west-1:123456789012:function:orders:7"


def test_span_carries_the_records_facts_under_lambda_kit(spans: Exporter) -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, otel=True)
    def handler(event: Any, context: Any) -> None:
        return None

    handler({}, Context())
    import json

    record = json.loads(out.getvalue())
    attrs = invocation_span(spans).attributes or {}
    assert attrs["lambda_kit.cost_usd"] == record["cost_usd"]
    assert attrs["lambda_kit.billed_duration_ms"] == record["billed_duration_ms"]
    assert attrs["lambda_kit.init_duration_ms"] == record["init_duration_ms"]
    assert attrs["lambda_kit.service"] == "orders"


def test_span_starts_before_and_ends_after_the_handler(spans: Exporter) -> None:
    seen: list[int] = []

    @instrument(service="orders", output=io.StringIO(), otel=True)
    def handler(event: Any, context: Any) -> None:
        import time

        seen.append(time.time_ns())

    handler({}, Context())
    span = invocation_span(spans)
    assert span.start_time is not None and span.end_time is not None
    assert span.start_time <= seen[0] <= span.end_time


def test_warm_invocation_is_not_a_cold_start(spans: Exporter) -> None:
    handler = traced()
    handler({}, Context("a"))
    handler({}, Context("b"))
    cold, warm = [s for s in spans.memory.get_finished_spans() if s.name == "orders"]
    assert (cold.attributes or {})["faas.coldstart"] is True
    assert (warm.attributes or {})["faas.coldstart"] is False


def test_handlers_own_spans_are_children_of_the_invocation_span(spans: Exporter) -> None:
    @instrument(service="orders", output=io.StringIO(), otel=True)
    def handler(event: Any, context: Any) -> None:
        with trace.get_tracer("app").start_as_current_span("query"):
            pass

    handler({}, Context())
    (query,) = [s for s in spans.memory.get_finished_spans() if s.name == "query"]
    parent = invocation_span(spans)
    assert query.parent is not None and query.parent.span_id == parent.context.span_id


# -- triggers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"httpMethod": "GET", "resource": "/pets/{id}", "path": "/pets/1"}, ("http", False)),
        (
            {"version": "2.0", "routeKey": "GET /pets", "requestContext": {"http": {}}},
            ("http", False),
        ),
        (
            {"requestContext": {"elb": {"targetGroupArn": "x"}}, "httpMethod": "POST"},
            ("http", False),
        ),
        ({"Records": [{"eventSource": "aws:sqs"}]}, ("pubsub", True)),
        ({"Records": [{"EventSource": "aws:sns"}]}, ("pubsub", True)),
        ({"Records": [{"eventSource": "aws:kinesis"}]}, ("pubsub", True)),
        ({"Records": [{"eventSource": "aws:s3"}]}, ("datasource", True)),
        ({"Records": [{"eventSource": "aws:dynamodb"}]}, ("datasource", True)),
        ({"source": "aws.events", "detail-type": "Scheduled Event"}, ("timer", False)),
        ({"order": 1}, ("other", False)),
        ("not a dict", ("other", False)),
    ],
)
def test_trigger_is_read_from_the_events_shape(event: Any, expected: tuple[str, bool]) -> None:
    assert otel_event.trigger(event) == expected


def test_sqs_batch_is_a_consumer_span_with_pubsub_trigger(spans: Exporter) -> None:
    traced()({"Records": [{"eventSource": "aws:sqs", "body": "{}"}]}, Context())
    span = invocation_span(spans)
    assert span.kind is SpanKind.CONSUMER
    assert (span.attributes or {})["faas.trigger"] == "pubsub"


def test_http_event_adds_method_and_route(spans: Exporter) -> None:
    event = {"httpMethod": "GET", "resource": "/pets/{id}", "path": "/pets/1", "headers": {}}
    traced()(event, Context())
    attrs = invocation_span(spans).attributes or {}
    assert (attrs["faas.trigger"], attrs["http.request.method"]) == ("http", "GET")
    assert (attrs["http.route"], attrs["url.path"]) == ("/pets/{id}", "/pets/1")


# -- parent context -------------------------------------------------------------------------
def test_parent_comes_from_the_traceparent_header(spans: Exporter) -> None:
    traced()({"httpMethod": "GET", "headers": {"Traceparent": TRACEPARENT}}, Context())
    span = invocation_span(spans)
    assert span.parent is not None and span.parent.is_remote
    assert span.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C
    assert span.parent.span_id == 0xB7AD6B7169203331


def test_parent_comes_from_the_x_ray_header_of_the_request(spans: Exporter) -> None:
    traced()({"httpMethod": "GET", "headers": {"X-Amzn-Trace-Id": XRAY}}, Context())
    span = invocation_span(spans)
    assert span.context.trace_id == 0x5759E988BD862E3FE1BE46A994272793
    assert span.parent is not None and span.parent.span_id == 0x53995C3F42CD8AD8


def test_parent_comes_from_lambdas_trace_header_without_http_headers(
    spans: Exporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", XRAY)
    traced()({"Records": [{"eventSource": "aws:sqs"}]}, Context())
    span = invocation_span(spans)
    assert span.context.trace_id == 0x5759E988BD862E3FE1BE46A994272793


def test_without_any_trace_header_the_span_is_a_root(spans: Exporter) -> None:
    traced()({}, Context())
    assert invocation_span(spans).parent is None


@pytest.mark.parametrize(
    "header",
    ["", "Root=1-abc;Parent=53995c3f42cd8ad8", "Root=1-5759e988-bd862e3fe1be46a994272793", "junk"],
)
def test_malformed_x_ray_header_gives_no_parent(header: str) -> None:
    assert otel_event.parse_xray_header(header) is None


# -- errors ------------------------------------------------------------------------------------
def test_exception_is_recorded_on_the_span_and_raised(spans: Exporter) -> None:
    with pytest.raises(ValueError, match="bad order"):
        traced()({"raise": True}, Context())
    span = invocation_span(spans)
    assert span.status.status_code is StatusCode.ERROR
    assert (span.attributes or {})["error.type"] == "builtins.ValueError"
    (event,) = [e for e in span.events if e.name == "exception"]
    assert (event.attributes or {})["exception.type"] == "ValueError"
    assert (event.attributes or {})["exception.message"] == "bad order"


def test_exporter_that_raises_does_not_change_the_result(
    spans: Exporter, capsys: pytest.CaptureFixture[str]
) -> None:
    spans.mode = "raise"
    assert traced()({}, Context()) == {"ok": True}
    with pytest.raises(ValueError):
        traced()({"raise": True}, Context())
    assert spans.raised >= 2


def test_exporter_that_hangs_is_waited_for_a_bounded_time(
    spans: Exporter, capsys: pytest.CaptureFixture[str]
) -> None:
    spans.mode = "hang"
    handler = traced()
    assert handler({}, Context("a")) == {"ok": True}  # returns although the export never ends
    assert "export did not finish within 50 ms" in capsys.readouterr().err
    # while it is stuck, the next invocation does not queue behind it, and nothing more is said
    assert handler({}, Context("b")) == {"ok": True}
    assert "export" not in capsys.readouterr().err
    spans.release.set()
    assert otel._worker.wait_idle(10)  # once released, the stuck export completes
    assert handler({}, Context("c")) == {"ok": True}
    assert [s.name for s in spans.memory.get_finished_spans()].count("orders") == 2  # a and c


@pytest.fixture(autouse=True)
def _short_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_KIT_OTEL_FLUSH_TIMEOUT_MS", "50")


# -- init as child spans ---------------------------------------------------------------------
def test_cold_start_init_phases_become_child_spans_end_to_end(spans: Exporter) -> None:
    with with_init():
        traced()({}, Context())
    parent = invocation_span(spans)
    phases = [s for s in spans.memory.get_finished_spans() if s.name == "lambda_kit.init"]
    names = [(s.attributes or {})["lambda_kit.init.phase"] for s in phases]
    assert names == ["runtime", "imports", "module_code"]  # other (0.5 ms) is under 1 ms
    origin = environment.get().process_start_ns
    assert phases[0].start_time == origin
    assert phases[0].end_time == phases[1].start_time == origin + 80_000_000
    assert phases[2].end_time == origin + 411_500_000
    assert all(s.parent is not None and s.parent.span_id == parent.context.span_id for s in phases)


def test_slow_imports_become_children_of_the_imports_phase(spans: Exporter) -> None:
    with with_init():
        traced()({}, Context())
    finished = spans.memory.get_finished_spans()
    (imports,) = [
        s for s in finished if (s.attributes or {}).get("lambda_kit.init.phase") == "imports"
    ]
    modules = [s for s in finished if s.name == "lambda_kit.import"]
    assert [(s.attributes or {})["lambda_kit.import.module"] for s in modules] == [
        "boto3",
        "requests",
    ]
    assert all(
        s.parent is not None and s.parent.span_id == imports.context.span_id for s in modules
    )
    boto3 = modules[0]
    assert boto3.end_time is not None and boto3.start_time is not None
    assert boto3.end_time - boto3.start_time == 210_000_000


def test_import_with_a_known_start_is_placed_there(spans: Exporter) -> None:
    init = {
        **INIT,
        "top_imports": [
            {"module": "boto3", "cumulative_ms": 20.0, "self_ms": 1.0, "start_ms": 95.0}
        ],
    }
    with with_init(init):
        traced()({}, Context())
    (span,) = [s for s in spans.memory.get_finished_spans() if s.name == "lambda_kit.import"]
    assert span.start_time == environment.get().process_start_ns + 95_000_000


def test_no_init_spans_on_a_warm_invocation(spans: Exporter) -> None:
    handler = traced()
    with with_init():
        handler({}, Context("a"))
        spans.memory.clear()
        handler({}, Context("b"))
    assert [s.name for s in spans.memory.get_finished_spans()] == ["orders"]


def test_pruning_threshold_comes_from_the_environment(
    spans: Exporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDA_KIT_OTEL_MIN_SPAN_MS", "100")
    with with_init():
        traced()({}, Context())
    finished = spans.memory.get_finished_spans()
    assert [
        (s.attributes or {})["lambda_kit.init.phase"]
        for s in finished
        if s.name == "lambda_kit.init"
    ] == ["imports"]
    assert [
        (s.attributes or {})["lambda_kit.import.module"]
        for s in finished
        if s.name == "lambda_kit.import"
    ] == ["boto3"]


# -- when it is off ------------------------------------------------------------------------------
def test_otel_is_off_unless_asked(spans: Exporter) -> None:
    @instrument(service="orders", output=io.StringIO())
    def handler(event: Any, context: Any) -> None:
        return None

    handler({}, Context())
    assert spans.memory.get_finished_spans() == ()


def test_environment_variable_turns_otel_on(
    spans: Exporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDA_KIT_OTEL", "1")

    @instrument(service="orders", output=io.StringIO())
    def orders(event: Any, context: Any) -> None:
        return None

    orders({}, Context())
    assert invocation_span(spans).kind is SpanKind.SERVER


def test_async_handler_gets_its_span_and_its_children(spans: Exporter) -> None:
    import asyncio

    @instrument(service="orders", output=io.StringIO(), otel=True)
    async def handler(event: Any, context: Any) -> str:
        await asyncio.sleep(0)
        with trace.get_tracer("app").start_as_current_span("query"):
            await asyncio.sleep(0)
        return "done"

    assert asyncio.run(handler({}, Context())) == "done"
    (query,) = [s for s in spans.memory.get_finished_spans() if s.name == "query"]
    assert query.parent is not None
    assert query.parent.span_id == invocation_span(spans).context.span_id


def test_sqs_messages_with_a_trace_header_become_links(spans: Exporter) -> None:
    other = "Root=1-6742a1b0-5f0c3e2a9d8b7c6e5f4a3b2c;Parent=7d3c2b1a09f8e7d6;Sampled=1"
    event = {
        "Records": [
            {"eventSource": "aws:sqs", "attributes": {"AWSTraceHeader": XRAY}},
            {"eventSource": "aws:sqs", "attributes": {}},
            {"eventSource": "aws:sqs", "attributes": {"AWSTraceHeader": other}},
        ]
    }
    traced()(event, Context())
    links = invocation_span(spans).links
    assert [(link.context.trace_id, link.context.span_id) for link in links] == [
        (0x5759E988BD862E3FE1BE46A994272793, 0x53995C3F42CD8AD8),
        (0x6742A1B05F0C3E2A9D8B7C6E5F4A3B2C, 0x7D3C2B1A09F8E7D6),
    ]


class ShortContext(Context):
    def get_remaining_time_in_millis(self) -> int:
        return 60  # the invocation is about to time out


def test_flush_never_waits_past_the_invocations_own_timeout(
    spans: Exporter, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMBDA_KIT_OTEL_FLUSH_TIMEOUT_MS", "30000")
    spans.mode = "hang"
    assert traced()({}, ShortContext()) == {"ok": True}
    # the wait was cut to what the invocation had left (60 ms - 50 ms margin), not 30 s
    import re

    waited = re.search(r"export did not finish within (\d+) ms", capsys.readouterr().err)
    assert waited is not None and int(waited.group(1)) <= 10


def test_invocations_in_threads_all_get_their_spans(spans: Exporter) -> None:
    handler = traced()
    threads = [threading.Thread(target=handler, args=({}, Context(f"t{i}"))) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = sorted(
        (s.attributes or {})["faas.invocation_id"]
        for s in spans.memory.get_finished_spans()
        if s.name == "orders"
    )
    assert ids == [f"t{i}" for i in range(8)]
