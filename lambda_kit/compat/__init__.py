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
from lambda_kit._current import current
from lambda_kit._wrapt import FunctionWrapper

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

RECORD_VARIABLE = settings.COMPAT_RECORD


class _OneRecord:
    """The wrapper of a compat decorator: a record unless one is being written already."""

    __slots__ = ("_call",)

    def __init__(self, call: Callable[..., Any]) -> None:
        self._call = call  # @instrument's own wrapper (its _Instrumented.call)

    def call(self, wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: Any) -> Any:
        if current.get() is not None:  # an outer layer's invocation is running
            return wrapped(*args, **kwargs)
        return self._call(wrapped, instance, args, kwargs)


def _record_wrapper(func: Any) -> Callable[..., Any] | None:
    """The record-writing wrapper around ``func``, if it is ``@instrument``'s or ours.

    The one place that knows how ``@instrument`` wraps a handler (a wrapt
    ``FunctionWrapper`` whose wrapper is a bound method of its state object).
    """
    if not isinstance(func, FunctionWrapper):
        return None
    wrapper = getattr(func, "_self_wrapper", None)
    owner = getattr(wrapper, "__self__", None)
    from lambda_kit.instrument import _Instrumented

    if isinstance(owner, (_Instrumented, _OneRecord)):
        return wrapper
    return None


def one_record(func: Any, layer: Callable[[Any], Any], service: str | None) -> Any:
    """``layer(func)`` inside the invocation record (see the module docstring)."""
    existing = _record_wrapper(func)
    if existing is not None:  # a record is written underneath: lift it above this layer
        return FunctionWrapper(layer(func.__wrapped__), existing)
    layered = layer(func)
    if os.environ.get(RECORD_VARIABLE, "").strip().lower() in ("0", "false", "no", "off"):
        return layered
    from lambda_kit.instrument import instrument

    instrumented = instrument(service=service)(layered)
    return FunctionWrapper(layered, _OneRecord(instrumented._self_wrapper).call)
