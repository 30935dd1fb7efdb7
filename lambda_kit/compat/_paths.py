"""Correlation ids from events: the JMESPath expressions of Powertools' ``correlation_paths``.

The built-in paths are dotted names with quoted parts (``requestContext.requestId``,
``headers."x-amzn-trace-id"``); those are read here without a JMESPath library.
Anything else (functions, filters, pipes) goes to the ``jmespath`` package,
imported only then (boto3 and Powertools depend on it).

Source: Powertools Logger docs, "Setting a Correlation ID" (the built-in paths),
and jmespath.org's grammar (identifiers, quoted identifiers, index expressions).
"""

from __future__ import annotations

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_cache: dict[str, list[str | int] | None] = {}


def _parse(expression: str) -> list[str | int] | None:
    """The steps of a plain path (``a."b-c"[0]``), or None for anything else."""
    steps: list[str | int] = []
    i, n = 0, len(expression)
    while i < n:
        ch = expression[i]
        if ch == '"':
            end = expression.find('"', i + 1)
            if end < 0:
                return None
            steps.append(expression[i + 1 : end])
            i = end + 1
        elif ch == "[":
            end = expression.find("]", i)
            text = expression[i + 1 : end] if end > 0 else ""
            if not text.lstrip("-").isdigit():
                return None
            steps.append(int(text))
            i = end + 1
        elif ch.isalpha() or ch == "_":
            start = i
            while i < n and (expression[i].isalnum() or expression[i] == "_"):
                i += 1
            steps.append(expression[start:i])
        else:
            return None
        if i < n:
            if expression[i] == ".":
                i += 1
                if i == n:
                    return None
            elif expression[i] != "[":
                return None
    return steps or None


def query(expression: str, data: Any) -> Any:
    """The value at ``expression`` in ``data``; None where it leads nowhere.

    >>> query('headers."x-amzn-trace-id"', {"headers": {"x-amzn-trace-id": "Root=1-a"}})
    'Root=1-a'
    """
    if expression not in _cache:
        _cache[expression] = _parse(expression)
    steps = _cache[expression]
    if steps is None:
        import jmespath  # type: ignore[import-untyped]  # only beyond plain paths

        return jmespath.search(expression, data)
    value = data
    for step in steps:
        if isinstance(step, int):
            if not isinstance(value, list) or not -len(value) <= step < len(value):
                return None
            value = value[step]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value
