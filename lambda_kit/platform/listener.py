"""The HTTP listener Lambda delivers telemetry to: ``POST /`` with a JSON array of events.

    listener = Listener("127.0.0.1", on_events)   # an ephemeral port
    listener.uri                                   # 'http://127.0.0.1:40423'

Each request is one batch (AWS Lambda docs, "Lambda Telemetry API": the HTTP
destination receives arrays of events, up to the subscription's ``maxBytes``). A body
that is not a JSON array is answered 400 and reported once; the listener goes on.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable

from lambda_kit._problems import problem
from lambda_kit.platform._http import BadMessage, listen, read_message, send

# typing costs ~5 ms to import: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: Lambda's largest buffer is 1 MiB (``maxBytes``); more than 4 MiB is not a batch of it
MAX_BODY_BYTES = 4 << 20
#: a sender that stalls mid-request costs this, on its own thread, and no more
READ_TIMEOUT_S = 5.0
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 413: "Too Large"}


class Listener:
    """A small HTTP server on ``host`` that hands each batch to ``on_events``."""

    def __init__(self, host: str, on_events: Callable[[list[Any]], None], port: int = 0) -> None:
        self._deliver = on_events
        self._sock = sock = listen(host, port)
        self.port = sock.getsockname()[1]
        self.uri = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._accept, name="lambda-kit-telemetry", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(timeout=2)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed
            conn.settimeout(READ_TIMEOUT_S)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        with conn:
            while True:
                try:
                    message, buf = read_message(conn, buf, MAX_BODY_BYTES)
                except BadMessage as exc:
                    _answer(conn, 413 if "over" in str(exc) else 400, str(exc))
                    return
                except OSError:
                    return  # the sender went away or stalled
                if message is None:
                    return
                start, headers, body = message
                if not start.startswith("POST "):
                    _answer(conn, 404, f"{start.split(' ')[0]} is not a telemetry batch")
                    continue
                self._batch(conn, body)
                if headers.get("connection", "").lower() == "close":
                    return

    def _batch(self, conn: socket.socket, body: bytes) -> None:
        try:
            events = json.loads(body)
        except ValueError as exc:
            _answer(conn, 400, f"a telemetry batch that is not JSON ({exc})")
            return
        if not isinstance(events, list):
            kind = type(events).__name__
            _answer(conn, 400, f"a telemetry batch that is not a JSON array ({kind})")
            return
        try:
            self._deliver(events)  # before the answer: an answered batch is a written batch
        except Exception as exc:  # the listener must live on
            problem(f"platform telemetry: could not handle a batch: {exc!r}")
        _answer(conn, 200, None)


def _answer(conn: socket.socket, status: int, reason: str | None) -> None:
    if reason is not None:
        problem(f"platform telemetry: {reason}", key=f"platform-batch-{reason.split('(')[0]}")
    body = b"" if reason is None else reason.encode()
    with contextlib.suppress(OSError):
        send(conn, f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}", {}, body)
