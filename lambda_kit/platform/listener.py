"""The HTTP listener Lambda delivers telemetry to: ``POST /`` with a JSON array of events.

    listener = Listener("127.0.0.1", on_events)   # an ephemeral port
    listener.uri                                   # 'http://127.0.0.1:40423'

Each request is one batch (AWS Lambda docs, "Lambda Telemetry API": the HTTP
destination receives arrays of events, up to the subscription's ``maxBytes``). A body
that is not a JSON array is answered 400 and reported once; the listener goes on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from lambda_kit._problems import problem

# typing costs ~5 ms to import: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Lambda's largest buffer is 1 MiB (``maxBytes``); more than 4 MiB is not a batch of it
MAX_BODY_BYTES = 4 << 20
#: a sender that stalls mid-request costs this, on its own thread, and no more
READ_TIMEOUT_S = 5.0


class Listener:
    """A threaded HTTP server on ``host`` that hands each batch to ``on_events``."""

    def __init__(self, host: str, on_events: Callable[[list[Any]], None], port: int = 0) -> None:
        class Handler(_Batch):
            deliver = staticmethod(on_events)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.uri = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name="lambda-kit-telemetry",
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


class _Batch(BaseHTTPRequestHandler):
    deliver: Callable[[list[Any]], None]
    timeout = READ_TIMEOUT_S
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._answer(411, "a batch needs a Content-Length")
            return
        if not 0 <= length <= MAX_BODY_BYTES:
            self._answer(413, f"a batch of {length} bytes is over {MAX_BODY_BYTES}")
            return
        body = self.rfile.read(length)
        try:
            events = json.loads(body)
        except ValueError as exc:
            self._answer(400, f"a telemetry batch that is not JSON ({exc})")
            return
        if not isinstance(events, list):
            kind = type(events).__name__
            self._answer(400, f"a telemetry batch that is not a JSON array ({kind})")
            return
        try:
            self.deliver(events)  # before the answer: an answered batch is a written batch
        except Exception as exc:  # the listener must live on
            problem(f"platform telemetry: could not handle a batch: {exc!r}")
        self._answer(200, None)

    def _answer(self, status: int, reason: str | None) -> None:
        if reason is not None:
            problem(f"platform telemetry: {reason}", key=f"platform-batch-{reason.split('(')[0]}")
        body = b"" if reason is None else reason.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # http.server would write every request to stderr
