"""The invocation in flight, and ``current``: the one running in this task or thread.

``@instrument`` makes one ``Call`` per invocation when it starts and sets
``current`` to it; the logger reads ``current`` for the Lambda context keys of each
line, ``lambda_kit.metrics`` for where a value belongs. A ``ContextVar`` keeps
concurrent asyncio tasks and threads apart (each thread starts with no current
invocation). At the end, ``lambda_kit.record.finish`` adds the facts known then to
the same object, and the record is built from it.

A ``Call`` is also the *start event* the span sinks receive (``start(call)``; the
protocol is ``lambda_kit.sinks.protocol.StartEvent``): everything a sink needs to
know about the invocation is on it, so no sink reads the environment itself.
"""

from __future__ import annotations

from _contextvars import ContextVar  # what contextvars re-exports, one module less to load

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

    __slots__ = (  # noqa: RUF023 (grouped: known at the start, then at the end)
        # known at the start
        "awaiting",  # an async handler's coroutine (for _stuck); never set for a sync one
        "context",
        "count",
        "deadline_ms",
        "env",
        "event",
        "expire",
        "extra",
        "fire_at_ms",
        "init_ms",
        "metrics",
        "notes",
        "proactive",
        "start_ns",
        "started",
        "takes_metrics",
        "token",
        "wall_ns",
        # known at the end (lambda_kit.record.finish)
        "billed_duration_ms",
        "cost_usd",
        "duration_ms",
        "error_type",
        "function_version",
        "init_duration_ms",
        "level",
        "max_memory_used_mb",
        "status",
        "timestamp",
    )

    awaiting: Any  # set by call_async only: unset (AttributeError) for a sync handler
    # known at the end, set by lambda_kit.record.finish
    billed_duration_ms: int
    cost_usd: float
    duration_ms: float
    error_type: str | None
    function_version: str | None
    init_duration_ms: float | None
    level: str
    max_memory_used_mb: int
    status: str
    timestamp: str

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
        arn = getattr(context, "invoked_function_arn", None)
        rid = getattr(context, "aws_request_id", None)
        # anything but a string (a MagicMock's made-up attribute, a list) is left out
        self.function_arn = arn if arn is None or type(arn) is str else text(arn)
        self.function_request_id = rid if rid is None or type(rid) is str else text(rid)
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
        self.deadline_ms: float | None = None
        self.fire_at_ms = 0.0
        #: what the deadline watchdog calls with this object when ``fire_at_ms`` passes
        self.expire: Any = None
        #: the handler's event, for the sinks that read it (spans)
        self.event: Any = None
        #: user metrics added during this invocation (a ``lambda_kit.metrics.Bag``: name ->
        #: (unit, resolution, values)); Any here, as metrics imports this module
        self.metrics: Any = None
        #: whether a sink of this invocation writes user metrics (EMF)
        self.takes_metrics = False
        #: optional record keys of this invocation that apply only sometimes (the
        #: timeout's stack, memory pressure), in record.KEYS order; None when none
        self.notes: dict[str, Any] | None = None
        #: keys a front end adds to this invocation's record (the web middleware's HTTP
        #: facts), written after the optional keys; None when there are none
        self.extra: dict[str, Any] | None = None


current: ContextVar[Call | None] = ContextVar("lambda_kit_invocation", default=None)


def text(value: object) -> str | None:
    """A context attribute as the record's string: a string as is, bytes decoded, an
    object with its own ``__str__`` as that text; None for what names nothing: a
    ``unittest.mock`` mock's made-up attribute, a list, a dict (no ``__str__`` of
    their own), or a ``__str__`` that raises.

    >>> text("orders"), text(7), text(["orders"])
    ('orders', '7', None)
    """
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    kind = type(value)
    if kind is int or kind is float:
        return str(value)
    if kind.__module__ == "unittest.mock" or kind.__str__ is object.__str__ or kind is bool:
        return None
    try:
        return str(value)
    except Exception:
        return None
