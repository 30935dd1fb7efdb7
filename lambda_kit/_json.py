"""JSON for the invocation record, without importing a JSON library.

Why not orjson here: importing orjson also imports ``datetime``, ``uuid``
(and ``platform``) and ``dataclasses`` (and ``inspect``, ``ast``, ``dis``),
which costs about 10 ms on a cold start under the Lambda runtime client —
two thirds of lambda_kit's whole budget. The record has a fixed shape of
strings, numbers and booleans, so a writer that knows that shape is both free
to import and as fast as orjson for it. Anything outside that shape (nested
``init`` / ``connections`` objects, keys added by hooks) goes through
``dumps``, a small general encoder. The structured logger, whose values are
arbitrary, uses orjson.

Output is RFC 8259 JSON: strings escaped (``"``, ``\\``, control characters),
non-ASCII written as UTF-8, NaN and infinities written as ``null``, and any
other object written as its ``str()``.
"""

from __future__ import annotations

import sys
from operator import itemgetter

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


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


_BOOL = {True: "true", False: "false"}
#: the keys every record of @instrument has, in the order they are written
CORE_KEYS = (
    "timestamp",
    "level",
    "message",
    "type",
    # the same in every record of an environment
    "service",
    "function_name",
    "function_version",
    "function_arn",
    "function_memory_size",
    "init_type",
    "architecture",
    # this invocation's
    "function_request_id",
    "cold_start",
    "proactive_init",
    "invocation_count",
    "duration_ms",
    "billed_duration_ms",
    "max_memory_used_mb",
    "cost_usd",
    "status",
)
_CORE = frozenset(CORE_KEYS)
_CORE_COUNT = len(_CORE)


# per-environment fields (service, function name, version, ARN, memory size, init
# type, architecture) are the same in every record of an environment: their JSON
# text is made once per distinct combination and reused
_fragments: dict[tuple[Any, ...], str] = {}


def _fragment(key: tuple[Any, ...]) -> str:
    service, name, version, arn, memory, init_type, arch = key
    if len(_fragments) > 64:
        _fragments.clear()
    text = _fragments[key] = (
        f'"message":"invocation","type":"invocation","service":{dumps(service)},'
        f'"function_name":{dumps(name)},"function_version":{dumps(version)},'
        f'"function_arn":{dumps(arn)},"function_memory_size":{dumps(memory)},'
        f'"init_type":{dumps(init_type)},"architecture":{dumps(arch)}'
    )
    return text


# the per-environment keys and this invocation's, read from a record dict in the order
# render_line takes them (derived from CORE_KEYS: one list of keys to keep in step)
_environment_fields = itemgetter(*CORE_KEYS[4:11])
_invocation_fields = itemgetter(*CORE_KEYS[:2], *CORE_KEYS[11:])


def render_line(
    environment_key: tuple[Any, ...],
    extra: str,
    timestamp: str,
    level: str,
    request_id: Any,
    cold: bool,
    proactive: bool,
    count: int,
    duration_ms: float,
    billed_ms: int,
    peak_mb: int,
    cost_usd: float,
    status: str,
) -> bytes:
    """The record's JSON line from its values: the one template behind ``record_line``
    and ``@instrument``'s own fast path. ``environment_key`` is (service, function
    name, version, ARN, memory size, init type, architecture); ``extra`` is the JSON
    text of the keys after the core ones (``',"k":v'``...) or empty.
    """
    fragment = _fragments.get(environment_key) or _fragment(environment_key)
    if (
        type(request_id) is str
        and request_id.isprintable()
        and '"' not in request_id
        and "\\" not in request_id
    ):
        rid = f'"{request_id}"'
    else:
        rid = dumps(request_id)
    return (
        f'{{"timestamp":"{timestamp}","level":"{level}",{fragment},'
        f'"function_request_id":{rid},"cold_start":{_BOOL[cold]},'
        f'"proactive_init":{_BOOL[proactive]},"invocation_count":{count},'
        f'"duration_ms":{duration_ms:.3f},"billed_duration_ms":{billed_ms},'
        f'"max_memory_used_mb":{peak_mb},"cost_usd":{cost_usd:.12f},"status":"{status}"'
        f"{extra}}}\n"
    ).encode("utf-8", "backslashreplace")


def extra_text(items: Any) -> str:
    """``',"k":v,...'`` for (key, value) pairs, or '' when there are none."""
    return "".join(f",{string(k if type(k) is str else _key(k))}:{dumps(v)}" for k, v in items)


def record_line(r: dict[str, Any]) -> bytes:
    """The invocation record as one JSON line (UTF-8, newline-terminated).

    Only for records built by ``@instrument``, whose core keys always exist with
    the types it gives them (hooks may add keys, never change these): the core
    keys are written from a template in the order of ``record.KEYS``, and other
    keys follow in the dict's order through ``dumps``. ``timestamp``, ``level``
    and ``status`` come from fixed vocabularies and need no escaping; the
    request id is checked and escaped when it needs it.
    """
    try:
        extra = (
            extra_text((k, v) for k, v in r.items() if k not in _CORE)
            if len(r) > _CORE_COUNT
            else ""
        )
        return render_line(_environment_fields(r), extra, *_invocation_fields(r))
    except (KeyError, TypeError, ValueError):
        return (dumps(r) + "\n").encode("utf-8", "backslashreplace")


def orjson_dumps() -> Callable[..., bytes] | None:
    """``orjson.dumps`` when the application has imported orjson already, else None.

    orjson writes a record with less than half of ``record_line``'s work, but
    lambda_kit never imports it itself: that costs ~10 ms of a cold start under
    the bare runtime client (orjson imports ``datetime``, ``uuid``,
    ``dataclasses``), and still ~0.7 ms where boto3 loaded those, which a cold
    start pays whether it happens at import, at decoration or at the first
    invocation. Both write the same JSON values. Call it as
    ``dumps(record, default=text, option=ORJSON_OPTIONS)`` and fall back to
    ``record_line`` on an exception (ints over 64 bits, non-string keys).
    """
    global ORJSON_OPTIONS
    orjson = sys.modules.get("orjson")
    if orjson is None:
        return None
    # no OPT_NON_STR_KEYS: it slows every call by a third; a record with such a key
    # (never one of ours) raises, and record_line writes it instead
    ORJSON_OPTIONS = orjson.OPT_APPEND_NEWLINE
    dumps: Callable[..., bytes] = orjson.dumps
    return dumps


ORJSON_OPTIONS = 0
text = _text
