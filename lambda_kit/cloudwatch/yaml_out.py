"""Writing a template as YAML without a YAML library: block style, JSON-quoted strings.

    to_yaml({"Resources": {"A": {"Type": "AWS::CloudWatch::Alarm"}}})

Every string is written double-quoted, with the escapes YAML's double-quoted
style defines (YAML 1.2, 7.3.1), so no value can turn into a number, a boolean
or a tag by accident, and every string reads back as itself.
"""

from __future__ import annotations

from typing import Any


def _quote(text: str) -> str:
    # YAML double-quoted style: escape what YAML does not allow as it is (C0/C1 controls,
    # its line breaks U+0085/U+2028/U+2029, the BOM); keep the rest, astral planes included
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7F or (o >= 0xA0 and o not in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)):
            out.append(ch)
        else:
            out.append(f"\\u{o:04x}")
    out.append('"')
    return "".join(out)


def _scalar(value: Any) -> str:
    if isinstance(value, list | dict):  # only empty ones are written inline
        return "[]" if isinstance(value, list) else "{}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        mantissa, e, exponent = text.partition("e")
        # YAML 1.1 readers (PyYAML) take 1e-05 for a string: the mantissa needs its dot
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text
    return _quote(str(value))


# plain words YAML 1.1 reads as booleans or null: a key spelled so is quoted
_SPECIAL = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})


def _key(key: Any) -> str:
    text = str(key)
    if text.isidentifier() and text.isascii() and text.lower() not in _SPECIAL:
        return text
    return _quote(text)


def _lines(value: Any, indent: int) -> list[str]:
    pad = "  " * indent
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}{_key(key)}:")
                out.extend(_lines(item, indent + 1))
            else:
                out.append(f"{pad}{_key(key)}: {_scalar(item)}")
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict | list) and item:
                inner = _lines(item, indent + 1)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            else:
                out.append(f"{pad}- {_scalar(item)}")
        return out
    return [pad + _scalar(value)]


def to_yaml(document: dict[str, Any]) -> str:
    """``document`` as a YAML text."""
    return "\n".join(_lines(document, 0)) + "\n"
