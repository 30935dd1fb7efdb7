"""The default sink: one JSON line per invocation, to stdout, a stream or a file."""

from __future__ import annotations

import os
import sys

from lambda_kit import _json
from lambda_kit._json import orjson_dumps, record_line, text

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


class JsonLineSink:
    """Writes each record as one JSON line.

    ``target`` is None (``sys.stdout``, looked up at each write so that a
    replaced stdout is honoured), a text or binary stream, or a file path
    (appended to, unbuffered: one ``write`` system call per record, so a frozen
    or killed environment never holds a half-written line).

    >>> sink = JsonLineSink("/tmp/records.jsonl")
    """

    __slots__ = ("_dumps", "_fd", "_option", "_path", "_stream")

    def __init__(self, target: str | os.PathLike[str] | IO[Any] | None = None) -> None:
        self._stream: IO[Any] | None = None
        self._path: str | None = None
        self._fd: int | None = None
        # chosen once, when the handler is decorated (see lambda_kit._json.orjson_dumps)
        self._dumps = orjson_dumps()
        self._option = _json.ORJSON_OPTIONS
        if isinstance(target, (str, os.PathLike)):
            self._path = os.fspath(target)
        else:
            self._stream = target

    def __call__(self, record: dict[str, Any]) -> None:
        dumps = self._dumps
        if dumps is None:
            line = record_line(record)
        else:
            try:
                line = dumps(record, default=text, option=self._option)
            except Exception:  # what orjson refuses: ints over 64 bits, non-string keys
                line = record_line(record)
        if self._path is not None:
            fd = self._fd
            if fd is None:
                fd = self._fd = os.open(
                    self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644
                )
            os.write(fd, line)
            return
        stream = self._stream if self._stream is not None else sys.stdout
        if stream is None:
            raise OSError("stdout is closed (sys.stdout is None)")
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            # text stream: flush what print() left in it first, so lines keep their order
            stream.flush()
            buffer.write(line)
            buffer.flush()
        else:
            try:
                stream.write(line.decode())
            except TypeError:  # a binary stream without .buffer
                stream.write(line)  # type: ignore[arg-type]
            stream.flush()

    def close(self) -> None:
        """Close the file, if this sink opened one."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
