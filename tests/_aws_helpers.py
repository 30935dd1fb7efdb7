"""Small loopback servers that speak the CloudWatch Logs JSON protocol badly on purpose.

moto answers like AWS when all is well; these answer the way AWS does when it is
not: throttling, refused permissions, queries that time out or never finish, and
a socket that accepts and never answers.

    with FaultyLogs(throttle_first=3) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPORT = "REPORT RequestId: {i}\tDuration: {d:.2f} ms\tBilled Duration: {b} ms\tMemory Size: 512 MB\tMax Memory Used: {m} MB\t"


class FaultyLogs:
    """An HTTP server for the logs API (X-Amz-Target: Logs_20140328.<Operation>).

    ``throttle_first``: the first N calls get ThrottlingException. ``deny``: operations
    answered with AccessDeniedException. ``timeout_over_s``: StartQuery over a longer
    range ends in status Timeout. ``never_complete``: queries stay Running.
    ``endless_pages``: FilterLogEvents always has a next page (``page_delay_s`` apart).
    ``broken``: operations answered with an HTML error page (HTTP 500).
    ``rows``: GetQueryResults' rows (field -> value), instead of one row of 512 MB.
    """

    def __init__(
        self,
        *,
        throttle_first: int = 0,
        deny: tuple[str, ...] = (),
        timeout_over_s: int | None = None,
        never_complete: bool = False,
        endless_pages: bool = False,
        page_delay_s: float = 0.0,
        broken: tuple[str, ...] = (),
        rows: list[dict[str, str]] | None = None,
    ) -> None:
        self.throttle_first = throttle_first
        self.deny = deny
        self.timeout_over_s = timeout_over_s
        self.never_complete = never_complete
        self.endless_pages = endless_pages
        self.page_delay_s = page_delay_s
        self.broken = broken
        self.rows = rows
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.queries: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                operation = self.headers.get("X-Amz-Target", "").split(".")[-1]
                if operation in owner.broken:  # a proxy's error page, not an AWS error
                    page = b"<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
                    self.send_response(500)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                status, answer = owner.answer(operation, json.loads(body or b"{}"))
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client was interrupted (the Ctrl-C tests)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append((operation, params))
            if len(self.calls) <= self.throttle_first:
                return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        if operation in self.deny:
            return 400, {
                "__type": "AccessDeniedException",
                "message": f"User: arn:aws:iam::123456789012:user/t is not authorized to perform: logs:{operation}",
            }
        if operation == "StartQuery":
            query_id = str(uuid.uuid4())
            span = params["endTime"] - params["startTime"]
            timed_out = self.timeout_over_s is not None and span > self.timeout_over_s
            self.queries[query_id] = {"params": params, "timeout": timed_out}
            return 200, {"queryId": query_id}
        if operation == "GetQueryResults":
            query = self.queries[params["queryId"]]
            if self.never_complete:
                return 200, {"status": "Running", "results": []}
            if query["timeout"]:
                return 200, {"status": "Timeout", "results": []}
            start = query["params"]["startTime"]
            if self.rows is not None:
                results = [[{"field": k, "value": v} for k, v in row.items()] for row in self.rows]
                return 200, {"status": "Complete", "results": results}
            return 200, {
                "status": "Complete",
                "results": [[{"field": "memory_mb", "value": "512"},
                             {"field": "invocations", "value": "10"},
                             {"field": "billed_mb_ms", "value": "51200"},
                             {"field": "first", "value": time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(start))}]],
                "statistics": {"recordsMatched": 10.0, "recordsScanned": 30.0, "bytesScanned": 3000.0},
            }
        if operation == "PutQueryDefinition":
            return 200, {"queryDefinitionId": str(uuid.uuid4())}
        if operation == "StopQuery":
            return 200, {"success": True}
        if operation == "FilterLogEvents":
            time.sleep(self.page_delay_s)
            n = int(params.get("nextToken", "0"))
            events = [
                {"logStreamName": "s", "timestamp": 1_700_000_000_000 + n * 10 + i,
                 "message": REPORT.format(i=n * 10 + i, d=10.5, b=11, m=80) + "\n", "eventId": str(n * 10 + i)}
                for i in range(10)
            ]
            answer: dict[str, Any] = {"events": events, "searchedLogStreams": []}
            if self.endless_pages or n < 2:
                answer["nextToken"] = str(n + 1)
            return 200, answer
        return 400, {"__type": "InvalidOperationException", "message": operation}

    def operations(self) -> list[str]:
        return [op for op, _ in self.calls]

    def __enter__(self) -> FaultyLogs:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class SilentServer:
    """Accepts TCP connections and never answers (a hung dependency)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self._stop = False

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                continue

    def __enter__(self) -> SilentServer:
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.thread.join(5)
        for conn in self.held:
            conn.close()
        self.sock.close()
