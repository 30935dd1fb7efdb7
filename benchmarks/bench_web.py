"""Per-request overhead of lambda_kit.web's ASGI middleware against the bare app and
OpenTelemetry's ASGI middleware, in one run.

The app is called in-process with a dummy receive and send (no server, no
network), so each difference is the middleware's own. The request carries the
Lambda Web Adapter's ``x-amzn-lambda-context`` header, as every invocation on
Lambda does; lambda_kit writes its record to a file. OpenTelemetry runs with its
SDK and a span processor that drops spans, so it does its whole per-request job
(span, attributes, metrics) without an exporter's I/O.
Target: under 15 us per request and at most 0.2x OpenTelemetry's overhead.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest

_LAMBDA_CONTEXT = json.dumps(
    {
        "request_id": "8f5c4a1e-6b1d-4f7e-9c1a-2d3b4c5d6e7f",
        "deadline": int(time.time() * 1000) + 900_000,
        "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:bench-fn",
        "xray_trace_id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "client_context": None,
        "identity": None,
        "env_config": {"function_name": "bench-fn", "memory": 512, "version": "$LATEST",
                       "log_stream": "2026/11/24/[$LATEST]bench", "log_group": "/aws/lambda/bench-fn"},
    }
).encode()

# what the adapter forwards of an API Gateway HTTP API event's requestContext
_REQUEST_CONTEXT = json.dumps(
    {"accountId": "123456789012", "apiId": "r3pmxmplak", "domainName": "r3pmxmplak.execute-api.us-east-1.amazonaws.com",
     "domainPrefix": "r3pmxmplak", "http": {"method": "GET", "path": "/items/42", "protocol": "HTTP/1.1",
     "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"}, "requestId": "JKJaXmPLvHcESHA=",
     "routeKey": "$default", "stage": "$default", "time": "24/Nov/2026:01:02:03 +0000", "timeEpoch": 1795482123000},
    separators=(",", ":"),
).encode()

_SCOPE = {
    "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
    "scheme": "http", "path": "/items/42", "raw_path": b"/items/42", "query_string": b"",
    "root_path": "", "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 50000),
    "headers": [(b"host", b"127.0.0.1:8080"), (b"user-agent", b"lambda-web-adapter"),
                (b"x-amzn-request-context", _REQUEST_CONTEXT), (b"x-amzn-lambda-context", _LAMBDA_CONTEXT)],
}
_BODY = b'{"id": 42}'


async def _app(scope, receive, send):
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": _BODY})


async def _receive():
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message):
    return None


def _runner(app):
    """One request per call, on one event loop (the loop is not what is measured)."""
    loop = asyncio.new_event_loop()

    def once():
        coro = app(dict(_SCOPE), _receive, _send)
        try:
            coro.send(None)  # nothing here awaits a real future: one step runs it all
        except StopIteration:
            return True
        raise AssertionError("the app awaited something")

    return once, loop


@pytest.fixture
def adapter_env(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "bench-fn")


@pytest.mark.benchmark(group="web request")
def test_bare_asgi_app(benchmark):
    benchmark.extra_info.update(role="baseline", case="bare ASGI app")
    once, loop = _runner(_app)
    assert benchmark(once)
    loop.close()


@pytest.mark.benchmark(group="web request")
def test_lambda_kit_asgi_middleware(benchmark, adapter_env, tmp_path):
    from lambda_kit import environment
    from lambda_kit.web import ASGIMiddleware

    benchmark.extra_info.update(role="subject", case="lambda_kit ASGIMiddleware")
    environment.reset()
    out = tmp_path / "records.jsonl"
    once, loop = _runner(ASGIMiddleware(_app, service="bench", output=str(out)))
    once()  # the cold start is not what this measures
    assert benchmark(once)
    with open(out) as f:
        last = json.loads(f.readlines()[-1])
    assert last["function_request_id"] == "8f5c4a1e-6b1d-4f7e-9c1a-2d3b4c5d6e7f"
    assert last["http_status"] == 200 and last["http_response_bytes"] == len(_BODY)
    assert last["api_request_id"] == "JKJaXmPLvHcESHA="
    loop.close()
    environment.reset()


@pytest.mark.benchmark(group="web request")
def test_opentelemetry_asgi_middleware(benchmark):
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

    class _Drop(SpanExporter):
        def export(self, spans):
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(_Drop()))
    benchmark.extra_info.update(role="reference", case="OpenTelemetry ASGI middleware (SDK)")
    once, loop = _runner(OpenTelemetryMiddleware(_app, tracer_provider=provider))
    once()
    assert benchmark(once)
    loop.close()
