"""The one line writer: where the record, the logger and EMF write their lines.

    LineWriter("/tmp/records.jsonl").write(b'{"a":1}\\n')
    LineWriter().write(line)        # sys.stdout, looked up at each write

A target is None (``sys.stdout``, looked up at each write so a replaced stdout is
honoured), a text or binary stream, or a file path (appended to, unbuffered).
Every line is written whole and flushed at once: Lambda may freeze the environment
right after the handler returns, and a line held in a buffer would arrive late or
never. A short write (a full pipe or disk, a signal) is finished, so a line is never
cut. Lines keep their order with what ``print()`` wrote before them. A writer raises
``OSError``/``ValueError`` on failure; its caller reports that once on stderr.

``JsonLineSink``, the record's default sink, lives here rather than in
``lambda_kit.sinks`` so that ``import lambda_kit`` loads no sinks package (each
module is ~0.1 ms of every cold start).
"""

from __future__ import annotations

import os
import sys

from lambda_kit.record import to_json_line

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


def write_fd(fd: int, line: bytes) -> None:
    """Write all of ``line`` to file descriptor ``fd`` (one system call, unless short)."""
    written = os.write(fd, line)
    while written < len(line):  # a short write: finish the line
        line = line[written:]
        written = os.write(fd, line)


def write_stream(stream: IO[Any] | None, line: bytes) -> None:
    """Write all of ``line`` to a text or binary stream and flush it."""
    if stream is None:
        raise OSError("stdout is closed (sys.stdout is None)")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()  # what print() left in the text layer goes first
        _write_all(buffer, line)
        buffer.flush()
        return
    try:
        _write_all(stream, line)
    except TypeError:  # a text stream without a binary buffer (io.StringIO)
        stream.write(line.decode())
    stream.flush()


def _write_all(stream: IO[Any], line: bytes) -> None:
    # buffered streams write everything; a raw one (io.FileIO, a socket file) may not
    written = stream.write(line)
    while type(written) is int and written < len(line):
        line = line[written:]
        written = stream.write(line)


class LineWriter:
    """Writes byte lines to ``target``: None (``sys.stdout``), a stream, or a file path.

    >>> LineWriter("/tmp/records.jsonl").write(b'{"a":1}\\n')
    """

    __slots__ = ("_fd", "_path", "_stream")

    def __init__(self, target: str | os.PathLike[str] | IO[Any] | None = None) -> None:
        self._fd: int | None = None
        self._path: str | None = None
        self._stream: IO[Any] | None = None
        if isinstance(target, (str, os.PathLike)):
            self._path = os.fspath(target)
        else:
            self._stream = target

    def write(self, line: bytes) -> None:
        """Write one line (bytes ending in a newline)."""
        if self._path is not None:
            fd = self._fd
            if fd is None:
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
                fd = self._fd = os.open(self._path, flags, 0o644)
            # write_fd, inlined: this runs on every invocation
            written = os.write(fd, line)
            if written < len(line):
                write_fd(fd, line[written:])
            return
        write_stream(self._stream if self._stream is not None else sys.stdout, line)

    __call__ = write

    def close(self) -> None:
        """Close the file, if this writer opened one."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class JsonLineSink(LineWriter):
    """Writes each record as one JSON line, where ``LineWriter`` writes (stdout by
    default, a stream, or a file path).

    >>> sink = JsonLineSink("/tmp/records.jsonl")
    >>> sink(record)  # doctest: +SKIP
    """

    __slots__ = ()

    def __call__(self, record: dict[str, Any]) -> None:  # type: ignore[override]
        self.write(to_json_line(record))
