"""lambda_kit.web's rules and parsers, called in-process: the adapter's settings, its
headers, events to requests and responses back, and the middleware's edge cases."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit import environment
from lambda_kit.web import _adapter, events


def test_import_lambda_kit_does_not_load_the_web_package():
    code = "import sys, lambda_kit; print(any(m.startswith('lambda_kit.web') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_error_status_codes_follow_the_adapters_syntax():
    assert _adapter.parse_status_codes("500,502-504", "X") == {500, 502, 503, 504}
    s = _adapter.Settings({"AWS_LWA_ERROR_STATUS_CODES": "502-503"})
    assert s.error_codes == {502, 503} and s.under_adapter
    assert _adapter.Settings({}).error_codes == set(range(500, 600))


def test_bad_status_code_parts_are_reported_and_skipped(capsys):
    assert _adapter.parse_status_codes("500,abc,600-700,,404", "AWS_LWA_ERROR_STATUS_CODES") == {500, 404}
    err = capsys.readouterr().err
    assert "'abc' is not a status code" in err and "'600-700'" in err


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_status_code_parser_never_raises_and_stays_in_range(text):
    codes = _adapter.parse_status_codes(text, "X")
    assert all(100 <= c <= 599 for c in codes)


def test_readiness_settings_new_and_old_forms():
    s = _adapter.Settings({"AWS_LWA_READINESS_CHECK_PATH": "/health",
                           "AWS_LWA_READINESS_CHECK_HEALTHY_STATUS": "200-299"})
    assert s.readiness_path == "/health" and 204 in s.healthy and 404 not in s.healthy
    old = _adapter.Settings({"AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS": "400"})
    assert 399 in old.healthy and 400 not in old.healthy
    default = _adapter.Settings({})
    assert default.readiness_path == "/" and 404 in default.healthy and 500 not in default.healthy
    assert not default.under_adapter and _adapter.Settings({"AWS_LAMBDA_RUNTIME_API": "x"}).under_adapter


def test_lambda_context_header_gives_the_context_and_trace_root():
    raw = json.dumps({"request_id": "r1", "deadline": 1795482123000, "invoked_function_arn": "arn:x",
                      "xray_trace_id": "Root=1-a-b;Parent=c;Sampled=1",
                      "env_config": {"function_name": "f", "memory": 256, "version": "3"}})
    ctx, root = _adapter.context_from_header(raw.encode())
    assert (ctx.aws_request_id, ctx.function_name, ctx.memory_limit_in_mb) == ("r1", "f", 256)
    assert ctx._epoch_deadline_time_in_ms == 1795482123000 and root == "1-a-b"
    # the adapter guide's spelling of the deadline
    ctx2, _ = _adapter.context_from_header(json.dumps({"request_id": "r2", "deadline_ms": 5}))
    assert ctx2._epoch_deadline_time_in_ms == 5


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=64), st.text(max_size=64).map(str.encode),
                 st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=4)
                 .map(lambda d: json.dumps(d).encode())))
def test_lambda_context_parser_never_raises(raw):
    ctx, _ = _adapter.context_from_header(raw)
    assert isinstance(ctx.aws_request_id, str) and ctx.aws_request_id


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["requestId", "apiId", "x"]), st.text(max_size=12), max_size=3))
def test_api_request_id_matches_a_full_parse(data):
    raw = json.dumps(data, separators=(",", ":")).encode()
    assert _adapter.api_request_id(raw) == data.get("requestId")


@pytest.mark.parametrize("source", events.SOURCES)
def test_each_event_source_becomes_the_request_the_adapter_sends(source):
    body = b'{"q": 1}'
    event = events.make(source, path="/mcp/x", method="post", body=body, query="a=1&b=2",
                        headers={"X-Api-Key": "k"})
    method, target, headers, data, ctx = events.to_request(event)
    assert method == "POST" and target.startswith("/mcp/x?") and data == body
    assert "a=1" in target and "b=2" in target
    assert ("x-api-key", "k") in headers and isinstance(ctx, dict)


def test_binary_body_round_trips_as_base64():
    event = events.make("function-url", body=b"\xff\x00")
    assert event["isBase64Encoded"] is True
    assert events.to_request(event)[3] == b"\xff\x00"
    out = events.to_response("v2", 200, [("content-type", "image/png")], b"\x89PNG")
    assert out["isBase64Encoded"] and base64.b64decode(out["body"]) == b"\x89PNG"


def test_non_http_event_is_posted_to_the_pass_through_path():
    method, target, _, data, _ = events.to_request({"Records": []}, "/events")
    assert (method, target, json.loads(data)) == ("POST", "/events", {"Records": []})


def test_response_shapes_per_source():
    hdrs = [("content-type", "text/plain"), ("set-cookie", "a=1"), ("transfer-encoding", "chunked")]
    v2 = events.to_response("v2", 201, hdrs, b"hi")
    assert v2["cookies"] == ["a=1"] and "transfer-encoding" not in v2["headers"]
    assert (v2["statusCode"], v2["body"], v2["isBase64Encoded"]) == (201, "hi", False)
    alb = events.to_response("alb", 404, hdrs, b"")
    assert alb["statusDescription"] == "404 Not Found" and "multiValueHeaders" in alb


def _call(app, scope_headers, path="/x"):
    async def receive():
        return {"type": "http.request", "body": b""}

    sent = []

    async def send(m):
        sent.append(m)

    scope = {"type": "http", "method": "GET", "path": path, "root_path": "",
             "headers": scope_headers}
    return asyncio.run(app(scope, receive, send)), sent


def test_off_the_adapter_every_request_is_an_invocation_with_a_generated_id(monkeypatch):
    from lambda_kit.web import ASGIMiddleware

    for name in ("AWS_LAMBDA_RUNTIME_API", "AWS_LWA_PORT"):
        monkeypatch.delenv(name, raising=False)
    environment.reset()

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    out = io.StringIO()
    mw = ASGIMiddleware(app, service="laptop", output=out)
    _call(mw, [], path="/")
    _call(mw, [], path="/")
    recs = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(recs) == 2 and recs[0]["function_request_id"] != recs[1]["function_request_id"]
    assert recs[0]["cold_start"] is True and recs[1]["cold_start"] is False
    environment.reset()


def test_configured_error_codes_decide_what_is_an_error(monkeypatch):
    from lambda_kit.web import ASGIMiddleware

    monkeypatch.setenv("AWS_LWA_ERROR_STATUS_CODES", "502-504")
    environment.reset()
    status = {"code": 500}

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status["code"], "headers": []})
        await send({"type": "http.response.body", "body": b""})

    out = io.StringIO()
    mw = ASGIMiddleware(app, output=out)
    hdr = [(b"x-amzn-lambda-context", b'{"request_id":"a"}')]
    _call(mw, hdr)
    status["code"] = 503
    _call(mw, hdr)
    first, second = (json.loads(x) for x in out.getvalue().splitlines())
    assert first["status"] == "success" and first["http_status"] == 500  # not in the list
    assert second["status"] == "error" and second["error_type"] == "HTTPError"
    environment.reset()


def test_under_the_adapter_a_request_without_its_header_writes_no_record(monkeypatch):
    from lambda_kit.web import ASGIMiddleware

    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    environment.reset()

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    out = io.StringIO()
    mw = ASGIMiddleware(app, output=out)
    _, sent = _call(mw, [], path="/")
    assert sent[-1]["body"] == b"ok" and out.getvalue() == ""
    environment.reset()


def test_websocket_and_lifespan_pass_through(monkeypatch):
    from lambda_kit.web import ASGIMiddleware

    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})

    out = io.StringIO()
    mw = ASGIMiddleware(app, output=out)
    msgs = []

    async def receive():
        return {"type": "lifespan.startup"}

    async def send(m):
        msgs.append(m)

    asyncio.run(mw({"type": "lifespan"}, receive, send))
    asyncio.run(mw({"type": "websocket", "headers": []}, receive, send))
    assert seen == ["lifespan", "websocket"] and msgs == [{"type": "lifespan.startup.complete"}]
    assert out.getvalue() == ""


def test_record_line_is_the_same_with_or_without_other_sinks(monkeypatch):
    # the JSON line's fast path (no other reader) and the dict path write the same keys
    from lambda_kit.web import ASGIMiddleware

    monkeypatch.delenv("AWS_LAMBDA_RUNTIME_API", raising=False)

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"abc"})

    lines = []
    for extra_sinks in ((), (lambda record: None,)):
        environment.reset()
        out = io.StringIO()
        _call(ASGIMiddleware(app, output=out, sinks=extra_sinks),
              [(b"x-amzn-lambda-context", b'{"request_id":"same","xray_trace_id":"Root=1-a-b"}')])
        lines.append(json.loads(out.getvalue()))
    fast, slow = lines
    assert list(fast) == list(slow)
    for key in ("http_method", "http_status", "http_response_bytes", "xray_trace_id", "status"):
        assert fast[key] == slow[key]
    environment.reset()
