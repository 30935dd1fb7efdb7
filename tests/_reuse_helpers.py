"""Helpers for the connection reuse tests: run instrumented invocations, read their records."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

from lambda_kit import instrument


class Invoker:
    """Wraps ``handler`` with ``@instrument`` and returns (result, record) per invocation."""

    def __init__(self, handler: Callable[[Any, Any], Any]) -> None:
        self._out = io.StringIO()
        self._handler = instrument(service="reuse-test", output=self._out)(handler)

    def __call__(self, event: Any = None) -> tuple[Any, dict[str, Any]]:
        before = len(self.records())
        result = self._handler(event, None)
        records = self.records()
        assert len(records) == before + 1, records
        return result, records[-1]

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self._out.getvalue().splitlines()]

    def last_record(self) -> dict[str, Any]:
        return self.records()[-1]


def unique(prefix: str) -> str:
    """A name no other test uses (application names, client names, handle names)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class CountingHTTPServer:
    """A loopback HTTP/1.1 server (keep-alive) that counts the TCP connections it accepted."""

    def __init__(self, body: bytes = b"ok", content_type: str = "text/plain") -> None:
        import http.server
        import threading

        peers: set[tuple[str, int]] = set()
        self.peers = peers

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                peers.add(self.client_address)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
