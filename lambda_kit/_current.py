"""The invocation that is running now, for the parts that log during it.

``@instrument`` sets ``current`` when an invocation starts and resets it when it
ends; the logger reads it to add the Lambda context keys to each line. A
``ContextVar`` keeps concurrent asyncio tasks and threads apart (each thread
starts with no current invocation).
"""

from __future__ import annotations

from contextvars import ContextVar

from lambda_kit.environment import memory_size_mb as _memory_size_mb
from lambda_kit.environment import xray_trace_id as _xray_trace_id

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lambda_kit.environment import Environment


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


class Call(Invocation):
    """One invocation in flight: the facts log lines carry (``Invocation``), and what
    ``@instrument`` needs for its record when it ends. One object per invocation,
    also what ``current`` holds while it runs."""

    __slots__ = (
        "claim",
        "context",
        "count",
        "deadline_ms",
        "env",
        "extra",
        "fire_at_ms",
        "init_ms",
        "owner",
        "proactive",
        "start_ns",
        "started",
        "token",
        "wall_ns",
    )

    def __init__(
        self,
        start_ns: int,
        wall_ns: int,
        env: Environment,
        count: int,
        context: Any,
        init_ms: float | None,
        proactive: bool,
        service: str,
        name: str | None,
    ) -> None:
        # Invocation's fields are set here rather than through super().__init__: this runs
        # on every invocation, and one call less is measurable
        self.service = service
        self.cold_start = count == 1 and env.init_type == "on-demand" and not proactive
        self.function_name = name
        self.function_memory_size = _memory_size_mb(context)
        self.function_arn = getattr(context, "invoked_function_arn", None)
        self.function_request_id = getattr(context, "aws_request_id", None)
        self.xray_trace_id = _xray_trace_id()
        self.start_ns = start_ns
        self.wall_ns = wall_ns
        self.env = env
        self.count = count
        self.context = context
        self.init_ms = init_ms
        self.proactive = proactive
        self.token: Any = None
        self.started: list[Any] | None = None
        #: the deadline watchdog's claim: whoever pops it writes the record
        self.claim: list[bool] | None = None
        self.deadline_ms: float | None = None
        self.fire_at_ms = 0.0
        self.owner: Any = None  # the _Instrumented that watches its deadline
        #: keys a front end adds to this invocation's record (the web middleware's HTTP
        #: facts), written after the optional keys; None when there are none
        self.extra: dict[str, Any] | None = None


current: ContextVar[Invocation | None] = ContextVar("lambda_kit_invocation", default=None)
