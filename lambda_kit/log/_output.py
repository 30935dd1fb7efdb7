"""Where log lines go: stdout (looked up at each write), a stream, or a file.

Every line is written whole and flushed at once: Lambda may freeze the
environment right after the handler returns, and a line held in a buffer
would arrive late or never. A writer raises ``OSError``/``ValueError`` on
failure; the logger turns that into one stderr report (a closed or broken
stdout never reaches the handler).
"""

from __future__ import annotations

import os
import sys

from lambda_kit._output import write_stream

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO, Any, TypeAlias

    Writer: TypeAlias = Callable[[bytes], None]


class StdoutWriter:
    """Writes to whatever ``sys.stdout`` is now (the runtime or a test may replace it).

    Text streams are flushed first so lines keep their order with ``print()``.
    """

    __slots__ = ()

    def __call__(self, line: bytes) -> None:
        write_stream(sys.stdout, line)


class StreamWriter:
    """Writes to one stream given by the user."""

    __slots__ = ("_stream",)

    def __init__(self, stream: IO[Any]) -> None:
        self._stream = stream

    def __call__(self, line: bytes) -> None:
        write_stream(self._stream, line)


class FileWriter:
    """Appends to a file with one ``write`` system call per line (no Python buffer).

    ``O_APPEND`` makes each whole-line write atomic with respect to other
    writers of the same file, threads included.
    """

    __slots__ = ("_fd", "_path")

    def __init__(self, path: str) -> None:
        self._path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)

    def __call__(self, line: bytes) -> None:
        written = os.write(self._fd, line)
        while written < len(line):  # a short write (full disk, signal): finish the line
            line = line[written:]
            written = os.write(self._fd, line)

    def close(self) -> None:
        """Close the file."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def writer_for(output: str | os.PathLike[str] | IO[Any] | None) -> Writer:
    """The writer for ``output``: None is stdout, a str/path a file, else a stream."""
    if output is None:
        return StdoutWriter()
    if isinstance(output, (str, os.PathLike)):
        return FileWriter(os.fspath(output))
    return StreamWriter(output)
