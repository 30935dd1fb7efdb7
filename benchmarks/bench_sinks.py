"""Per-invocation overhead of each observability sink, against no sink, in the same run.

    make bench      (or: pytest benchmarks/bench_sinks.py --benchmark-only)

Each benchmark times a trivial handler under ``@instrument`` (writing its record
to /dev/null) with one sink on; the end-of-run summary prints each sink's
overhead over the same wrapper with no sink, and the ratio.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from conftest import report_figure
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

from lambda_kit import environment, instrument


class Discard(SpanExporter):
    """An exporter that accepts spans and keeps nothing (the export itself is not measured)."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


@pytest.fixture(scope="module")
def xray_daemon() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # never read: the kernel drops
    sock.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def make(context: Any, **options: Any) -> Callable[[], Any]:
    @instrument(service="bench", output=os.devnull, **options)
    def handler(event: Any, context: Any) -> Any:
        return event

    event = {"k": 1}
    handler(event, context)  # the cold start is not what we measure
    return lambda: handler(event, context)


_medians: dict[str, float] = {}


def compare(benchmark: Any, call: Callable[[], Any], case: str, baseline: bool = False) -> None:
    """Benchmark ``call``; the summary prints its overhead over the no-sink baseline."""
    benchmark.extra_info.update(role="baseline" if baseline else "subject", case=case)
    benchmark(call)
    if benchmark.disabled or benchmark.stats is None:
        return
    median = benchmark.stats.stats.median
    _medians[case] = median
    base = _medians.get("no sink")
    if base and not baseline:
        benchmark.extra_info["ratio_vs_no_sink"] = round(median / base, 2)
        report_figure(
            f"[sinks] {case}: {median * 1e6:.1f} us per invocation, "
            f"+{(median - base) * 1e6:.1f} us, x{median / base:.2f} the no-sink wrapper"
        )


@pytest.fixture(autouse=True)
def _warm() -> None:
    environment.reset()


@pytest.mark.benchmark(group="sinks")
def test_no_sink(benchmark: Any, lambda_context: Any) -> None:
    call = make(lambda_context, metrics=False, otel=False, xray=False)
    compare(benchmark, call, "no sink", baseline=True)


@pytest.mark.benchmark(group="sinks")
def test_emf_sink(benchmark: Any, lambda_context: Any) -> None:
    compare(benchmark, make(lambda_context, metrics=True), "EMF")


@pytest.mark.benchmark(group="sinks")
def test_otel_sink(benchmark: Any, lambda_context: Any) -> None:
    from lambda_kit.sinks.otel import OtelSink

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Discard()))
    call = make(lambda_context, sinks=[OtelSink(tracer_provider=provider)])
    compare(benchmark, call, "OpenTelemetry")


@pytest.mark.benchmark(group="sinks")
def test_xray_sink(benchmark: Any, lambda_context: Any, xray_daemon: str) -> None:
    from aws_xray_sdk.core import AWSXRayRecorder

    from lambda_kit.sinks.xray import XRaySink

    recorder = AWSXRayRecorder()
    recorder.configure(daemon_address=xray_daemon, context_missing="IGNORE_ERROR")
    compare(benchmark, make(lambda_context, sinks=[XRaySink(recorder)]), "X-Ray")


class Hang(SpanExporter):
    """An exporter whose export blocks until released (a collector that never answers)."""

    def __init__(self) -> None:
        import threading

        self.release = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.release.wait(600)
        return SpanExportResult.SUCCESS


@pytest.mark.benchmark(group="sinks")
def test_otel_sink_while_the_exporter_is_stuck(benchmark: Any, lambda_context: Any) -> None:
    # after one export overran its bound, each invocation skips its span without waiting
    from lambda_kit.sinks import otel
    from lambda_kit.sinks.otel import OtelSink

    exporter = Hang()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    try:
        call = make(lambda_context, sinks=[OtelSink(tracer_provider=provider, flush_timeout_ms=5)])
        assert otel._worker.stuck
        compare(benchmark, call, "OpenTelemetry, exporter stuck")
    finally:
        exporter.release.set()
        assert otel._worker.wait_idle(30)
