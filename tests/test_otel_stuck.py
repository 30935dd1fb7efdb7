"""A stuck OpenTelemetry exporter costs one bounded wait, not one per invocation.

Real SDK tracer providers (Simple and Batch span processors) in front of an exporter
whose ``export`` blocks until the test releases it.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from _sinks_helpers import Context, fresh_environment
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)

from lambda_kit import instrument
from lambda_kit.sinks import otel
from lambda_kit.sinks.otel import OtelSink


class HangingExporter(SpanExporter):
    """Blocks in ``export`` until ``release`` is set, then keeps what it got."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.exported: list[str] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.calls += 1
        self.release.wait(60)
        self.exported += [str((s.attributes or {}).get("faas.invocation_id")) for s in spans]
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        self.release.set()


@pytest.fixture(params=["simple", "batch"])
def provider(request: pytest.FixtureRequest) -> Iterator[tuple[TracerProvider, HangingExporter]]:
    exporter = HangingExporter()
    processor: Any
    if request.param == "simple":
        processor = SimpleSpanProcessor(exporter)
    else:  # a long schedule delay: only our force_flush exports
        processor = BatchSpanProcessor(exporter, schedule_delay_millis=60_000)
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(processor)
    fresh_environment()
    yield tracer_provider, exporter
    exporter.release.set()
    assert otel._worker.wait_idle(30)
    tracer_provider.shutdown()


def _handler(provider: TracerProvider, flush_timeout_ms: float) -> Any:
    sink = OtelSink(tracer_provider=provider, flush_timeout_ms=flush_timeout_ms)

    @instrument(service="orders", output=io.StringIO(), sinks=[sink])
    def handler(event: Any, context: Any) -> Any:
        return {"ok": event}

    return handler


def _in_thread(handler: Any, event: Any, request_id: str) -> Any:
    """Run one invocation in a thread; its result, or a failure if it had to wait."""
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(handler(event, Context(request_id))))
    worker.start()
    # its own flush budget is 10 minutes: returning at all means it did not wait for it
    worker.join(120)
    assert not worker.is_alive(), "the invocation waited for the stuck exporter"
    return out[0]


def test_after_one_stuck_export_later_invocations_do_not_wait(
    provider: tuple[TracerProvider, HangingExporter], capsys: pytest.CaptureFixture[str]
) -> None:
    tracer_provider, exporter = provider
    assert _handler(tracer_provider, 50)(1, Context("a")) == {"ok": 1}
    err = capsys.readouterr().err
    assert err.count("export did not finish within 50 ms") == 1
    patient = _handler(tracer_provider, 600_000)
    for i in range(5):
        assert _in_thread(patient, i, f"b{i}") == {"ok": i}
    assert otel._worker.stuck
    assert exporter.calls == 1  # the skipped invocations never reached the exporter
    assert capsys.readouterr().err == ""  # said once, not once per invocation


def test_once_the_exporter_returns_invocations_export_again(
    provider: tuple[TracerProvider, HangingExporter], capsys: pytest.CaptureFixture[str]
) -> None:
    tracer_provider, exporter = provider
    handler = _handler(tracer_provider, 50)
    handler(1, Context("a"))
    handler(2, Context("skipped"))
    exporter.release.set()
    assert otel._worker.wait_idle(30)
    assert not otel._worker.stuck
    err = capsys.readouterr().err
    assert "the stuck export returned after" in err
    assert "1 export(s) were skipped meanwhile" in err
    assert _handler(tracer_provider, 30_000)(3, Context("c")) == {"ok": 3}
    assert "c" in exporter.exported and "a" in exporter.exported


def test_stuck_exporter_keeps_the_result_and_the_exception(
    provider: tuple[TracerProvider, HangingExporter],
) -> None:
    tracer_provider, _ = provider
    sink = OtelSink(tracer_provider=tracer_provider, flush_timeout_ms=20)
    records = io.StringIO()

    @instrument(service="orders", output=records, sinks=[sink])
    def handler(event: Any, context: Any) -> Any:
        if event == "raise":
            raise KeyError("order")
        return event

    assert handler("ok", Context("a")) == "ok"
    with pytest.raises(KeyError, match="order"):
        handler("raise", Context("b"))
    lines = records.getvalue().splitlines()
    assert len(lines) == 2 and '"status":"error"' in lines[1]
