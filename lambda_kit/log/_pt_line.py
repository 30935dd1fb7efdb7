"""Pieces of the Powertools-compatible Logger's lines: the level methods, JSON
messages, redaction without renaming, the encoding (POWERTOOLS_DEV indents), the
timestamp.

Timestamps: lambda_kit writes ISO 8601 UTC with milliseconds and ``Z``
(``2026-11-24T01:02:03.456Z``) by default: sortable, and what CloudWatch Logs
Insights parses. Powertools' forms, when asked for (``LAMBDA_KIT_LOG_TIMESTAMP=powertools``,
or its ``datefmt``, ``use_rfc3339``, ``utc`` arguments), as its docs describe them
("Date formatting"): ``2026-11-24 01:02:03,456+0000`` (``%Y-%m-%d %H:%M:%S,%F%z``,
local time unless ``utc``), RFC 3339 ``2026-11-24T01:02:03.456+00:00``, or ``datefmt``
with ``%F`` standing for the milliseconds.
"""

from __future__ import annotations

import os
import sys
import time
from _contextvars import ContextVar  # what contextvars re-exports, one module less to load

from lambda_kit import settings
from lambda_kit.log import _fields
from lambda_kit.log._fields import (
    MAX_LINE_BYTES,
    fallback,
    stdlib_line,
    timestamp,
    to_line,
)
from lambda_kit.log._pt_config import dev_mode
from lambda_kit.log._redact import Redactor

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias


    Logger: TypeAlias = Any  # the compatible Logger (not imported: no cycle, even typed)


def method(name: str, levelno: int, exception: bool = False) -> Callable[..., None]:
    """A level method with the stdlib's (and Powertools') keywords."""

    def log(
        self: Logger,
        msg: Any,
        *args: Any,
        exc_info: Any = exception,
        stack_info: bool = False,
        stacklevel: int = 2,
        extra: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if self._state.level <= levelno:
            self._line(name, msg, args, exc_info, stacklevel, extra, kwargs)

    log.__name__ = log.__qualname__ = "exception" if exception else name.lower()
    log.__doc__ = (
        f"A {name} line{' with the exception being handled' if exception else ''} "
        "(``extra`` and keyword arguments become keys)."
    )
    return log


def maybe_json(text: str) -> Any:
    """A message that is JSON text, decoded (Powertools does); else the text."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def redact_into(redactor: Redactor, fields: dict[str, Any], keys: dict[str, Any]) -> None:
    """Add ``keys`` to ``fields``, secret values replaced."""
    # Powertools lets a caller's key replace any other, ours included: no renaming here
    secret = redactor.is_secret
    for k, v in keys.items():
        fields[k] = "***" if secret(k) else redactor.nested(v)


def encode(fields: dict[str, Any], dev: bool) -> bytes:
    """The line's bytes (indented under POWERTOOLS_DEV), cut to CloudWatch's limit."""
    if dev:  # POWERTOOLS_DEV: indented, for people reading a terminal
        import json

        return (json.dumps(fields, indent=4, default=fallback) + "\n").encode()
    try:
        dumps = _orjson[0]
        if dumps is None and "orjson" in _modules:
            dumps = _use_orjson()
        if dumps is None:
            line = stdlib_line(fields)
        else:
            line = dumps(fields, default=fallback, option=_fields._OPT)
    except Exception:
        line = to_line(fields)
    size = len(line) - 1  # the newline is not part of the event
    if size <= MAX_LINE_BYTES:
        return line
    from lambda_kit.log._truncate import truncate  # only for a line over the limit

    return truncate(fields, MAX_LINE_BYTES, size)


# The encoder, chosen as lambda_kit's own logger chooses it (``lambda_kit.log._logger``):
# the stdlib's C encoder (loaded already under the Lambda runtime client) until something
# has imported orjson (importing it costs ~10 ms: never on a cold start's account).
_modules = sys.modules
_orjson: list[Callable[..., bytes] | None] = [None]


def _use_orjson() -> Callable[..., bytes]:
    dumps = _orjson[0] = _fields.load_orjson()
    return dumps


if os.environ.get(settings.INITIALIZATION_TYPE) in ("provisioned-concurrency", "snap-start"):
    _use_orjson()  # init runs before any request there: nobody waits for it


_DEFAULT_FORMAT = "%Y-%m-%d %H:%M:%S,%F%z"


class Clock:
    """Makes each line's ``timestamp`` text."""

    __slots__ = ("_datefmt", "_rfc3339", "_utc", "now")

    def __init__(self, datefmt: str | None, rfc3339: bool, utc: bool) -> None:
        self._datefmt = datefmt
        self._rfc3339 = rfc3339
        self._utc = utc
        wanted = os.environ.get(settings.LOG_TIMESTAMP, "").strip().lower() == "powertools"
        self.now = self._powertools if (wanted or datefmt or rfc3339 or utc) else timestamp

    def _powertools(self) -> str:
        now = time.time()
        ms = int(now * 1000) % 1000
        parts = time.gmtime(now) if self._utc else time.localtime(now)
        if self._rfc3339:
            zone = time.strftime("%z", parts)
            return f"{time.strftime('%Y-%m-%dT%H:%M:%S', parts)}.{ms:03d}{zone[:3]}:{zone[3:]}"
        fmt = (self._datefmt or _DEFAULT_FORMAT).replace("%F", f"{ms:03d}")
        return time.strftime(fmt, parts)


#: the keys Powertools' formatter fills in itself (a None appended under one of them
#: still empties it, as in Powertools)
_FORMAT_KEYS = frozenset(("level", "location", "message", "timestamp"))
_NONE_KEYS: dict[str, Any] = {}


class _State:
    """What every Logger of one service shares (Powertools shares its formatter)."""

    __slots__ = ("clock", "ctx", "defaults", "dev", "keys", "level", "redactor", "view", "write")

    def __init__(
        self,
        defaults: dict[str, Any],
        level: int,
        write: Callable[[bytes], None],
        clock: Clock,
        redact: bool,
    ) -> None:
        self.defaults = defaults  # service and sampling_rate: what clear_state goes back to
        self.keys: dict[str, Any] = dict(defaults)
        self.level = level
        self.write = write
        self.clock = clock
        self.redactor: Redactor | None = Redactor() if redact else None
        self.dev = dev_mode()
        self.ctx: ContextVar[dict[str, Any]] = ContextVar("lambda_kit_pt_keys", default=_NONE_KEYS)
        self.view: tuple[dict[str, Any], frozenset[str]] = ({}, frozenset())
        self.rekey()

    def rekey(self) -> None:
        """After ``keys`` changed: ``view`` is (the keys a line takes, the None-valued keys
        it leaves out). Powertools drops None values from each line; doing it here once
        spares every line a dict comprehension (``sampling_rate`` is None by default)."""
        keys = self.keys
        absent = frozenset(k for k, v in keys.items() if v is None and k not in _FORMAT_KEYS)
        present = {k: v for k, v in keys.items() if k not in absent} if absent else dict(keys)
        self.view = (present, absent)  # one tuple: a thread never pairs one with the other's
