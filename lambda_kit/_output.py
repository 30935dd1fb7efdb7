"""Writing lines where lambda_kit writes them: stdout, a stream, or a file path.

``JsonLineSink``, the record's default sink, lives here rather than in
``lambda_kit.sinks`` so that ``import lambda_kit`` loads no sinks package (each
module is ~0.1 ms of every cold start). One ``write`` per line, flushed at once,
so a frozen or killed environment never holds half a line, and lines keep their
order with what ``print()`` wrote before them. Shared by the record's JSON line,
the EMF sink and the logger.
"""

from __future__ import annotations

import os
import sys

from lambda_kit import _json
from lambda_kit._json import orjson_dumps, record_line, text

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import IO, Any


def write_stream(stream: IO[Any] | None, line: bytes) -> None:
    """Write ``line`` to a text or binary stream and flush it."""
    if stream is None:
        raise OSError("stdout is closed (sys.stdout is None)")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()  # what print() left in the text layer goes first
        buffer.write(line)
        buffer.flush()
        return
    try:
        stream.write(line)
    except TypeError:  # a text stream without a binary buffer (io.StringIO)
        stream.write(line.decode())
    stream.flush()


class LineWriter:
    """Writes byte lines to ``target``: None (``sys.stdout``, looked up at each write,
    so a replaced stdout is honoured), a text or binary stream, or a file path
    (appended to, unbuffered: one ``write`` system call per line).

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
            os.write(fd, line)
            return
        write_stream(self._stream if self._stream is not None else sys.stdout, line)

    def close(self) -> None:
        """Close the file, if this writer opened one."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_modules = sys.modules


class JsonLineSink(LineWriter):
    """Writes each record as one JSON line, where ``LineWriter`` writes (stdout by
    default, a stream, or a file path).

    >>> sink = JsonLineSink("/tmp/records.jsonl")
    """

    __slots__ = ("_dumps", "_option")

    def __init__(self, target: str | os.PathLike[str] | IO[Any] | None = None) -> None:
        super().__init__(target)
        # orjson once the application has imported it (see lambda_kit._json.orjson_dumps)
        self._dumps = orjson_dumps()
        self._option = _json.ORJSON_OPTIONS

    def __call__(self, record: dict[str, Any]) -> None:
        dumps = self._dumps
        if dumps is None and "orjson" in _modules:  # the application imported it since
            dumps = self._dumps = orjson_dumps()
            self._option = _json.ORJSON_OPTIONS
        if dumps is None:
            line = record_line(record)
        else:
            try:
                line = dumps(record, default=text, option=self._option)
            except Exception:  # what orjson refuses: ints over 64 bits, non-string keys
                line = record_line(record)
        self.write(line)


_OBSERVABILITY_VARIABLES = ("LAMBDA_KIT_METRICS", "LAMBDA_KIT_OTEL", "LAMBDA_KIT_XRAY")


def _observability_wanted(options: dict[str, Any]) -> bool:
    """Whether any observability sink could be on: otherwise the sinks package is not
    even imported (a module less on the cold start)."""
    if any(options.get(name) for name in ("metrics", "otel", "xray")):
        return True
    return any(os.environ.get(name) for name in _OBSERVABILITY_VARIABLES)


def default_sinks(
    output: str | os.PathLike[str] | IO[Any] | None,
    extra: Sequence[Callable[[dict[str, Any]], None]],
    observability: dict[str, Any] | None = None,
) -> list[Callable[[dict[str, Any]], None]]:
    """The sinks of one ``@instrument``: the JSON line, the observability sinks that
    are switched on (each module imported only then), then the user's own."""
    sinks: list[Callable[[dict[str, Any]], None]] = [JsonLineSink(output)]
    if observability is not None and _observability_wanted(observability):
        from lambda_kit.sinks import enabled

        sinks += enabled(output=output, **observability)
    return [*sinks, *extra]
