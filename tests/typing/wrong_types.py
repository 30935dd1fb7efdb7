"""Mistakes mypy must catch in a user's module (tests/test_typing.py expects each)."""

from __future__ import annotations

from typing import Any, assert_type

from lambda_kit import instrument, reuse


@instrument(service="orders")
def handler(event: dict[str, Any], context: object) -> dict[str, int]:
    return {"ok": 1}


assert_type(handler({}, None), str)  # E: the handler returns dict[str, int]
handler("not a dict", None)  # E: the event's type is kept
assert_type(reuse("n", lambda: 1)(), str)  # E: the factory makes an int
