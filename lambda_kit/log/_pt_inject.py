"""``inject_lambda_context``'s layer: the context keys, the correlation id, the event line.

Run inside the invocation record (``lambda_kit.compat._record``), so ``cold_start``
is the record's own; Powertools' order of things is kept: keys (or ``clear_state``
first), then the correlation id, then the event line, then a fresh sampling draw.
"""

from __future__ import annotations

import functools

from lambda_kit._current import current
from lambda_kit.log._pt_config import cold_start_flag, raw_event, resolve_level

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias


    Logger: TypeAlias = Any  # the compatible Logger (not imported: no cycle, even typed)


def with_context(
    self: Logger, handler: Callable[..., Any], log_event: bool, path: str | None, clear: bool
) -> Callable[..., Any]:
    @functools.wraps(handler)
    def decorate(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        inv = current.get()
        cold = inv.cold_start if inv is not None else cold_start_flag()
        keys = {
            "cold_start": cold,
            "function_name": getattr(context, "function_name", None),
            "function_memory_size": getattr(context, "memory_limit_in_mb", None),
            "function_arn": getattr(context, "invoked_function_arn", None),
            "function_request_id": getattr(context, "aws_request_id", None),
        }
        if clear:
            self.clear_state()
        self.append_keys(**keys)
        if path:
            from lambda_kit.compat._paths import query

            self.set_correlation_id(query(path, event))
        if log_event:
            self.info(raw_event(event))
        if self.sampling_rate and not cold:  # a fresh draw per invocation, as Powertools
            st = self._state
            st.level = self._sampled_level(resolve_level(None))
        return handler(event, context, *args, **kwargs)

    return decorate
