"""The two small protocols between ``@instrument`` and its sinks.

A **sink** is any callable that takes the finished record::

    def my_sink(record: dict) -> None: ...

    @instrument(sinks=[my_sink])

It must not change the record, and whatever it raises is reported once on stderr
and never reaches the handler. The record holds every fact of the invocation
(``lambda_kit.record.KEYS``); a sink needs nothing else.

A **span sink** follows the invocation from its start (OpenTelemetry, X-Ray, and
EMF, which writes the metrics the invocation added). It has two methods instead:

* ``start(call) -> state``, before the handler runs. ``call`` is the *start
  event* (``StartEvent`` below): the invocation's facts known at its start, the
  handler's event and context, and the environment's facts. Whatever ``start``
  returns is handed back to ``finish``.
* ``finish(state, record, exc)``, after the plain sinks: ``record`` is the finished
  record (None when it could not be built), ``exc`` the handler's exception or None.
  Span sinks run last because an export may wait (always with a bound).

Neither kind reads the environment, another lambda_kit module's state, or the
wrapper: what they need is in the record or on the start event. Typed for mypy
only (nothing here is imported at run time).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Protocol, TypeAlias

    from lambda_kit.environment import Environment

    Sink: TypeAlias = Callable[[dict[str, Any]], None]

    class StartEvent(Protocol):
        """What a span sink learns when an invocation starts (``lambda_kit._current.Call``)."""

        event: Any
        context: Any
        wall_ns: int  # the invocation's start, time.time_ns()
        env: Environment  # process_start_ns, init_type, architecture, region
        service: str
        function_name: str | None
        function_memory_size: int
        function_arn: str | None
        function_request_id: str | None
        xray_trace_id: str | None
        cold_start: bool
        count: int
        deadline_ms: float | None
        metrics: dict[str, tuple[str, int, list[float]]] | None

    class SpanSink(Protocol):
        """A sink that follows the invocation from its start."""

        def start(self, call: StartEvent) -> Any: ...

        def finish(
            self, state: Any, record: dict[str, Any] | None, exc: BaseException | None
        ) -> None: ...
