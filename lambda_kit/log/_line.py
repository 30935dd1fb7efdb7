"""One log line from one call: its fields, its bytes, its write (the logger's hot path).

``logger.info("msg", k=v)`` runs ``level_method``'s ``log``. The common call, a text
message without ``%`` arguments and keys whose names are known not to be secret
(``Redactor.safe``) with number or plain text values, is built and written in that one
frame; redaction then costs a set test and a few substring tests per text value (see
``_redact``), and the caller's location is looked up per call site, not recomputed.
Every other call (``%`` arguments, a dict message, ``exc_info``/``extra``, a secret or
reserved key name, a nested value, a text that may hold a secret) takes ``assemble``,
the one general builder, which the stdlib handler (``_stdlib.JsonHandler``) uses too.
Both produce the same fields in the same order (tests/test_log_fast_path.py).

The encoder is the stdlib's C encoder until something has imported orjson (its import
costs ~10 ms, never put on a cold start), then orjson: the same bytes either way.
"""

from __future__ import annotations

import os
import sys
import time

from lambda_kit._current import current
from lambda_kit._output import write_fd
from lambda_kit._problems import problem
from lambda_kit.log._fields import call_sites as _call_sites
from lambda_kit.log._fields import (
    exception_keys,
    fallback,
    locate,
    message_text,
    stdlib_keywords,
    stdlib_line,
    to_line,
)
from lambda_kit.log._fields import load_orjson as _load_orjson
from lambda_kit.log._fields import stamp as _stamp
from lambda_kit.log._fields import timestamp_ms as _timestamp_ms
from lambda_kit.log._redact import SPECIAL

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextvars import ContextVar
    from typing import Any, Protocol

    from lambda_kit._current import Invocation
    from lambda_kit._output import LineWriter
    from lambda_kit.log._redact import Redactor

    class Source(Protocol):
        """What a line needs of its logger (``_logger.Logger`` has it)."""

        name: str
        _level: int
        _redactor: Redactor
        _service: str | None
        _env_service: str
        _sample_rate: float
        _inv_cache: tuple[Invocation | None, dict[str, Any]]
        _keys: dict[str, Any]
        _ctx: ContextVar[tuple[Invocation | None, dict[str, Any]]]
        _max: int
        _write: Callable[[bytes], None]
        _writer: LineWriter

        def _new_invocation_keys(
            self, inv: Invocation
        ) -> tuple[Invocation | None, dict[str, Any]]: ...


_getframe = sys._getframe
# bound here: a method call on an imported name compiles to a plain attribute load (3.11)
_site_get = _call_sites.get
_modules = sys.modules
_current_get = current.get
_time_ns = time.time_ns
_os_write = os.write
_SCALARS = frozenset((str, int, float, bool, type(None)))  # values redaction can skip

#: set by ``install()``: (logger, levelno, fields) -> the root logger's other handlers
forwarders: list[Callable[[Source, int, dict[str, Any]], None]] = []


def load_encoder() -> None:
    """Write every line with orjson from now on (see ``_fields.load_orjson``)."""
    global _dumps, _OPT
    from lambda_kit.log import _fields

    _dumps = _load_orjson()
    _OPT = _fields._OPT


def _first_lines(value: Any, default: Any = None, option: int = 0) -> bytes:
    # The stdlib's C encoder (loaded under Lambda's runtime client): orjson's ~10 ms import
    # must land neither on a cold start nor, as a stall, on a warm invocation. Once something
    # imported orjson (or init did: provisioned concurrency, SnapStart), _dumps is orjson's.
    if "orjson" in _modules:
        load_encoder()
        return to_line(value)
    return stdlib_line(value)


_dumps: Callable[..., bytes] = _first_lines
_OPT = 0

def assemble(
    lg: Source,
    inv: Invocation | None,
    ts: str,
    level: str,
    message: Any,
    location: str,
    keys: dict[str, Any] | None,
    exc_info: Any = None,
    logger_name: str | None = None,
) -> dict[str, Any]:
    """The fields of one line, in their order: the logger's own five keys (``logger``
    for a stdlib record), the sampling rate, the running invocation's keys, the
    environment's (``set_keys``), the invocation's (``append_keys``), the caller's
    (redacted), then the exception's. The stdlib handler and every call off the fast
    path of ``level_method`` build their lines here (the fast path mirrors it).
    """
    redactor = lg._redactor
    if type(message) is not str:
        message = redactor.nested(message)  # a dict passed as the message
    elif redactor.scan and message not in redactor.plain_texts:
        message = redactor.text(message)  # a DSN's password, a token: see _redact
    fields = {
        "timestamp": ts,
        "level": level,
        "message": message,
        "service": lg._service or (inv.service if inv is not None else lg._env_service),
        "location": location,
    }
    if logger_name is not None:
        fields["logger"] = logger_name
    if lg._sample_rate:
        fields["sampling_rate"] = lg._sample_rate
    if inv is not None:
        cached = lg._inv_cache
        if cached[0] is not inv:  # once per invocation; a tuple so threads see a pair
            cached = lg._new_invocation_keys(inv)
        fields.update(cached[1])
    if lg._keys:
        fields.update(lg._keys)
    owner, appended = lg._ctx.get()
    if appended and owner is inv:  # keys of an invocation that ended are gone
        fields.update(appended)
    if keys:
        if redactor.safe.issuperset(keys) and redactor.clean(keys):
            fields.update(keys)  # no secret or reserved key, nothing nested
        else:
            redactor.merge(fields, keys)
    if exc_info:  # an error's text may quote a DSN: scrubbed as any string
        fields.update(redactor.nested(exception_keys(exc_info)))
    return fields


def write_fields(lg: Source, fields: dict[str, Any]) -> None:
    """Serialise ``fields`` once (cut to the logger's limit) and write the line."""
    try:
        line = _dumps(fields, default=fallback, option=_OPT)
    except Exception:  # what the encoder refuses outright: the careful path
        line = to_line(fields)
    if len(line) - 1 > lg._max:  # the newline is not part of the event
        line = _cut(lg, fields, line)
    try:
        lg._write(line)
    except (OSError, ValueError) as exc:  # closed or broken stdout: say so once, go on
        problem(f"could not write a log line: {exc!r}", key=f"write:{type(exc).__name__}")


def _cut(lg: Source, fields: dict[str, Any], line: bytes) -> bytes:
    """A line over the logger's limit, cut to fit (see ``_truncate``)."""
    from lambda_kit.log._truncate import truncate  # only for a line over the limit

    return truncate(fields, lg._max, len(line) - 1)


def _careful(
    lg: Source, levelno: int, name: str, msg: Any, args: Any, kwargs: dict[str, Any]
) -> None:
    """A line off the fast path: the stdlib's keywords, ``%`` arguments, redaction."""
    exc_info = None
    depth = 1
    if kwargs and not SPECIAL.isdisjoint(kwargs):
        kwargs, exc_info, depth = stdlib_keywords(kwargs)
    try:
        frame = _getframe(depth + 1)  # depth 1, the caller, is one frame above ``log``
    except ValueError:  # a stacklevel deeper than the stack: the caller
        frame = _getframe(2)
    now = _time_ns()
    last = _stamp[0]
    fields = assemble(
        lg,
        _current_get(),
        last[2] if last[0] <= now < last[1] else _timestamp_ms(now // 1_000_000),
        name,
        msg if type(msg) is str and not args else message_text(msg, args),
        locate(frame),
        kwargs,
        exc_info,
    )
    write_fields(lg, fields)
    if forwarders:
        for hand_over in forwarders:
            hand_over(lg, levelno, fields)


def level_method(levelno: int, name: str) -> Callable[..., None]:
    """The ``debug``/``info``/... method: the level test, then the fast path (see the
    module) or ``_careful``; logging never raises into the caller."""

    def log(self: Source, msg: Any, /, *args: Any, **kwargs: Any) -> None:
        if self._level > levelno:
            return
        try:
            red = self._redactor
            # safe keys are neither secret, reserved nor the stdlib's keywords (_redact)
            if args or type(msg) is not str or (kwargs and not red.safe.issuperset(kwargs)):
                return _careful(self, levelno, name, msg, args, kwargs)
            if kwargs:
                scan = red.scan
                for v in kwargs.values():  # Redactor.clean, inlined
                    kind = type(v)
                    if kind is str:
                        if scan and len(v) > 6 and (  # _redact's precheck
                            (":" in v and "://" in v) or ("J" in v and "eyJ" in v)
                            or "earer" in v or ("R" in v and "EARER" in v)
                        ):
                            return _careful(self, levelno, name, msg, args, kwargs)
                    elif kind is not int and kind is not float and kind is not bool and (
                        v is not None
                    ):  # a container (a secret may be nested in it) or another object
                        return _careful(self, levelno, name, msg, args, kwargs)
            frame = _getframe(1)
            hit = _site_get(frame.f_lasti)  # _fields.locate, its first step inlined
            location = hit[1] if hit is not None and hit[0] is frame.f_code else locate(frame)
            now = _time_ns()
            last = _stamp[0]
            ts = last[2] if last[0] <= now < last[1] else _timestamp_ms(now // 1_000_000)
            if msg not in red.plain_texts and red.scan:
                msg = red.text(msg)  # a DSN's password, a token: see _redact
            inv = _current_get()
            fields = {
                "timestamp": ts,
                "level": name,
                "message": msg,
                "service": self._service or (inv.service if inv is not None else self._env_service),
                "location": location,
            }
            if self._sample_rate:
                fields["sampling_rate"] = self._sample_rate
            if inv is not None:
                cached = self._inv_cache
                if cached[0] is not inv:
                    cached = self._new_invocation_keys(inv)
                fields.update(cached[1])
            if self._keys:
                fields.update(self._keys)
            owner, appended = self._ctx.get()
            if appended and owner is inv:
                fields.update(appended)
            if kwargs:
                fields.update(kwargs)
            try:  # write_fields, inlined
                line = _dumps(fields, fallback, _OPT)
            except Exception:
                line = to_line(fields)
            if len(line) - 1 > self._max:  # the newline is not part of the event
                line = _cut(self, fields, line)
            try:
                fd = self._writer.fd
                if fd is None:
                    self._write(line)
                elif (written := _os_write(fd, line)) < len(line):  # LineWriter.write, inlined
                    write_fd(fd, line[written:])  # a short write: finish the line
            except (OSError, ValueError) as exc:  # closed or broken stdout: said once
                problem(f"could not write a log line: {exc!r}", key=f"write:{type(exc).__name__}")
            if forwarders:
                for hand_over in forwarders:
                    hand_over(self, levelno, fields)
        except Exception as exc:  # logging never raises into the caller
            problem(f"could not write a log line: {exc!r}", key=f"log:{type(exc).__name__}")

    log.__name__ = log.__qualname__ = name.lower()
    log.__doc__ = f"Write a {name} line: ``logger.{name.lower()}('message', key=value)``."
    return log
