"""The Extensions API and the Telemetry API of one local execution environment.

    telemetry = Telemetry(fn)                     # served by RuntimeAPIServer
    telemetry.emit("platform.start", {"requestId": rid, "version": "$LATEST"})
    telemetry.flush(1.0)                          # delivered, or the bound passed

What an extension sees here is what it sees on Lambda: ``POST
/2020-01-01/extension/register`` (``Lambda-Extension-Name``, ``{"events": [...]}``;
answered with ``Lambda-Extension-Identifier`` and the function's name, version and
handler), ``GET /2020-01-01/extension/event/next`` (answered with ``SHUTDOWN`` when
the environment ends for an extension that asked for it; held open otherwise), and
``PUT /2022-07-01/telemetry`` (``destination`` ``{"protocol": "HTTP", "URI"}``,
``types``, ``buffering``). Events are Lambda's platform events (AWS Lambda docs,
"Lambda Telemetry API Event schema reference"), POSTed as JSON arrays to each
subscriber, batched over the subscription's ``timeoutMs``. Events made before the
first subscription wait for it (at most ``BACKLOG`` of them), so an extension that
subscribes during init still receives ``platform.initStart``.

Registration follows Lambda's rules for one environment, which AWS's own emulator of
Managed Instances spells out (aws/aws-lambda-runtime-interface-emulator,
``internal/lambda-managed-instances``: ``core/registrations.go``,
``rapi/handler/agentregister.go``, ``rapid/handlers.go``): registration closes when
the runtime is ready (its first ``GET /runtime/invocation/next``; on Managed
Instances the first worker's), a name is registered once per environment, and at
most ten extensions are ("You can register up to 10 extensions for a function", AWS
Lambda docs, "Lambda extensions"). Each refusal is a 403 with that emulator's
``errorType`` and message. So on Managed Instances, where every runtime worker
imports the handler, only one worker's internal extension of a name is registered.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from lambda_kit.local.lines import Report, iso_now

EXTENSION_PREFIX = "/2020-01-01/extension/"
TELEMETRY_PATH = "/2022-07-01/telemetry"
BACKLOG = 1000
#: extensions one function may register (AWS Lambda docs, "Lambda extensions")
MAX_EXTENSIONS = 10
#: a listener that does not answer costs this per batch, on the sender's thread
SEND_TIMEOUT_S = 1.0

Answer = tuple[int, bytes, dict[str, str]]


def _error(status: int, error_type: str, message: str) -> Answer:
    body = json.dumps({"errorType": error_type, "errorMessage": message}).encode()
    return status, body, {"Content-Type": "application/json"}


class Subscriber:
    """One subscription: where to POST, which types, how long to batch."""

    def __init__(self, uri: str, types: list[str], timeout_ms: int, max_items: int) -> None:
        parts = urlsplit(uri)
        self.uri = uri
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = parts.path or "/"
        self.types = set(types)
        self.timeout_ms = timeout_ms
        self.max_items = max_items
        self.delivered = 0
        self.failed = 0


class Telemetry:
    """Registered extensions, telemetry subscribers and the sender thread."""

    def __init__(self, function_name: str, version: str, handler: str) -> None:
        #: what registration answers with
        self.function_info = {
            "functionName": function_name,
            "functionVersion": version,
            "handler": handler,
        }
        self.extensions: dict[str, list[str]] = {}
        #: extension name -> identifier: a name is registered once per environment
        self.names: dict[str, str] = {}
        self._registration_open = True
        self.subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._backlog: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._idle = threading.Condition()
        self._in_flight = 0
        self._closed = threading.Event()
        self._sender: threading.Thread | None = None

    # -- the routes ----------------------------------------------------------------
    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer | None:
        """Answer an Extensions or Telemetry API request; None: hold it until close."""
        if method == "POST" and path == EXTENSION_PREFIX + "register":
            return self._register(headers, body)
        ext_id = headers.get("lambda-extension-identifier", "")
        if ext_id not in self.extensions:
            return _error(
                403,
                "Extension.UnknownExtensionIdentifier",
                "Lambda-Extension-Identifier is missing or not registered",
            )
        if method == "GET" and path == EXTENSION_PREFIX + "event/next":
            return None  # no INVOKE events are sent; SHUTDOWN is the connection's end
        if method == "PUT" and path.rstrip("/") == TELEMETRY_PATH:
            return self._subscribe(body)
        return _error(404, "NotFound", f"{method} {path}")

    def _register(self, headers: dict[str, str], body: bytes) -> Answer:
        name = headers.get("lambda-extension-name", "")
        if not name:
            return _error(400, "InvalidRequestFormat", "Lambda-Extension-Name is required")
        try:
            events = json.loads(body or b"{}").get("events", [])
        except (ValueError, AttributeError):
            return _error(400, "InvalidRequestFormat", "the body is not a JSON object")
        if not isinstance(events, list) or not set(events) <= {"INVOKE", "SHUTDOWN"}:
            return _error(400, "InvalidRequestFormat", f"events {events!r}: INVOKE, SHUTDOWN")
        ext_id = str(uuid.uuid4())
        with self._lock:
            refused = self._refusal(name)
            if refused is None:
                self.extensions[ext_id] = events
                self.names[name] = ext_id
        if refused is not None:
            return refused
        body_out = json.dumps(self.function_info).encode()
        return (
            200,
            body_out,
            {"Lambda-Extension-Identifier": ext_id, "Content-Type": "application/json"},
        )

    def _refusal(self, name: str) -> Answer | None:
        """Why Lambda would refuse registering ``name`` now (in this order), or None."""
        if not self._registration_open:
            return _error(
                403, "Extension.RegistrationClosed", "Extension registration closed already"
            )
        if len(self.extensions) >= MAX_EXTENSIONS:
            return _error(
                403, "Extension.TooManyExtensions", f"Extension limit ({MAX_EXTENSIONS}) reached"
            )
        if name in self.names:
            return _error(
                403,
                "Extension.InvalidExtensionState",
                "Extension with this name already registered",
            )
        return None

    def close_registration(self) -> None:
        """The runtime is ready (it asked for its first event): no more registrations."""
        with self._lock:
            self._registration_open = False

    def _subscribe(self, body: bytes) -> Answer:
        try:
            request = json.loads(body)
            dest = request["destination"]
            types = request["types"]
            buffering = request.get("buffering") or {}
            timeout_ms = int(buffering.get("timeoutMs", 1000))
            max_items = int(buffering.get("maxItems", 1000))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _error(400, "ValidationError", f"a subscription request needs {exc}")
        if not isinstance(dest, dict) or dest.get("protocol") != "HTTP" or not dest.get("URI"):
            return _error(400, "ValidationError", "destination must be {protocol: HTTP, URI}")
        if not 25 <= timeout_ms <= 30_000 or not 1000 <= max_items <= 10_000:
            return _error(400, "ValidationError", "buffering outside Lambda's limits")
        sub = Subscriber(str(dest["URI"]), list(types), timeout_ms, max_items)
        with self._lock:
            self.subscribers.append(sub)
            backlog, self._backlog = self._backlog, []
            if self._sender is None:
                self._sender = threading.Thread(
                    target=self._send_loop, name="telemetry-api", daemon=True
                )
                self._sender.start()
        for event in backlog:
            self._put(event)
        return 200, b"OK", {"Content-Type": "text/plain"}

    # -- events ----------------------------------------------------------------------
    @property
    def subscribed(self) -> bool:
        """Whether any listener subscribed."""
        return bool(self.subscribers)

    def emit(self, kind: str, record: dict[str, Any]) -> None:
        """Make one platform event now; it is delivered to subscribers as they buffer."""
        event = {"time": iso_now(), "type": kind, "record": record}
        with self._lock:
            if not self.subscribers:
                if len(self._backlog) < BACKLOG:
                    self._backlog.append(event)
                return
        self._put(event)

    def _put(self, event: dict[str, Any]) -> None:
        with self._idle:
            self._in_flight += 1
        self._queue.put(event)

    def flush(self, timeout_s: float) -> bool:
        """Wait (at most ``timeout_s``) until every event made so far was sent."""
        deadline = time.monotonic() + timeout_s
        with self._idle:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        """Stop the sender and release held ``next`` calls."""
        self._closed.set()
        self._queue.put(None)

    def wait_closed(self) -> None:
        """Block until the environment ends (a held ``event/next``)."""
        self._closed.wait()

    def _send_loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            wait_s = min(s.timeout_ms for s in self.subscribers) / 1000
            end = time.monotonic() + wait_s
            while len(batch) < 1000:
                try:
                    nxt = self._queue.get(timeout=max(0.0, end - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is None:
                    self._queue.put(None)
                    break
                batch.append(nxt)
            for sub in list(self.subscribers):
                _post(sub, [e for e in batch if e["type"].partition(".")[0] in sub.types])
            with self._idle:
                self._in_flight -= len(batch)
                self._idle.notify_all()


def _post(sub: Subscriber, events: list[dict[str, Any]]) -> None:
    if not events:
        return
    body = json.dumps(events).encode()
    conn = http.client.HTTPConnection(sub.host, sub.port, timeout=SEND_TIMEOUT_S)
    try:
        conn.request("POST", sub.path, body=body, headers={"Content-Type": "application/json"})
        conn.getresponse().read()
        sub.delivered += len(events)
    except (OSError, http.client.HTTPException):
        sub.failed += len(events)  # a dead or hung listener: the batch is dropped here
    finally:
        with contextlib.suppress(OSError):
            conn.close()


# -- the platform events of one environment (AWS Lambda docs, "Lambda Telemetry API
# Event schema reference": platform.initStart, initRuntimeDone, initReport, start,
# runtimeDone, report) -----------------------------------------------------------------


def init_start(telemetry: Telemetry, init_type: str, runtime_version: str) -> None:
    """``platform.initStart``: the runtime process was started."""
    telemetry.emit(
        "platform.initStart",
        {
            "initializationType": init_type,
            "phase": "init",
            "runtimeVersion": runtime_version,
            "runtimeVersionArn": "local",
            **{k: v for k, v in telemetry.function_info.items() if k != "handler"},
        },
    )


def init_done(telemetry: Telemetry, init_type: str, duration_ms: float, status: str) -> None:
    """``platform.initRuntimeDone`` and ``platform.initReport``: INIT ended."""
    base = {"initializationType": init_type, "phase": "init", "status": status}
    telemetry.emit("platform.initRuntimeDone", dict(base))
    telemetry.emit(
        "platform.initReport", {**base, "metrics": {"durationMs": round(duration_ms, 3)}}
    )


def start(telemetry: Telemetry, request_id: str, version: str) -> None:
    """``platform.start``: the runtime received the event."""
    telemetry.emit("platform.start", {"requestId": request_id, "version": version})


def done(telemetry: Telemetry, report: Report, produced_bytes: int) -> None:
    """``platform.runtimeDone`` and ``platform.report``, with the REPORT line's figures."""
    status = report.status
    tail = {"errorType": report.error_type} if report.error_type else {}
    telemetry.emit(
        "platform.runtimeDone",
        {
            "requestId": report.request_id,
            "status": status,
            "metrics": {
                "durationMs": round(report.duration_ms, 3),
                "producedBytes": produced_bytes,
            },
            **tail,
        },
    )
    metrics: dict[str, Any] = {
        "durationMs": round(report.duration_ms, 3),
        "billedDurationMs": report.billed_duration_ms,
        "memorySizeMB": report.memory_size_mb,
        "maxMemoryUsedMB": report.max_memory_used_mb,
    }
    if report.init_duration_ms is not None:
        metrics["initDurationMs"] = round(report.init_duration_ms, 3)
    telemetry.emit(
        "platform.report",
        {"requestId": report.request_id, "metrics": metrics, "status": status, **tail},
    )
