"""What goes into a log line: timestamp, redaction, exceptions, the JSON bytes.

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

from lambda_kit._problems import problem

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

#: CloudWatch's event limit (262,144 bytes) minus the 26 bytes it adds per event
MAX_LINE_BYTES = 262_144 - 26

REDACTED = "***"

#: keys the logger writes itself: a caller's key of the same name is written as ``<key>_``
RESERVED = frozenset(("timestamp", "level", "message", "service", "location"))
_SCALARS = frozenset((str, int, float, bool, type(None)))  # nothing to redact inside

#: substrings of a key (lower case, ``-`` read as ``_``) that mark its value as secret
DEFAULT_SECRET_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "api_key",
    "apikey",
    "private_key",
    "cookie",  # also set-cookie
    "credential",
)


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
#: [(millisecond, its text)]: the last timestamp made, for callers that inline the check
#: (one tuple in one slot, so a thread never pairs one millisecond with another's text)
stamp: list[tuple[int, str]] = [(-1, "")]
_second: tuple[int, str] = (-1, "")  # (second, its date-and-time text), one tuple likewise


def timestamp_ms(ms: int) -> str:
    """The RFC 3339 text of a Unix time in milliseconds (cached per second, then per ms)."""
    global _second
    seconds, milli = divmod(ms, 1000)
    second = _second
    if second[0] != seconds:
        second = _second = (seconds, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)))
    text = f"{second[1]}.{milli:03d}Z"
    stamp[0] = (ms, text)
    return text


def timestamp(now_ns: int | None = None) -> str:
    """RFC 3339 UTC with milliseconds: ``2026-11-24T01:02:03.456Z``.

    Cached per millisecond and per second: a burst of lines costs one
    ``time_ns()`` call and a comparison each (no datetime import).

    >>> timestamp(0)
    '1970-01-01T00:00:00.000Z'
    """
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    last = stamp[0]
    return last[1] if last[0] == ms else timestamp_ms(ms)


# -- message and the stdlib's keywords ------------------------------------------------
def message_text(msg: Any, args: tuple[Any, ...]) -> Any:
    """The ``message`` value: ``msg % args`` as the stdlib does; dicts stay objects."""
    if args:
        try:
            return str(msg) % args
        except Exception:  # a format/args mismatch loses nothing: both are written
            return f"{msg} {args!r}"
    if type(msg) is str or type(msg) is dict:
        return msg
    try:
        return str(msg)
    except Exception:
        return f"<unprintable {type(msg).__name__}>"


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


# -- redaction --------------------------------------------------------------------------
class Redactor:
    """Decides which keys hold secrets and replaces their values by ``"***"``.

    A key is secret when, lower-cased with ``-`` read as ``_``, it contains one
    of ``parts`` or matches one of the user's regular expressions. Answers are
    cached per key, so a known key costs one dict lookup.

    ``Redactor(parts=())`` redacts nothing (``redact=False``) but still keeps a
    caller's ``level``/``message``/... keys from replacing the logger's own.

    >>> Redactor().value("headers", {"Authorization": "Bearer x", "Accept": "*/*"})
    {'Authorization': '***', 'Accept': '*/*'}
    """

    __slots__ = ("_cache", "_parts", "_patterns", "safe")

    def __init__(self, extra: Iterable[str] = (), parts: Iterable[str] = DEFAULT_SECRET_PARTS):
        self._parts = tuple(parts)
        extra = tuple(extra)
        self._patterns: tuple[Any, ...] = ()
        if extra:
            import re  # only when the user gave patterns

            patterns = []
            for pattern in extra:
                try:
                    patterns.append(re.compile(pattern, re.IGNORECASE))
                except (re.error, TypeError) as exc:
                    problem(
                        f"redact_keys: {pattern!r} is not a regular expression ({exc}); skipped"
                    )
            self._patterns = tuple(patterns)
        self._cache: dict[Any, bool] = {}
        #: keys known not to be secret: a call whose keys are all here skips the per-key test
        self.safe: set[Any] = set()

    def is_secret(self, key: Any) -> bool:
        """True when the value under ``key`` must not be written."""
        hit = self._cache.get(key)
        if hit is None:
            text = key if type(key) is str else _str(key)
            norm = text.lower().replace("-", "_")
            hit = any(p in norm for p in self._parts) or any(p.search(text) for p in self._patterns)
            if len(self._cache) < 4096:  # keys made up at run time must not grow it forever
                self._cache[key] = hit
                if not hit and key not in RESERVED:
                    self.safe.add(key)
        return hit

    def value(self, key: Any, value: Any) -> Any:
        """``value`` as it may be written under ``key`` (containers are copied, not changed)."""
        if self.is_secret(key):
            return REDACTED
        return value if type(value) in _SCALARS else self.nested(value)

    def nested(self, value: Any, depth: int = 0) -> Any:
        """A copy of a dict/list/tuple with secret keys' values replaced, at any depth."""
        if type(value) in _SCALARS:
            return value
        if depth > 64:  # a cycle or absurd nesting: orjson refuses it anyway
            return _str(value)
        if isinstance(value, dict):  # OrderedDict, defaultdict... too
            return {
                k: REDACTED if self.is_secret(k) else self.nested(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self.nested(v, depth + 1) for v in value]
        return value

    def merge(self, fields: dict[str, Any], keys: dict[str, Any]) -> None:
        """Add ``keys`` to ``fields``, secret values replaced."""
        secret = self.is_secret
        for k, v in keys.items():
            if secret(k):
                v = REDACTED
            elif type(v) not in _SCALARS:
                v = self.nested(v)
            fields[f"{k}_" if k in RESERVED else k] = v

    def mapping(self, keys: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``keys`` with every value as it may be written."""
        return {(f"{k}_" if k in RESERVED else k): self.value(k, v) for k, v in keys.items()}


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


_MARK = "...[truncated]"
_KEEP = ("timestamp", "level", "service", "location", "truncated")


def truncate(fields: dict[str, Any], limit: int = MAX_LINE_BYTES) -> bytes:
    """A line of at most ``limit`` bytes (newline excluded) with ``"truncated": true``.

    The largest values are cut (structures are written as their JSON text
    first) until the line fits; every key stays, and the line stays valid JSON.
    """
    fields = dict(fields)
    fields["truncated"] = True
    line = to_line(fields)
    for _ in range(64):
        excess = len(line) - 1 - limit
        if excess <= 0:
            return line
        sizes = {
            k: len(v) if type(v) is str else len(to_line({"v": v}))
            for k, v in fields.items()
            if k not in _KEEP
        }
        if not sizes:
            break
        key = max(sizes, key=sizes.__getitem__)
        value = fields[key]
        text = value if type(value) is str else to_line(value).decode()[:-1]
        # each character cut removes at least one byte; escaping may have grown the
        # text (a structure written as a string): the next round measures again
        keep = max(0, len(text) - excess - len(_MARK) - 8)
        fields[key] = text[:keep] + _MARK if keep else _MARK
        line = to_line(fields)
    # still too big: only the essentials
    return to_line({k: fields[k] for k in ("timestamp", "level", "truncated") if k in fields})
