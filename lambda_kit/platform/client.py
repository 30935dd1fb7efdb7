"""The two calls an internal extension makes during init, each with a bound.

    ext_id = register("127.0.0.1:9001", "lambda_kit", timeout_s=1.0)
    subscribe("127.0.0.1:9001", ext_id, "http://sandbox.localdomain:4243", timeout_s=1.0)

Routes, headers and bodies are Lambda's: AWS Lambda docs, "Lambda Extensions API
reference" (``POST /2020-01-01/extension/register`` with ``Lambda-Extension-Name``; an
internal extension registers for no events, ``{"events": []}``, and gets its id in
``Lambda-Extension-Identifier``; ``GET /2020-01-01/extension/event/next``) and "Lambda
Telemetry API reference" (``PUT /2022-07-01/telemetry``: ``schemaVersion``,
``destination`` ``{"protocol": "HTTP", "URI"}``, ``types``, ``buffering``
``{"maxItems" 1000..10000, "maxBytes" 262144..1048576, "timeoutMs" 25..30000}``).
"""

from __future__ import annotations

import contextlib
import json

from lambda_kit.platform._http import BadMessage, request

REGISTER = "/2020-01-01/extension/register"
NEXT = "/2020-01-01/extension/event/next"
TELEMETRY = "/2022-07-01/telemetry"
NAME_HEADER = "Lambda-Extension-Name"
ID_HEADER = "Lambda-Extension-Identifier"
#: the smallest buffers Lambda allows: a report is delivered within ~25 ms of its making
BUFFERING = {"maxItems": 1000, "maxBytes": 262144, "timeoutMs": 25}
SCHEMA_VERSION = "2022-12-13"


class Refused(Exception):
    """The Extensions or Telemetry API said no, or could not be reached in time.

    ``error_type`` is the answer's ``errorType`` when the API said no with one
    (``"Extension.RegistrationClosed"``), else None.
    """

    def __init__(self, message: str, error_type: str | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type


def _address(api: str) -> tuple[str, int]:
    host, _, port = api.rpartition(":")
    if not host or not port.isdigit():
        raise Refused(f"AWS_LAMBDA_RUNTIME_API={api!r} is not HOST:PORT")
    return host, int(port)


def _call(
    api: str, method: str, path: str, body: bytes, headers: dict[str, str], timeout_s: float
) -> tuple[int, bytes, dict[str, str]]:
    try:
        status, got, out = request(_address(api), method, path, body, headers, timeout_s)
    except TimeoutError:
        raise Refused(f"{method} {path} did not answer within {timeout_s:g} s") from None
    except (OSError, BadMessage) as exc:
        raise Refused(f"{method} {path} failed: {exc!r}") from None
    return status, out, got


def register(api: str, name: str, *, timeout_s: float) -> str:
    """Register an internal extension (no lifecycle events); its identifier."""
    status, body, headers = _call(
        api,
        "POST",
        REGISTER,
        b'{"events": []}',
        {NAME_HEADER: name, "Content-Type": "application/json"},
        timeout_s,
    )
    ext_id = headers.get(ID_HEADER.lower())
    if status != 200 or not ext_id:
        raise Refused(
            f"register answered {status}: {body[:200].decode('utf-8', 'replace')}",
            _error_type(body),
        )
    return ext_id


def _error_type(body: bytes) -> str | None:
    """``errorType`` of an error answer (``{"errorType": ..., "errorMessage": ...}``)."""
    try:
        value = json.loads(body).get("errorType")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def subscribe(api: str, ext_id: str, uri: str, *, timeout_s: float) -> None:
    """Subscribe ``uri`` (an HTTP listener) to the platform telemetry stream."""
    request = {
        "schemaVersion": SCHEMA_VERSION,
        "destination": {"protocol": "HTTP", "URI": uri},
        "types": ["platform"],
        "buffering": BUFFERING,
    }
    status, body, _ = _call(
        api,
        "PUT",
        TELEMETRY,
        json.dumps(request).encode(),
        {ID_HEADER: ext_id, "Content-Type": "application/json"},
        timeout_s,
    )
    if status != 200:
        raise Refused(
            f"telemetry subscription answered {status}: {body[:200].decode('utf-8', 'replace')}"
        )


def wait_next(api: str, ext_id: str) -> None:
    """Say init is done and wait for an event that never comes (none were asked for).

    Lambda ends INIT when the runtime and every registered extension have called
    ``next``; an extension registered for no events is never answered, so this call
    blocks its own daemon thread for the life of the process and delays nothing.
    """
    with contextlib.suppress(OSError, BadMessage, Refused):  # the environment is going away
        request(_address(api), "GET", NEXT, b"", {ID_HEADER: ext_id}, None)
