"""What the Lambda Web Adapter tells an app: its settings and its two request headers.

The adapter (awslabs/aws-lambda-web-adapter) turns each invocation into an HTTP
request to the app and adds two headers (its ``src/lib.rs``, ``fetch_response``):

- ``x-amzn-lambda-context``: the runtime's invocation context, serialised by the
  Rust runtime (``lambda_runtime::Context``) as JSON: ``request_id``, ``deadline``
  (epoch ms), ``invoked_function_arn``, ``xray_trace_id`` (the whole trace header,
  ``Root=...;Parent=...;Sampled=...``), ``client_context``, ``identity`` and
  ``env_config`` (``function_name``, ``memory``, ``version``, ``log_stream``,
  ``log_group``). The adapter's guide reads ``deadline_ms`` in one example, so that
  spelling is accepted too.
- ``x-amzn-request-context``: the event's ``requestContext`` (API Gateway, Function
  URL, ALB, VPC Lattice) as JSON; its ``requestId`` is API Gateway's own request id.

Readiness checks are the adapter's ``GET`` of ``AWS_LWA_READINESS_CHECK_PATH``
(default ``/``) every 10 ms until a healthy status, before the first invocation and
without either header. The rule lambda_kit.web follows (docs/web.md): under the
adapter (``AWS_LAMBDA_RUNTIME_API`` or any ``AWS_LWA_*`` variable set) a request
without ``x-amzn-lambda-context`` is not an invocation and writes no record; the
first one to the readiness path answered with a healthy status ends the init phase.
Off the adapter (uvicorn on a laptop) every request is an invocation.
"""

from __future__ import annotations

import json
import os
import uuid

from lambda_kit import settings as env_names
from lambda_kit._problems import problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LAMBDA_CONTEXT = b"x-amzn-lambda-context"
REQUEST_CONTEXT = b"x-amzn-request-context"
#: the same headers as a WSGI environ names them
LAMBDA_CONTEXT_WSGI = "HTTP_X_AMZN_LAMBDA_CONTEXT"
REQUEST_CONTEXT_WSGI = "HTTP_X_AMZN_REQUEST_CONTEXT"

DEFAULT_READINESS_PATH = "/"
DEFAULT_HEALTHY = "100-499"


def parse_status_codes(text: str, name: str) -> frozenset[int]:
    """``"500,502-504"`` as a set of codes; a part that is not a code or a range is
    reported once and skipped, as the adapter skips it.

    >>> sorted(parse_status_codes("500,502-504", "AWS_LWA_ERROR_STATUS_CODES"))
    [500, 502, 503, 504]
    """
    codes: set[int] = set()
    for raw in text.split(","):
        part = raw.strip()
        if not part:
            continue
        low, dash, high = part.partition("-")
        try:
            a = int(low)
            b = int(high) if dash else a
        except ValueError:
            problem(f"{name}: {part!r} is not a status code or a range (like 502-504)")
            continue
        if not 100 <= a <= b <= 599:
            problem(f"{name}: {part!r} is not a range of HTTP status codes (100-599)")
            continue
        codes.update(range(a, b + 1))
    return frozenset(codes)


class Settings:
    """The adapter's settings this process runs with, read once."""

    __slots__ = ("error_codes", "healthy", "readiness_path", "readiness_tcp", "under_adapter")

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        e = os.environ if environ is None else environ
        #: the adapter is in front: a request without its context header is not an invocation
        self.under_adapter = env_names.RUNTIME_API in e or any(
            k.startswith(env_names.LWA_PREFIX) for k in e
        )
        self.readiness_path = (
            e.get(env_names.LWA_READINESS_CHECK_PATH)
            or e.get("READINESS_CHECK_PATH")  # the adapter's deprecated name, still read
            or DEFAULT_READINESS_PATH
        )
        protocol = e.get(env_names.LWA_READINESS_CHECK_PROTOCOL) or "http"
        self.readiness_tcp = protocol.strip().lower() == "tcp"
        healthy = e.get(env_names.LWA_READINESS_CHECK_HEALTHY_STATUS)
        min_unhealthy = e.get(env_names.LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS)
        if healthy:
            codes = parse_status_codes(healthy, env_names.LWA_READINESS_CHECK_HEALTHY_STATUS)
        elif min_unhealthy:
            try:
                top = int(min_unhealthy)
            except ValueError:
                problem(f"{env_names.LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS}="
                        f"{min_unhealthy!r} is not a status code; using 500")  # fmt: skip
                top = 500
            codes = frozenset(range(100, top))
        else:
            codes = parse_status_codes(DEFAULT_HEALTHY, "default")
        self.healthy = codes
        raw = e.get(env_names.LWA_ERROR_STATUS_CODES)
        #: statuses that make an invocation an error: the adapter's list when set, else 5xx
        self.error_codes = (
            parse_status_codes(raw, env_names.LWA_ERROR_STATUS_CODES)
            if raw
            else frozenset(range(500, 600))
        )


class WebContext:
    """A Lambda context built from the adapter's header (or from this environment)."""

    __slots__ = (
        "aws_request_id",
        "function_name",
        "function_version",
        "invoked_function_arn",
        "log_group_name",
        "log_stream_name",
        "memory_limit_in_mb",
    )

    def __init__(self, request_id: str) -> None:
        self.aws_request_id = request_id
        self.function_name: str | None = None
        self.function_version: str | None = None
        self.invoked_function_arn: str | None = None
        self.log_group_name: str | None = None
        self.log_stream_name: str | None = None
        self.memory_limit_in_mb: Any = None


class DeadlineContext(WebContext):
    """A context whose invocation has a deadline (the adapter's ``deadline``)."""

    __slots__ = ("_epoch_deadline_time_in_ms",)

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        super().__init__(request_id)
        #: awslambdaric's own name for it: @instrument reads it without a call
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda stops the invocation, as Lambda's context has it."""
        import time

        return max(0, self._epoch_deadline_time_in_ms - int(time.time() * 1000))


_loads = json.loads


def context_from_header(raw: bytes | str | None) -> tuple[WebContext, str | None]:
    """The context and X-Ray trace root of one request, from ``x-amzn-lambda-context``
    (None: a generated request id, the environment's facts, no deadline)."""
    if raw is None:
        return WebContext(str(uuid.uuid4())), None
    try:
        data = _loads(raw)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        problem(f"x-amzn-lambda-context is not a JSON object ({exc}); ignoring it",
                key="web:lambda-context")  # fmt: skip
        return WebContext(str(uuid.uuid4())), None
    deadline = data.get("deadline")
    if deadline is None:
        deadline = data.get("deadline_ms")
    ctx: WebContext
    if type(deadline) is int and deadline > 0:
        ctx = DeadlineContext(str(data.get("request_id") or uuid.uuid4()), deadline)
    else:
        ctx = WebContext(str(data.get("request_id") or uuid.uuid4()))
    ctx.invoked_function_arn = data.get("invoked_function_arn")
    config = data.get("env_config")
    if isinstance(config, dict):
        ctx.function_name = config.get("function_name")
        ctx.function_version = config.get("version")
        ctx.memory_limit_in_mb = config.get("memory")
        ctx.log_group_name = config.get("log_group")
        ctx.log_stream_name = config.get("log_stream")
    return ctx, trace_root(data.get("xray_trace_id"))


def trace_root(header: object) -> str | None:
    """The ``Root`` of an X-Ray trace header (``Root=1-...;Parent=...;Sampled=1``)."""
    if not isinstance(header, str) or not header:
        return None
    for part in header.split(";"):
        part = part.strip()
        if part.startswith("Root="):
            return part[5:] or None
    return None


def api_request_id(raw: bytes | str | None) -> str | None:
    """``requestId`` of ``x-amzn-request-context`` (API Gateway's and Function URLs' own id).

    The adapter writes the context as compact JSON (serde_json), where the top-level
    ``"requestId":"`` is found without parsing the whole (often a kilobyte) object;
    anything unusual (an escape, another spelling) goes through ``json.loads``.
    """
    if not raw:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    at = text.find(_REQUEST_ID)
    if at > 0:
        start = at + len(_REQUEST_ID)
        end = text.find('"', start)
        if end > start and "\\" not in text[start:end]:
            return text[start:end]
    try:
        data = _loads(text)
    except ValueError:
        return None
    rid = data.get("requestId") if isinstance(data, dict) else None
    return rid if isinstance(rid, str) else None


_REQUEST_ID = '"requestId":"'
