"""Walk a JSON object too big to load, member by member, in bounded memory.

    for path, key, value in members(texts, descend=lambda path: len(path) < 2):
        ...  # path: the keys down to the object that holds ``key``

AWS's EC2 offer file is gigabytes, but it is one object whose big members (``products``,
``terms.OnDemand``, ``terms.Reserved``) are objects of small ones. ``members`` opens the
objects ``descend`` names and hands every other member whole, decoded by the standard
library's decoder; so memory holds one member and one chunk, never the file. A member
longer than ``max_value`` characters is an error, not a reason to hold more.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
MAX_VALUE = 8 << 20  # characters; an offer file's product or term is a few KB


class StreamError(ValueError):
    """The text is not the JSON object expected; the message says where."""


def texts(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 ``chunks`` as text, a character split across two chunks kept whole."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        for chunk in chunks:
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise StreamError(f"not UTF-8 text ({exc.reason})") from None


class _Reader:
    """A window on the text: what is not yet consumed, refilled as the walk needs."""

    def __init__(self, chunks: Iterator[str], max_value: int) -> None:
        self._chunks = chunks
        self._max = max_value
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._offset = 0  # characters dropped before ``buf``

    def where(self, pos: int | None = None) -> str:
        return f"character {self._offset + (self.pos if pos is None else pos)}"

    def more(self) -> bool:
        """Append the next chunk, dropping what is consumed; False at the end."""
        while not self.eof:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                return False
            if chunk:
                self._offset += self.pos
                self.buf = self.buf[self.pos :] + chunk
                self.pos = 0
                return True
        return False

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), not consumed."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end"
            raise StreamError(f"expected {what} at {self.where()}, found {found!r}")
        self.pos += 1

    def value(self) -> object:
        """Decode the value that starts here (a string, number, object, ...)."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # cut by the window's end (a string, a literal, an escape): read on, up to
                # the bound; an error well inside the window is the text's own
                cut = exc.msg.startswith("Unterminated") or exc.pos >= len(self.buf) - 6
                if cut and len(self.buf) - self.pos <= self._max and self.more():
                    continue
                if len(self.buf) - self.pos > self._max:
                    raise StreamError(
                        f"a value at {self.where()} is longer than {self._max:,} characters"
                    ) from None
                raise StreamError(f"{exc.msg} at {self.where(exc.pos)}") from None
            # a number near the window's end may go on in the next chunk ("1." and
            # "1e+" decode as 1, leaving the rest): read on and decode it again
            if len(self.buf) - end < 3 and self.more():
                continue
            if end - self.pos > self._max:
                raise StreamError(
                    f"a value at {self.where()} is longer than {self._max:,} characters"
                )
            self.pos = end
            return value


def members(
    chunks: Iterable[str],
    descend: Callable[[tuple[str, ...]], bool],
    *,
    max_value: int | None = None,
    opened: set[tuple[str, ...]] | None = None,
) -> Iterator[tuple[tuple[str, ...], str, object]]:
    """``(path, key, value)`` for each member of the top object and of every object
    ``descend(path + (key,))`` opens (whose members come instead of the object, and
    whose path is added to ``opened``: an empty one has no member to show it); a member
    longer than ``max_value`` (default ``MAX_VALUE``) characters is refused."""
    reader = _Reader(iter(chunks), MAX_VALUE if max_value is None else max_value)
    if reader.peek() != "{":
        raise StreamError("not a JSON object")
    yield from _walk(reader, (), descend, set() if opened is None else opened)
    if reader.peek():
        raise StreamError(f"text after the object at {reader.where()}")


def _walk(
    reader: _Reader,
    path: tuple[str, ...],
    descend: Callable[[tuple[str, ...]], bool],
    opened: set[tuple[str, ...]],
) -> Iterator[tuple[tuple[str, ...], str, object]]:
    opened.add(path)
    reader.expect("{", "'{'")
    if reader.peek() == "}":
        reader.pos += 1
        return
    while True:
        if reader.peek() != '"':
            raise StreamError(f"expected a key at {reader.where()}")
        key = reader.value()
        assert isinstance(key, str)  # a JSON string decodes to str
        reader.expect(":", "':'")
        inner = (*path, key)
        if descend(inner) and reader.peek() == "{":
            yield from _walk(reader, inner, descend, opened)
        else:
            yield path, key, reader.value()
        following = reader.peek()
        reader.pos += 1
        if following == "}":
            return
        if following != ",":
            raise StreamError(f"expected ',' or '}}' at {reader.where(reader.pos - 1)}")
