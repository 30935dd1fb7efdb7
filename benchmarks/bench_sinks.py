"""Per-invocation overhead of each observability sink, against no sink, in the same run.

    make bench      (or: pytest benchmarks/bench_sinks.py --benchmark-only)

Each benchmark times a trivial handler under ``@instrument`` with one sink on;
``extra_info`` holds the ratio to the same handler with no sink, measured the
same way in the same process (best of several repeats), and the overhead in us.
Under ``--benchmark-disable`` (``make test``) each runs a handful of calls.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

from lambda_kit import environment, instrument


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = "512"
    aws_request_id = "req-1"
    log_stream_name = "s"


class Discard(SpanExporter):
    """An exporter that accepts spans and keeps nothing (the export itself is not measured)."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


@pytest.fixture(scope="module")
def devnull() -> Iterator[str]:
    yield os.devnull


@pytest.fixture(scope="module")
def xray_daemon() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # never read: the kernel drops
    sock.bind(("127.0.0.1", 0))
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def make(**options: Any) -> Callable[[], Any]:
    @instrument(service="bench", output=os.devnull, **options)
    def handler(event: Any, context: Any) -> Any:
        return event

    ctx = Context()
    event = {"k": 1}
    handler(event, ctx)  # the cold start is not what we measure
    return lambda: handler(event, ctx)


def per_call_ns(call: Callable[[], Any], calls: int, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter_ns() - t0) / calls)
    return best


def compare(benchmark: Any, call: Callable[[], Any], name: str) -> None:
    calls = 5 if benchmark.disabled else 2000
    baseline = make(metrics=False, otel=False, xray=False)
    base_ns = per_call_ns(baseline, calls)
    with_ns = per_call_ns(call, calls)
    benchmark.extra_info["sink"] = name
    benchmark.extra_info["no_sink_us"] = round(base_ns / 1000, 2)
    benchmark.extra_info["with_sink_us"] = round(with_ns / 1000, 2)
    benchmark.extra_info["overhead_us"] = round((with_ns - base_ns) / 1000, 2)
    benchmark.extra_info["ratio_vs_no_sink"] = round(with_ns / base_ns, 2)
    if not benchmark.disabled:
        print(
            f"\n{name}: {base_ns / 1000:.1f} us -> {with_ns / 1000:.1f} us "
            f"(x{with_ns / base_ns:.2f}, +{(with_ns - base_ns) / 1000:.1f} us per invocation)"
        )
    benchmark(call)


@pytest.fixture(autouse=True)
def _warm() -> None:
    environment.reset()


def test_no_sink(benchmark: Any) -> None:
    compare(benchmark, make(metrics=False, otel=False, xray=False), "none")


def test_emf_sink(benchmark: Any) -> None:
    compare(benchmark, make(metrics=True), "emf")


def test_otel_sink(benchmark: Any) -> None:
    from lambda_kit.sinks.otel import OtelSink

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(Discard()))
    compare(benchmark, make(sinks=[OtelSink(tracer_provider=provider)]), "otel")


def test_xray_sink(benchmark: Any, xray_daemon: str) -> None:
    from aws_xray_sdk.core import AWSXRayRecorder

    from lambda_kit.sinks.xray import XRaySink

    recorder = AWSXRayRecorder()
    recorder.configure(daemon_address=xray_daemon, context_missing="IGNORE_ERROR")
    compare(benchmark, make(sinks=[XRaySink(recorder)]), "xray")
