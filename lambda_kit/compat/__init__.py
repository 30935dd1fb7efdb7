"""What Powertools for AWS Lambda users' code needs beside lambda_kit's own API.

``from lambda_kit import Logger, Metrics, Tracer`` gives the compatible classes
(``lambda_kit.log.powertools``, ``lambda_kit.compat.metrics``,
``lambda_kit.compat.tracer``); this package holds what they share: the one
invocation record their decorators produce (``one_record``, below), the
correlation-id paths (``_paths``), and ``lambda-kit migrate`` (``migrate``, ``cli``).
See docs/migrate-from-powertools.md.

``one_record`` lives here rather than in a module of its own because every
compatible decorator loads it: each module more costs every cold start ~0.1 ms.
A migrating user's handler carries ``@logger.inject_lambda_context``,
``@metrics.log_metrics`` and ``@tracer.capture_lambda_handler`` in any order,
maybe with lambda_kit's own ``@instrument`` among them. Each of these
decorators wraps the handler with ``one_record``: the outermost of them starts
the invocation (so its keys and ``cold_start`` are there for every layer), and
the others run plainly inside it. An ``@instrument`` found underneath is moved
outside, keeping its options, so there is still exactly one record. The record
is lambda_kit's usual one (``lambda_kit.instrument``); no second writer.
``LAMBDA_KIT_COMPAT_RECORD=0`` turns it off for these decorators.
"""

from __future__ import annotations

import os

from lambda_kit import settings
from lambda_kit._wrap import state_of, wrap

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

RECORD_VARIABLE = settings.COMPAT_RECORD


def _record_state(func: Any) -> Any:
    """The state of the record-writing wrapper ``func`` is, if it is ``@instrument``'s.

    The one place that knows how ``@instrument`` wraps a handler (``lambda_kit._wrap``:
    a function carrying its ``_Instrumented`` state).
    """
    state = state_of(func)
    if state is None:
        return None
    from lambda_kit.instrument import _Instrumented

    return state if isinstance(state, _Instrumented) else None


def one_record(func: Any, layer: Callable[[Any], Any], service: str | None) -> Any:
    """``layer(func)`` inside the invocation record (see the module docstring)."""
    existing = _record_state(func)
    if existing is not None:  # a record is written underneath: lift it above this layer
        return wrap(layer(func.__wrapped__), existing)
    layered = layer(func)
    if os.environ.get(RECORD_VARIABLE, "").strip().lower() in ("0", "false", "no", "off"):
        return layered
    from lambda_kit.instrument import instrument

    instrumented = instrument(service=service)(layered)
    # an outer layer's invocation may be running: then this one writes no record
    state_of(instrumented)._outer_only = True
    return instrumented
