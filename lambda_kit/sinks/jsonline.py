"""The default sink: one JSON line per invocation, to stdout, a stream or a file."""

from __future__ import annotations

import os
import sys

from lambda_kit import _json
from lambda_kit._json import orjson_dumps, record_line, text
from lambda_kit._output import LineWriter

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


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
