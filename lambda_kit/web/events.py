"""HTTP events as Lambda receives them, and what the Lambda Web Adapter makes of them.

``make`` builds an event for a source (as ``sam local generate-event`` does);
``to_request`` turns an event into the HTTP request the adapter sends the app;
``to_response`` turns the app's response into the payload Lambda returns.

Formats: API Gateway REST API (payload 1.0) and HTTP API (2.0), Function URLs (2.0)
and ALB target groups, from the AWS Lambda docs ("Using Lambda with API Gateway",
"Lambda function URLs", "Using Lambda with an Application Load Balancer"). The
adapter sends events it does not recognise as HTTP to ``AWS_LWA_PASS_THROUGH_PATH``
(default ``/events``) as a POST with the event as the body (its README, "Non-HTTP
Event Triggers"); it base64-encodes a response body unless its content type is text.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.parse
from typing import Any

SOURCES = ("apigw-v2", "apigw-v1", "function-url", "alb")
ACCOUNT = "123456789012"
_TEXT_TYPES = ("text/", "application/json", "application/javascript", "application/xml",
               "application/x-www-form-urlencoded", "image/svg+xml", "+json", "+xml")  # fmt: skip


_HOP_BY_HOP = ("transfer-encoding", "connection", "keep-alive")


class BadEvent(ValueError):
    """The event cannot be sent as an HTTP request; the message says why."""


def make(source: str, *, path: str = "/", method: str = "GET", body: bytes | None = None,
         headers: dict[str, str] | None = None, query: str = "") -> dict[str, Any]:  # fmt: skip
    """An event of ``source`` (one of ``SOURCES``) for one request.

    >>> make("apigw-v2", path="/mcp", method="POST", body=b"{}")["rawPath"]
    '/mcp'
    """
    if source not in SOURCES:
        raise BadEvent(f"unknown event source {source!r} (one of {', '.join(SOURCES)})")
    if not path.startswith("/"):
        raise BadEvent(f"--path {path!r} must start with /")
    method = method.upper()
    hdrs = {"host": "localhost", "user-agent": "lambda-kit", **(headers or {})}
    hdrs = {k.lower(): v for k, v in hdrs.items()}
    encoded, text = _body(body)
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    now = time.time()
    rid = secrets.token_hex(8)
    if source in ("apigw-v2", "function-url"):
        http = {"method": method, "path": path, "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1", "userAgent": hdrs["user-agent"]}  # fmt: skip
        api = "r3pmxmplak" if source == "apigw-v2" else "abcdefghijklmnopqrstuvwxyz012345"
        ctx: dict[str, Any] = {"accountId": ACCOUNT if source == "apigw-v2" else "anonymous",
                               "apiId": api, "domainName": f"{api}.localhost", "domainPrefix": api,
                               "http": http, "requestId": rid,
                               "routeKey": "$default", "stage": "$default",
                               "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
                               "timeEpoch": int(now * 1000)}  # fmt: skip
        event: dict[str, Any] = {"version": "2.0", "routeKey": "$default", "rawPath": path,
                                 "rawQueryString": query, "headers": hdrs}  # fmt: skip
        if params:
            event["queryStringParameters"] = params
        event["requestContext"] = ctx
    else:
        event = {"httpMethod": method, "path": path,
                 "queryStringParameters": params or None, "headers": hdrs}  # fmt: skip
        if source == "apigw-v1":
            event["resource"] = "/{proxy+}"
            event["multiValueHeaders"] = {k: [v] for k, v in hdrs.items()}
            event["requestContext"] = {"accountId": ACCOUNT, "apiId": "r3pmxmplak",
                                       "httpMethod": method, "path": f"/prod{path}",
                                       "requestId": rid, "stage": "prod",
                                       "requestTimeEpoch": int(now * 1000),
                                       "identity": {"sourceIp": "127.0.0.1"}}  # fmt: skip
        else:
            arn = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/lambda/abc123"
            event["requestContext"] = {"elb": {"targetGroupArn": arn}}
    event["body"] = text
    event["isBase64Encoded"] = encoded
    return event


def _body(body: bytes | None) -> tuple[bool, str | None]:
    if body is None:
        return False, None
    try:
        return False, body.decode("utf-8")
    except UnicodeDecodeError:
        return True, base64.b64encode(body).decode()


def kind(event: object) -> str:
    """``v2`` (HTTP API, Function URL), ``v1`` (REST API), ``alb`` or ``other``."""
    if not isinstance(event, dict):
        return "other"
    ctx = event.get("requestContext")
    if event.get("version") == "2.0" and isinstance(ctx, dict) and "http" in ctx:
        return "v2"
    if isinstance(ctx, dict) and "elb" in ctx and "httpMethod" in event:
        return "alb"
    if "httpMethod" in event and "path" in event:
        return "v1"
    return "other"


def to_request(event: object, pass_through_path: str = "/events"
               ) -> tuple[str, str, list[tuple[str, str]], bytes, Any]:  # fmt: skip
    """(method, target with query, headers, body, requestContext) as the adapter sends them."""
    which = kind(event)
    if which == "other":
        raw = json.dumps(event).encode()
        return "POST", pass_through_path, [("content-type", "application/json")], raw, None
    assert isinstance(event, dict)
    try:
        body = event.get("body") or ""
        data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    except (ValueError, TypeError, AttributeError) as exc:
        raise BadEvent(f"the event's body cannot be read: {exc}") from exc
    ctx = event.get("requestContext")
    headers: list[tuple[str, str]] = []
    if which == "v2":
        method = str(ctx["http"].get("method", "GET"))  # type: ignore[index]
        target = str(event.get("rawPath") or "/")
        if event.get("rawQueryString"):
            target += "?" + str(event["rawQueryString"])
        headers = [(str(k), str(v)) for k, v in (event.get("headers") or {}).items()]
        if event.get("cookies"):
            headers.append(("cookie", "; ".join(map(str, event["cookies"]))))
    else:
        method = str(event.get("httpMethod") or "GET")
        target = urllib.parse.quote(str(event.get("path") or "/"), safe="/%:@!$&'()*+,;=-._~")
        multi = event.get("multiValueQueryStringParameters")
        single = event.get("queryStringParameters")
        pairs = [(k, v) for k, vs in multi.items() for v in vs] if multi else (
            list(single.items()) if single else [])  # fmt: skip
        if pairs:
            target += "?" + urllib.parse.urlencode(pairs)
        multi_h = event.get("multiValueHeaders")
        if multi_h:
            headers = [(str(k), str(v)) for k, vs in multi_h.items() for v in vs]
        else:
            headers = [(str(k), str(v)) for k, v in (event.get("headers") or {}).items()]
    return method.upper(), target, headers, data, ctx


def is_text(content_type: str | None) -> bool:
    """Whether a body of this content type goes back as text (else base64)."""
    if not content_type:
        return True
    ct = content_type.split(";")[0].strip().lower()
    return any(ct.startswith(t) if t.endswith("/") else ct == t or ct.endswith(t)
               for t in _TEXT_TYPES)  # fmt: skip


def to_response(which: str, status: int, headers: list[tuple[str, str]], body: bytes
                ) -> dict[str, Any]:  # fmt: skip
    """The app's response as the payload Lambda returns for an event of ``which``."""
    ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
    text = is_text(ctype)
    out: dict[str, Any] = {"statusCode": status}
    single: dict[str, str] = {}
    cookies = []
    # hop-by-hop headers describe the local connection, not the response (the adapter
    # drops transfer-encoding too)
    headers = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
    for k, v in headers:
        key = k.lower()
        if key == "set-cookie" and which == "v2":
            cookies.append(v)
        elif key in single:
            single[key] += "," + v
        else:
            single[key] = v
    out["headers"] = single
    if which in ("v1", "alb"):
        multi: dict[str, list[str]] = {}
        for k, v in headers:
            multi.setdefault(k.lower(), []).append(v)
        out["multiValueHeaders"] = multi
    if cookies:
        out["cookies"] = cookies
    if which == "alb":
        out["statusDescription"] = f"{status} {_reason(status)}"
    try:
        out["body"] = body.decode("utf-8") if text else base64.b64encode(body).decode()
    except UnicodeDecodeError:
        text = False
        out["body"] = base64.b64encode(body).decode()
    out["isBase64Encoded"] = not text
    return out


def _reason(status: int) -> str:
    import http

    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""
