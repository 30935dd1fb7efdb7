"""The one place lambda_kit.web reaches into ``@instrument``'s machinery.

A web request that is an invocation goes through the same ``_Instrumented`` state
as a decorated handler: ``_begin`` with a Lambda-like context (which sets the
logger's current invocation and arms the deadline watchdog), ``_end`` with the
exception or None, so the record has the same keys, order and sinks. The HTTP
facts ride on ``Call.extra``, written after the record's optional keys.
"""

from __future__ import annotations

from lambda_kit.instrument import _Instrumented, select_sinks

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Sequence
    from typing import IO, Any

    from lambda_kit._current import Call

_NO_KWARGS: dict[str, Any] = {}


class HTTPError(Exception):
    """An invocation whose response status Lambda counts as an error (a 5xx, or one of
    ``AWS_LWA_ERROR_STATUS_CODES``): the record's ``error_type`` is ``HTTPError``."""


class Driver:
    """Begins and ends the invocations of one middleware instance."""

    __slots__ = ("_begin", "_end")

    def __init__(
        self,
        service: str | None,
        output: str | os.PathLike[str] | IO[Any] | None,
        sinks: Sequence[Callable[[dict[str, Any]], None]],
        observability: dict[str, Any],
        timeout_margin_ms: float | None,
    ) -> None:
        state = _Instrumented(
            service, select_sinks(output, sinks, observability), timeout_margin_ms
        )
        self._begin = state._begin
        self._end = state._end

    def begin(self, context: Any, trace_root: str | None, method: str) -> Call | None:
        """Start an invocation (None when lambda_kit could not: the request goes on)."""
        call = self._begin((None, context), _NO_KWARGS)
        if call is not None:
            if trace_root is not None:
                # per request: os.environ (_X_AMZN_TRACE_ID) is shared by concurrent ones
                call.xray_trace_id = trace_root
            # what a timeout record (written by the watchdog, mid-request) can know
            call.extra = {"http_method": method}
        return call

    def end(self, call: Call, exc: BaseException | None, extra: dict[str, Any]) -> None:
        """End an invocation: its record gets ``extra`` after the optional keys."""
        call.extra = extra
        self._end(call, exc)
