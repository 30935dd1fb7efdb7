"""Helpers for the connection reuse tests: run instrumented invocations, read their records."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from typing import Any

from lambda_kit import instrument


class Invoker:
    """Wraps ``handler`` with ``@instrument`` and returns (result, record) per invocation."""

    def __init__(self, handler: Callable[[Any, Any], Any]) -> None:
        self._out = io.StringIO()
        self._handler = instrument(service="reuse-test", output=self._out)(handler)

    def __call__(self, event: Any = None) -> tuple[Any, dict[str, Any]]:
        before = len(self.records())
        result = self._handler(event, None)
        records = self.records()
        assert len(records) == before + 1, records
        return result, records[-1]

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self._out.getvalue().splitlines()]

    def last_record(self) -> dict[str, Any]:
        return self.records()[-1]


def unique(prefix: str) -> str:
    """A name no other test uses (application names, client names, handle names)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
