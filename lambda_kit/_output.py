"""JSON lines: the one encoder lambda_kit writes with, and the one line writer.

    LineWriter("/tmp/records.jsonl").write(b'{"a":1}\\n')
    LineWriter().write(line)        # sys.stdout, looked up at each write

A target is None (``sys.stdout``, looked up at each write so a replaced stdout is
honoured), a text or binary stream, or a file path (appended to, unbuffered).
Every line is written whole and flushed at once: Lambda may freeze the environment
right after the handler returns, and a line held in a buffer would arrive late or
never. A short write (a full pipe or disk, a signal) is finished, so a line is never
cut. Lines keep their order with what ``print()`` wrote before them. A writer raises
``OSError``/``ValueError`` on failure; its caller reports that once on stderr.

The JSON text it writes comes from the encoder below (``dumps``, ``string``,
``key``), written here rather than imported: see "Why not orjson". One module for
the text and its writer, because each module is ~0.05 ms of every cold start.
"""

from __future__ import annotations

import os
import sys

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


_os_write = os.write  # one global lookup a line, not two


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

    __slots__ = ("_path", "_stream", "fd")

    def __init__(self, target: str | os.PathLike[str] | IO[Any] | None = None) -> None:
        #: the file's descriptor once its first line opened it; None for a stream (the
        #: logger's fast path writes to it directly, as ``write`` does)
        self.fd: int | None = None
        self._path: str | None = None
        self._stream: IO[Any] | None = None
        if isinstance(target, (str, os.PathLike)):
            self._path = os.fspath(target)
        else:
            self._stream = target

    def write(self, line: bytes) -> None:
        """Write one line (bytes ending in a newline)."""
        fd = self.fd
        if fd is not None:  # a file, open since its first line: write_fd, inlined
            written = _os_write(fd, line)
            if written < len(line):
                write_fd(fd, line[written:])
            return
        if self._path is not None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
            self.fd = os.open(self._path, flags, 0o644)
            write_fd(self.fd, line)
            return
        write_stream(self._stream if self._stream is not None else sys.stdout, line)

    __call__ = write

    def close(self) -> None:
        """Close the file, if this writer opened one."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


# -- JSON text ---------------------------------------------------------------------
# Why not orjson: importing orjson also imports ``datetime``, ``uuid`` (and
# ``platform``) and ``dataclasses`` (and ``inspect``, ``ast``, ``dis``), which costs
# about 10 ms on a cold start under the Lambda runtime client — two thirds of
# lambda_kit's whole budget. The record (``lambda_kit.record``) writes its fixed
# shape from a template and everything else (nested ``init`` / ``connections``
# objects, keys a contributor added) through ``dumps``. The structured logger,
# whose values are arbitrary, uses orjson once the application has loaded it.
#
# Output is RFC 8259 JSON: strings escaped (quote, backslash, control characters),
# non-ASCII written as UTF-8, NaN and infinities written as ``null``, and any
# other object written as its ``str()``.

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update(
    {
        ord('"'): '\\"',
        ord("\\"): "\\\\",
        0x7F: "\\u007f",
        ord("\n"): "\\n",
        ord("\r"): "\\r",
        ord("\t"): "\\t",
    }
)


def string(value: str) -> str:
    """``value`` as a JSON string literal.

    >>> string('say "hi"\\n')
    '"say \\\\"hi\\\\"\\\\n"'
    """
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return '"' + value.translate(_ESCAPES) + '"'


def _float(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "null"
    return float.__repr__(value)


def dumps(value: Any) -> str:
    """Any value as JSON text; what JSON cannot hold is written as its ``str()``.

    >>> dumps({"a": [1, 2.5, None, True], "b": float("nan")})
    '{"a":[1,2.5,null,true],"b":null}'
    """
    kind = type(value)
    if kind is str:
        return string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float(value)
    if value is None:
        return "null"
    if kind is dict or isinstance(value, dict):
        return (
            "{"
            + ",".join(
                f"{string(k if type(k) is str else _key(k))}:{dumps(v)}" for k, v in value.items()
            )
            + "}"
        )
    if kind is list or kind is tuple or isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(int(value))
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, str):
        return string(str.__str__(value))
    return string(_text(value))


def _key(key: Any) -> str:
    if key is None or isinstance(key, (bool, int, float)):
        return dumps(key)
    return _text(key)


def _text(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def key(value: Any) -> str:
    """A JSON object key for ``value``: strings as they are, anything else as its text.

    >>> key("a"), key(1), key(None)
    ('"a"', '"1"', '"null"')
    """
    return string(value if type(value) is str else _key(value))


text = _text
