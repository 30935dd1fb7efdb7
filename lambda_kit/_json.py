"""A small JSON encoder, for what lambda_kit writes without importing a JSON library.

Why not orjson: importing orjson also imports ``datetime``, ``uuid`` (and
``platform``) and ``dataclasses`` (and ``inspect``, ``ast``, ``dis``), which costs
about 10 ms on a cold start under the Lambda runtime client — two thirds of
lambda_kit's whole budget. The record (``lambda_kit.record``) writes its fixed
shape from a template and everything else (nested ``init`` / ``connections``
objects, keys a contributor added) through ``dumps``. The structured logger,
whose values are arbitrary, uses orjson once the application has loaded it.

Output is RFC 8259 JSON: strings escaped (``"``, ``\\``, control characters),
non-ASCII written as UTF-8, NaN and infinities written as ``null``, and any
other object written as its ``str()``.
"""

from __future__ import annotations

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
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


def key(value: Any) -> str:
    """A JSON object key for ``value``: strings as they are, anything else as its text.

    >>> key("a"), key(1), key(None)
    ('"a"', '"1"', '"null"')
    """
    return string(value if type(value) is str else _key(value))


text = _text
