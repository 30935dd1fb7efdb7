"""What goes into a log line: timestamp, message, exceptions, the JSON bytes.

Redaction lives in ``_redact.py``, cutting an oversized line in ``_truncate.py``.

Each function here is one step of building a line, usable on its own (the
stdlib handler and the fast path share them). Nothing here writes anywhere.

Sources:
- CloudWatch Logs quotas: a log event is at most 256 KB (262,144 bytes), and
  its size is counted as the UTF-8 message plus 26 bytes (PutLogEvents API
  reference), hence ``MAX_LINE_BYTES``.
- Powertools Logger's exception keys (``exception``, ``exception_name``,
  ``stack_trace`` with ``type``/``value``/``module``/``frames``): its logging
  docs, "Logging exceptions".
"""

from __future__ import annotations

import time

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

#: CloudWatch's event limit (262,144 bytes) minus the 26 bytes it adds per event
MAX_LINE_BYTES = 262_144 - 26

_orjson_dumps: Callable[..., bytes] | None = None
_OPT = 0  # orjson's options, set by load_orjson
_OPT_LENIENT = 0
_stdlib_encoder: Any = None


def load_orjson() -> Callable[..., bytes]:
    """Import orjson and return ``dumps``; from now on every line is written by it.

    Importing orjson also imports ``datetime``, ``uuid`` and ``dataclasses`` (so
    ``inspect``): about 10 ms, which must not land on a cold start. Until then,
    lines go through ``stdlib_line``. Datetimes and dataclasses are passed to
    ``fallback`` so that both encoders write them alike.
    """
    global _orjson_dumps, _OPT, _OPT_LENIENT
    import orjson

    _OPT = (
        orjson.OPT_APPEND_NEWLINE
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_DATACLASS
    )
    _OPT_LENIENT = _OPT | orjson.OPT_NON_STR_KEYS
    _orjson_dumps = orjson.dumps
    return orjson.dumps


def stdlib_line(fields: Any) -> bytes:
    """``fields`` as a JSON line by the C encoder behind the ``json`` module.

    Loaded already under the Lambda runtime client, so free on a cold start;
    slower than orjson, so used until something imports orjson (the application,
    or init under provisioned concurrency and SnapStart). Raises on what it cannot write (NaN, keys
    that are not str/int/float/bool/None, lone surrogates): ``to_line`` then
    writes a cleaned copy.
    """
    global _stdlib_encoder
    encoder = _stdlib_encoder
    if encoder is None:
        from _json import encode_basestring, make_encoder

        # no indent, compact separators, no key sorting, no skipping, no NaN
        encoder = _stdlib_encoder = make_encoder(
            None, fallback, encode_basestring, None, ":", ",", False, False, False
        )
    return ("".join(encoder(fields, 0)) + "\n").encode()


# -- timestamp -------------------------------------------------------------------------
#: [(first ns, first ns of the next millisecond, its text)]: the last timestamp made, for
#: callers that inline the check (two comparisons, no division); one tuple in one slot, so
#: a thread never pairs one millisecond with another's text
stamp: list[tuple[int, int, str]] = [(0, 0, "")]
_second: tuple[int, str] = (-1, "")  # (second, its date-and-time text), one tuple likewise


def timestamp_ms(ms: int) -> str:
    """The RFC 3339 text of a Unix time in milliseconds (cached per second, then per ms)."""
    global _second
    seconds, milli = divmod(ms, 1000)
    second = _second
    if second[0] != seconds:
        second = _second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    text = f"{second[1]}.{milli:03d}Z"
    stamp[0] = (ms * 1_000_000, (ms + 1) * 1_000_000, text)
    return text


def timestamp(now_ns: int | None = None) -> str:
    """RFC 3339 UTC with milliseconds: ``2026-11-24T01:02:03.456Z``.

    Cached per millisecond and per second: a burst of lines costs one
    ``time_ns()`` call and a comparison each (no datetime import).

    >>> timestamp(0)
    '1970-01-01T00:00:00.000Z'
    """
    now = time.time_ns() if now_ns is None else now_ns
    last = stamp[0]
    return last[2] if last[0] <= now < last[1] else timestamp_ms(now // 1_000_000)


# -- the caller's location ------------------------------------------------------------------
# "function:line" of each call site, remembered: computing it walks the code's line table
# (longer the further into the function the call is) and formats a string. The loggers
# look the call's bytecode offset up in ``call_sites`` (one int key; the entry holds its
# code object, checked by identity); two call sites at one offset in different functions
# take turns there, each found again in ``_sites``. Entries hold their code objects, so
# an id is never reused for another while cached; both tables are emptied when full.
call_sites: dict[int, tuple[Any, str]] = {}
_sites: dict[tuple[int, int], tuple[Any, str]] = {}
_SITES_MAX = 4096  # generated code can make call sites without end


def locate(frame: FrameType) -> str:
    """``function:line`` of ``frame``'s current call (the loggers inline its first step)."""
    code = frame.f_code
    lasti = frame.f_lasti
    hit = call_sites.get(lasti)
    if hit is not None and hit[0] is code:
        return hit[1]
    site = _sites.get((id(code), lasti))
    if site is None:
        if len(_sites) >= _SITES_MAX:
            _sites.clear()
            call_sites.clear()
        site = _sites[(id(code), lasti)] = (code, f"{code.co_name}:{frame.f_lineno}")
    call_sites[lasti] = site
    return site[1]


# -- message and the stdlib's keywords ------------------------------------------------
def message_text(msg: Any, args: tuple[Any, ...]) -> Any:
    """The ``message`` value: ``msg % args`` as the stdlib does; dicts stay objects.

    An argument whose ``__str__`` (or ``__repr__``) raises is written as
    ``<unprintable TYPE>``; a format that does not match its arguments keeps both.

    >>> message_text("order %s of %d", ("A-1", 2))
    'order A-1 of 2'
    """
    if args:
        # the stdlib's "%(name)s" form: one non-empty mapping is the mapping
        values: Any = args[0] if len(args) == 1 and type(args[0]) is dict and args[0] else args
        try:
            return str(msg) % values
        except Exception:
            pass
        text = _str(msg)
        if type(values) is dict:
            values = {k: _printable(v) for k, v in values.items()}
        else:
            values = tuple(_printable(v) for v in args)
        try:
            return text % values
        except Exception:  # a format/args mismatch loses nothing: both are written
            return f"{text} {values!r}"
    if type(msg) is str or type(msg) is dict:
        return msg
    return _str(msg)


class _Unprintable:
    """Stands for a value whose ``str`` or ``repr`` raises, in a formatted message."""

    __slots__ = ("text",)

    def __init__(self, value: Any) -> None:
        self.text = f"<unprintable {type(value).__name__}>"

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _printable(value: Any) -> Any:
    try:
        str(value)
        repr(value)
    except Exception:
        return _Unprintable(value)
    return value


def stdlib_keywords(kwargs: dict[str, Any]) -> tuple[dict[str, Any], Any, int]:
    """Split the stdlib's keyword arguments (``extra``, ``exc_info``, ...) from the keys."""
    extra = kwargs.pop("extra", None)
    exc_info = kwargs.pop("exc_info", None)
    kwargs.pop("stack_info", None)
    depth = kwargs.pop("stacklevel", 1)
    depth = depth if type(depth) is int and depth > 0 else 1  # 1: the caller, as the stdlib
    if isinstance(extra, dict) and extra:
        kwargs = {**extra, **kwargs}
    return kwargs, exc_info, depth


def key_names(names: tuple[Any, ...]) -> set[Any]:
    """The key names in ``("a", "b")``, ``(["a", "b"],)`` or ``("a", ("b",))``: a string
    is one name (never its characters), any other iterable holds names."""
    gone: set[Any] = set()
    for name in names:
        if isinstance(name, str) or not hasattr(name, "__iter__"):
            gone.add(name)
        else:
            gone.update(name)
    return gone



# -- exceptions ---------------------------------------------------------------------------
def exception_keys(exc_info: Any) -> dict[str, Any]:
    """``exception``, ``exception_name`` and ``stack_trace`` for ``exc_info``.

    ``exc_info`` is what the stdlib accepts: True (the exception being
    handled), an exception, or a ``(type, value, traceback)`` tuple. No
    exception: an empty dict.
    """
    import sys
    import traceback  # only when an exception is logged

    if exc_info is True:
        exc_info = sys.exc_info()
    elif isinstance(exc_info, BaseException):
        exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or exc_info[1] is None:
        return {}
    kind, value, tb = exc_info
    text = "".join(traceback.format_exception(kind, value, tb)).rstrip("\n")
    keys: dict[str, Any] = {
        "exception": text,
        "exception_name": kind.__name__,
        "stack_trace": {
            "type": kind.__name__,
            "value": _str(value),
            "module": kind.__module__,
            "frames": [
                {"file": f.filename, "line": f.lineno, "function": f.name, "statement": f.line}
                for f in traceback.extract_tb(tb)
            ],
        },
    }
    notes = getattr(value, "__notes__", None)
    if notes:
        keys["exception_notes"] = [_str(n) for n in notes]
    return keys


# -- JSON -----------------------------------------------------------------------------------
def _str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def fallback(value: Any) -> Any:
    """The encoders' ``default``: what JSON cannot hold is written as its ``str()``
    (sets as lists, dates and times as ISO 8601)."""
    if isinstance(value, (set, frozenset)):
        return list(value)
    if type(value).__module__ == "datetime" and hasattr(value, "isoformat"):
        return value.isoformat()
    return _str(value)


def _plain(value: Any, depth: int = 0) -> Any:
    """A copy both encoders accept: str keys, finite floats, valid strings, bounded
    depth; integers beyond 64 bits stay numbers (written raw for orjson)."""
    kind = type(value)
    if depth > 200:
        return _str(value)
    if kind is dict or isinstance(value, dict):
        return {(k if type(k) is str else _str(k)): _plain(v, depth + 1) for k, v in value.items()}
    if kind in (list, tuple) or isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v, depth + 1) for v in value]
    if kind is int and not -(2**63) <= value < 2**64 and _orjson_dumps is not None:
        import orjson  # loaded already: _orjson_dumps is set

        return orjson.Fragment(str(value).encode())  # orjson refuses such ints otherwise
    if kind is float and value - value != 0.0:  # NaN and infinities: JSON has none
        return None
    if kind is str:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def to_line(fields: Any) -> bytes:
    """``fields`` as one JSON line; never raises (bad values become strings).

    >>> to_line({"level": "INFO", "n": {1, 2}})
    b'{"level":"INFO","n":[1,2]}\\n'
    """
    dumps = _orjson_dumps
    if dumps is None:
        try:
            return stdlib_line(fields)
        except Exception:
            pass
    else:
        try:
            return dumps(fields, default=fallback, option=_OPT)
        except Exception:
            pass
        try:
            return dumps(fields, default=fallback, option=_OPT_LENIENT)
        except Exception:
            pass
    try:
        plain = _plain(fields)
        return stdlib_line(plain) if dumps is None else dumps(plain, default=fallback, option=_OPT)
    except Exception as exc:  # last resort: the message survives, the reason is said
        return stdlib_line(
            {
                "timestamp": _str(fields.get("timestamp")),
                "level": _str(fields.get("level")),
                "message": _str(fields.get("message")),
                "log_error": f"could not serialise the line: {exc!r}",
            }
        )
