"""Just enough HTTP/1.1 for the extension: Content-Length bodies, on raw sockets.

``http.client`` and ``http.server`` import the ``email`` package (~12 ms, and ~19 ms
with the server, on every cold start with the extension on); the two APIs the
extension talks to and the batches it receives need none of it.
"""

from __future__ import annotations

import socket

MAX_HEAD_BYTES = 64 * 1024

# typing costs ~5 ms to import: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    Message = tuple[str, dict[str, str], bytes]


class BadMessage(ValueError):
    """Not an HTTP/1.1 message this module reads (the message says why)."""


def listen(host: str, port: int = 0) -> socket.socket:
    """A TCP socket listening on ``host:port`` (0: a free port); closed again if that fails."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(16)
    except OSError:
        sock.close()
        raise
    return sock


def read_message(sock: socket.socket, buf: bytes, max_body: int) -> tuple[Message | None, bytes]:
    """One message (start line, lower-cased headers, body) and what follows it; None at EOF.

    Raises ``BadMessage`` for a head over 64 KiB, a bad Content-Length or a body over
    ``max_body``; ``OSError`` (``TimeoutError``) as the socket does.
    """
    while b"\r\n\r\n" not in buf:
        if len(buf) > MAX_HEAD_BYTES:
            raise BadMessage("a head over 64 KiB")
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise BadMessage(f"Content-Length {headers['content-length']!r}") from None
    if not 0 <= length <= max_body:
        raise BadMessage(f"a body of {length} bytes is over {max_body}")
    while len(rest) < length:
        chunk = sock.recv(max(65536, length - len(rest)))
        if not chunk:
            return None, b""
        rest += chunk
    return (lines[0], headers, rest[:length]), rest[length:]


def send(sock: socket.socket, start: str, headers: dict[str, str], body: bytes) -> None:
    """Write one message with its Content-Length."""
    head = [start, f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def request(
    address: tuple[str, int],
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
    timeout_s: float | None,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a new connection: (status, headers, body). Every step is bounded
    by ``timeout_s`` (None: wait as long as it takes)."""
    with socket.create_connection(address, timeout=timeout_s) as sock:
        send(sock, f"{method} {path} HTTP/1.1", {"Host": address[0], **headers}, body)
        message, _ = read_message(sock, b"", 1 << 20)
    if message is None:
        raise ConnectionResetError("the connection closed before an answer")
    start, got, out = message
    parts = start.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise BadMessage(f"a status line {start[:80]!r}")
    return int(parts[1]), got, out
