"""A user's handler module, type-checked with ``mypy --strict`` by tests/test_typing.py:
the public API keeps the handler's exact type and types what it returns."""

from __future__ import annotations

import socket
from typing import Any, assert_type

from lambda_kit import instrument, logger, metrics, reuse
from lambda_kit.reuse import Reused


@instrument
def bare(event: dict[str, Any], context: object) -> dict[str, int]:
    return {"ok": 1}


@instrument(service="orders", timeout_margin_ms=100)
def configured(event: dict[str, Any], context: object) -> list[str]:
    return ["a"]


@instrument(service="orders")
async def asynchronous(event: dict[str, Any], context: object) -> int:
    return 1


class Handlers:
    @instrument(service="orders")
    def method(self, event: dict[str, Any], context: object) -> str:
        return "x"


def _connect() -> socket.socket:
    return socket.socket()


conn = reuse("conn", _connect)
assert_type(conn, Reused[socket.socket])
assert_type(conn(), socket.socket)
assert_type(bare({}, None), dict[str, int])
assert_type(configured({}, None), list[str])
assert_type(Handlers().method({}, None), str)


async def _await() -> None:
    assert_type(await asynchronous({}, None), int)


logger.info("order received", order_id=42)
metrics.add("OrdersPlaced", 1, "Count")
