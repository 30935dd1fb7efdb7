"""The invocation that is running now, for the parts that log during it.

``@instrument`` sets ``current`` when an invocation starts and resets it when it
ends; the logger reads it to add the Lambda context keys to each line. A
``ContextVar`` keeps concurrent asyncio tasks and threads apart (each thread
starts with no current invocation).
"""

from __future__ import annotations

from contextvars import ContextVar

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Invocation:
    """Facts about the running invocation that log lines carry.

    The keys and their names are Powertools Logger's, so Logs Insights queries
    written for it keep working (see docs/logger.md).
    """

    __slots__ = (
        "cold_start",
        "function_arn",
        "function_memory_size",
        "function_name",
        "function_request_id",
        "service",
        "xray_trace_id",
    )

    def __init__(
        self,
        service: str,
        cold_start: bool,
        function_name: str | None,
        function_memory_size: int,
        function_arn: str | None,
        function_request_id: str | None,
        xray_trace_id: str | None,
    ) -> None:
        self.service = service
        self.cold_start = cold_start
        self.function_name = function_name
        self.function_memory_size = function_memory_size
        self.function_arn = function_arn
        self.function_request_id = function_request_id
        self.xray_trace_id = xray_trace_id

    def log_keys(self) -> dict[str, Any]:
        """The keys a log line carries while this invocation runs (None values left out)."""
        keys: dict[str, Any] = {
            "cold_start": self.cold_start,
            "function_name": self.function_name,
            "function_memory_size": self.function_memory_size,
            "function_arn": self.function_arn,
            "function_request_id": self.function_request_id,
        }
        if self.xray_trace_id is not None:
            keys["xray_trace_id"] = self.xray_trace_id
        return keys


current: ContextVar[Invocation | None] = ContextVar("lambda_kit_invocation", default=None)
