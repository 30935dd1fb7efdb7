"""A Lambda Runtime API server (API version 2018-06-01) for one execution environment.

The runtime client (``awslambdaric``) talks to it exactly as it talks to
Lambda: ``GET /2018-06-01/runtime/invocation/next`` blocks until an event is
handed over, and the result comes back by ``POST .../invocation/{id}/response``
or ``.../{id}/error``; a failed init posts ``/runtime/init/error``. Routes and
headers follow the AWS Lambda docs, "Using the Lambda runtime API for custom
runtimes".

One server serves one environment: when an environment is killed (timeout,
out of memory) its server goes with it, so a request left behind by the dead
process can never take an event meant for the next environment. Several
requests may be in flight at once (Lambda Managed Instances: one runtime
worker per request, each its own process asking ``GET /next``); each event
goes to whichever worker asks next, and a response is accepted only for a
request id handed out and not yet answered.

It is a small HTTP/1.1 server on raw sockets rather than ``http.server``: it
needs only Content-Length bodies and keep-alive, it sets ``TCP_NODELAY`` on
every connection (without it each warm invoke waits ~40-90 ms on Nagle's
algorithm and delayed ACKs), and it keeps ``lambda-kit invoke`` light to start.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from lambda_kit.local import payload
from lambda_kit.platform._http import listen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lambda_kit.local.telemetry import Telemetry

PREFIX = "/2018-06-01/runtime/"
_MAX_HEADER_BYTES = 64 * 1024
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    413: "Too Large",
}


class Invocation:
    """One event to hand to the runtime, and when it was handed over.

    >>> Invocation("8f5c", b'{"a": 1}', timeout_s=3.0, function_arn="arn:...", trace_id="Root=...")
    """

    __slots__ = (
        "body",
        "deadline_ms",
        "function_arn",
        "on_start",
        "request_id",
        "started_ns",
        "timeout_s",
        "trace_id",
        "worker",
    )

    def __init__(
        self, request_id: str, body: bytes, *, timeout_s: float, function_arn: str, trace_id: str
    ) -> None:
        self.request_id = request_id
        self.body = body
        self.timeout_s = timeout_s
        self.function_arn = function_arn
        self.trace_id = trace_id
        self.started_ns = 0  # perf_counter_ns when the runtime received it
        self.deadline_ms = 0
        #: the process that took it (its pid), when the server was told how to find it
        self.worker: int | None = None
        #: called in the server's thread just before the runtime receives the event
        self.on_start: Callable[[], None] | None = None


#: What the server tells its environment, as (kind, perf_counter_ns, payload) tuples:
#: ("next", t, worker) the runtime asks for work (the first one ends INIT; worker is the
#: asking process's pid when the server identifies workers, else None);
#: ("started", t, request_id); ("response", t, (request_id, body));
#: ("error", t, (request_id, error_type, body)); ("init_error", t, (error_type, body)).
Event = tuple[str, int, Any]


class RuntimeAPIServer:
    """Serves the Runtime API on 127.0.0.1; events go to ``events``.

        server = RuntimeAPIServer(port=0)       # an ephemeral port
        os.environ[settings.RUNTIME_API] = server.address
        server.give(Invocation(...))            # the runtime's GET /next returns it

    ``OSError`` from the constructor means the port could not be bound.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        nodelay: bool = True,
        telemetry: Telemetry | None = None,
        identify: Callable[[socket.socket], int | None] | None = None,
    ) -> None:
        #: the Extensions and Telemetry APIs, served on the same address as on Lambda
        self.telemetry = telemetry
        self._nodelay = nodelay  # False only to measure what Nagle's algorithm would cost
        self.events: queue.Queue[Event] = queue.Queue()
        self._pending: queue.Queue[Invocation | None] = queue.Queue()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._closed = False
        # only requests handed out and not yet answered may be answered
        self._in_flight: set[str] = set()
        #: which process is at the other end of a connection (several workers: which
        #: one took an event); asked once per connection, in the server's thread
        self._identify = identify
        self._workers: dict[socket.socket, int | None] = {}
        self._sock = sock = listen(host, port)
        self.host, self.port = sock.getsockname()[:2]
        self.address = f"{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._accept, name="runtime-api", daemon=True)
        self._thread.start()

    # -- what the environment calls --------------------------------------------------
    def give(self, invocation: Invocation) -> None:
        """Queue an event; the runtime's pending (or next) ``GET /next`` returns it."""
        self._pending.put(invocation)

    def take_back(self) -> list[Invocation]:
        """The events given and not yet handed to a worker, removed from the queue."""
        back: list[Invocation] = []
        while True:
            try:
                inv = self._pending.get_nowait()
            except queue.Empty:
                return back
            if inv is None:  # closing: leave the marker for the waiting workers
                self._pending.put(None)
                return back
            back.append(inv)

    def forget(self, request_id: str) -> None:
        """Refuse any later answer for ``request_id`` (it timed out; its worker goes on)."""
        with self._lock:
            self._in_flight.discard(request_id)

    def close(self) -> None:
        """Stop listening and drop every connection (waiting ``GET /next`` calls end)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            conns = list(self._connections)
        self._pending.put(None)
        if self.telemetry is not None:
            self.telemetry.close()
        for s in (self._sock, *conns):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self._thread.join(timeout=2)

    # -- the connections ---------------------------------------------------------------
    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            if self._nodelay:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                if self._closed:
                    conn.close()
                    return
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            while True:
                request, buf = _read_request(conn, buf)
                if request is None:
                    return
                method, path, headers, body = request
                keep = self._dispatch(conn, method, path, headers, body)
                if not keep or headers.get("connection", "").lower() == "close":
                    return
        except OSError:
            return
        finally:
            with self._lock:
                self._connections.discard(conn)
                self._workers.pop(conn, None)
            conn.close()

    def _dispatch(
        self, conn: socket.socket, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        if not path.startswith(PREFIX):
            return self._extension_api(conn, method, path, headers, body)
        route = path[len(PREFIX) :]
        now = time.perf_counter_ns
        if self.telemetry is not None and route in ("invocation/next", "restore/next"):
            # the runtime is ready: Lambda takes no extension registration after this
            self.telemetry.close_registration()
        if method == "GET" and route == "invocation/next":
            worker = self._worker(conn) if self._identify is not None else None
            self.events.put(("next", now(), worker))
            inv = self._pending.get()
            if inv is None:  # shutting down: leave the runtime waiting on a closed socket
                self._pending.put(None)
                return False
            inv.worker = worker
            with self._lock:
                self._in_flight.add(inv.request_id)
            inv.deadline_ms = int(time.time() * 1000 + inv.timeout_s * 1000)
            head = {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": inv.request_id,
                "Lambda-Runtime-Deadline-Ms": str(inv.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": inv.function_arn,
                "Lambda-Runtime-Trace-Id": inv.trace_id,
            }
            if inv.on_start is not None:
                # a broken log must not keep the event from the runtime
                with contextlib.suppress(Exception):
                    inv.on_start()
            inv.started_ns = now()
            self.events.put(("started", inv.started_ns, inv.request_id))
            return _reply(conn, 200, inv.body, head)
        if method == "GET" and route == "restore/next":
            # SnapStart: the runtime asks to be restored after init; there is no snapshot
            # here, so the restore is immediate
            return _reply(conn, 200, b"")
        if method == "POST" and route in ("init/error", "restore/error"):
            error_type = headers.get("lambda-runtime-function-error-type") or _error_type(body)
            self.events.put(("init_error", now(), (error_type, body)))
            return _reply(conn, 202, b'{"status":"OK"}')
        if method == "POST" and route.startswith("invocation/"):
            parts = route.split("/")
            if len(parts) == 3 and parts[2] in ("response", "error"):
                request_id = parts[1]
                with self._lock:
                    known = request_id in self._in_flight
                    self._in_flight.discard(request_id)
                if not known:
                    return _reply(conn, 400, b'{"errorType":"InvalidRequestID"}')
                if parts[2] == "response" and len(body) > payload.MAX_RESPONSE_BYTES:
                    # the Runtime API refuses it; the caller gets Lambda's error instead
                    error = payload.response_too_large(len(body))
                    self.events.put(
                        ("error", now(), (request_id, payload.RESPONSE_TOO_LARGE, error))
                    )
                    return _reply(conn, 413, error)
                if parts[2] == "response":
                    self.events.put(("response", now(), (request_id, body)))
                else:
                    error_type = headers.get("lambda-runtime-function-error-type") or (
                        _error_type(body)
                    )
                    self.events.put(("error", now(), (request_id, error_type, body)))
                return _reply(conn, 202, b'{"status":"OK"}')
        return _reply(conn, 404, b'{"errorType":"NotFound"}')

    def _worker(self, conn: socket.socket) -> int | None:
        """The pid at the other end of ``conn`` (looked up once per connection)."""
        with self._lock:
            if conn in self._workers:
                return self._workers[conn]
        assert self._identify is not None
        try:
            pid = self._identify(conn)
        except Exception:  # a lookup that fails leaves the worker unknown, not the event
            pid = None
        with self._lock:
            self._workers[conn] = pid
        return pid

    def _extension_api(
        self, conn: socket.socket, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> bool:
        telemetry = self.telemetry
        if telemetry is None:
            return _reply(conn, 404, b'{"errorType":"NotFound"}')
        answer = telemetry.handle(method, path, headers, body)
        if answer is None:  # an extension's event/next: held until the environment ends
            telemetry.wait_closed()
            return False
        status, out, head = answer
        return _reply(conn, status, out, head)


def _error_type(body: bytes) -> str:
    """``errorType`` of an error body (the C runtime client sends no error-type header)."""
    import json

    try:
        value = json.loads(body).get("errorType")
    except (ValueError, AttributeError):
        value = None
    return value if isinstance(value, str) and value else "Runtime.Unknown"


def _read_request(
    conn: socket.socket, buf: bytes
) -> tuple[tuple[str, str, dict[str, str], bytes] | None, bytes]:
    """One request from ``conn`` (None when the peer closed), and what is left over."""
    while b"\r\n\r\n" not in buf:
        if len(buf) > _MAX_HEADER_BYTES:
            return None, b""
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, path, _version = lines[0].split(" ", 2)
    except ValueError:
        return None, b""
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        return None, b""
    while len(rest) < length:
        chunk = conn.recv(max(65536, length - len(rest)))
        if not chunk:
            return None, b""
        rest += chunk
    return (method, path, headers, rest[:length]), rest[length:]


def _reply(
    conn: socket.socket, status: int, body: bytes, headers: dict[str, str] | None = None
) -> bool:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}", f"Content-Length: {len(body)}"]
    if headers:
        lines.extend(f"{k}: {v}" for k, v in headers.items())
    elif body:
        lines.append("Content-Type: application/json")
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    return True
