"""The environment's log stream: the runtime's output and our platform lines, in order.

The runtime's stdout and stderr share one pipe (CloudWatch merges them too).
A thread copies it line by line; before each END line the runner ``drain``s
the pipe, so everything the handler wrote before its response was posted
appears before END, as in CloudWatch.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
from collections.abc import Callable
from typing import TextIO


class LogStream:
    """Where log lines go: an optional terminal stream, and the list of the current phase.

    log = LogStream(sys.stderr)
    log.collect_into(lines)     # the lines of the invocation now running
    log.write("START RequestId: ...")
    """

    def __init__(self, stream: TextIO | Callable[[str], None] | None = None) -> None:
        # a text stream gets each line and a flush; a callable gets each line as it is
        self._stream: TextIO | None = None
        self._call: Callable[[str], None] | None = None
        if callable(stream):
            self._call = stream
        else:
            self._stream = stream
        self.lock = threading.RLock()
        self._into: list[str] | None = None
        #: request id -> the lines that name it (several invocations in flight at once)
        self._following: dict[str, list[str]] = {}

    def collect_into(self, lines: list[str] | None) -> None:
        """Lines written from now on are also appended to ``lines``."""
        with self.lock:
            self._into = lines

    def follow(self, request_id: str, lines: list[str] | None) -> None:
        """Lines naming ``request_id`` are also appended to ``lines`` (None: no longer).

        With invocations running side by side their output interleaves; a line is
        known to be an invocation's when it names its request id (START, END, REPORT,
        the runtime's JSON log lines, ``@instrument``'s record).
        """
        with self.lock:
            if lines is None:
                self._following.pop(request_id, None)
            else:
                self._following[request_id] = lines

    def write(self, line: str) -> None:
        """One line (without its newline)."""
        with self.lock:
            if self._into is not None:
                self._into.append(line)
            for request_id, lines in self._following.items():
                if request_id in line:
                    lines.append(line)
            if self._call is not None:
                self._call(line)
            if self._stream is not None:
                try:
                    self._stream.write(line + "\n")
                    self._stream.flush()
                except (OSError, ValueError):
                    self._stream = None  # the terminal went away; keep collecting


class Pump:
    """Copies a pipe into a ``LogStream``, line by line, until the pipe closes."""

    def __init__(self, fd: int, emit: Callable[[str], None], lock: threading.RLock) -> None:
        self._fd = fd
        os.set_blocking(fd, False)
        self._emit = emit
        self._lock = lock
        self._partial = b""
        self.closed = False
        self._thread = threading.Thread(target=self._run, name="log-pump", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self.closed:
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.1)
            except (OSError, ValueError):
                return
            if ready:
                with self._lock:
                    self._read()

    def _read(self) -> None:
        """Read what is in the pipe now and emit its complete lines (lock held)."""
        if self.closed:
            return
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                self._flush_partial()
                os.close(self._fd)
                return
            *lines, self._partial = (self._partial + chunk).split(b"\n")
            for line in lines:
                # the runtime joins the lines of one error event with "\r" (one CloudWatch
                # event); on a terminal that would overwrite itself, so show them as lines
                self._emit(line.decode("utf-8", "replace").rstrip("\r").replace("\r", "\n"))

    def _flush_partial(self) -> None:
        if self._partial:
            self._emit(self._partial.decode("utf-8", "replace"))
            self._partial = b""

    def drain(self) -> None:
        """Emit everything written so far, a last unfinished line included."""
        with self._lock:
            self._read()
            self._flush_partial()

    def finish(self, timeout_s: float = 1.0) -> None:
        """Read to the end of the pipe (the process is gone), then stop."""
        self._thread.join(timeout=timeout_s)
        with self._lock:
            if not self.closed:
                # a grandchild that left the session still holds the pipe: stop reading
                self._read()
                self._flush_partial()
                self.closed = True
                os.close(self._fd)


class SocketPump:
    """The log streams of Lambda Managed Instances' workers: a Unix socket each worker
    connects its stdout and stderr to (one connection per stream), copied line by line.

    Each stream keeps its own unfinished line, so the output of workers running side by
    side interleaves by whole lines, as CloudWatch receives it, never within one.
    """

    def __init__(self, path: str, emit: Callable[[str], None], lock: threading.RLock) -> None:
        self.path = path
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(path)
        self._listener.listen(64)
        self._listener.setblocking(False)
        self._emit = emit
        self._lock = lock
        self._streams: dict[int, tuple[socket.socket, list[bytes]]] = {}
        self.closed = False
        self._thread = threading.Thread(target=self._run, name="log-sockets", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self.closed:
            with self._lock:
                fds = [self._listener.fileno(), *self._streams]
            try:
                ready, _, _ = select.select(fds, [], [], 0.1)
            except (OSError, ValueError):
                if self.closed:
                    return
                continue
            if ready:
                with self._lock:
                    self._read()

    def _read(self) -> None:
        """Accept new streams and emit the complete lines of every stream (lock held)."""
        if self.closed:
            return
        while True:
            try:
                conn, _ = self._listener.accept()
            except (BlockingIOError, OSError):
                break
            conn.setblocking(False)
            self._streams[conn.fileno()] = (conn, [b""])
        for fd, (conn, partial) in list(self._streams.items()):
            while True:
                try:
                    chunk = conn.recv(65536)
                except BlockingIOError:
                    break
                except OSError:
                    chunk = b""
                if not chunk:  # the worker ended: its last unfinished line too
                    if partial[0]:
                        self._emit(partial[0].decode("utf-8", "replace"))
                    del self._streams[fd]
                    conn.close()
                    break
                *lines, partial[0] = (partial[0] + chunk).split(b"\n")
                for line in lines:
                    self._emit(line.decode("utf-8", "replace").rstrip("\r").replace("\r", "\n"))

    def drain(self) -> None:
        """Emit the complete lines written so far (a worker may be mid-line: it keeps it)."""
        with self._lock:
            self._read()

    def finish(self) -> None:
        """Read what is left, emit every unfinished line, stop, and remove the socket."""
        with self._lock:
            self._read()
            self.closed = True
            for conn, partial in self._streams.values():
                if partial[0]:
                    self._emit(partial[0].decode("utf-8", "replace"))
                conn.close()
            self._streams.clear()
            self._listener.close()
        self._thread.join(timeout=1)
        with contextlib.suppress(OSError):
            os.unlink(self.path)
