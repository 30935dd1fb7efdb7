"""``Tracer`` as Powertools for AWS Lambda (Python) traces: the same subsegments.

    from lambda_kit import Tracer            # was: from aws_lambda_powertools import Tracer
    tracer = Tracer(service="payment")

    @tracer.capture_method
    def charge(order): ...

    @tracer.capture_lambda_handler
    def handler(event, context):
        charge(event["order"])

gives ``## handler`` (annotated ``ColdStart`` and ``Service``, the response as
metadata under the service's namespace) with ``## <module>.<qualname>`` inside
it for each captured function: plain, ``async``, generators and context
managers. The backend is chosen once, at the first Tracer:

- X-Ray through ``aws-xray-sdk`` when it is installed and tracing is on;
  as in Powertools, tracing is off with ``POWERTOOLS_TRACE_DISABLED`` and
  outside Lambda (no ``LAMBDA_TASK_ROOT``, or under SAM local / Chalice);
- else OpenTelemetry spans (the API only: no-ops without an SDK configured);
- else nothing. Nothing is imported until a Tracer is made.

Sources: Powertools Tracer docs ("Lambda handler", "Methods", "Asynchronous
and generator functions", "Annotations & Metadata", "Disabling response
capture", environment variables) and the X-Ray segment document's name rules.
"""

from __future__ import annotations

import functools
import os

from lambda_kit import settings
from lambda_kit.compat._trace_backends import Backend, choose_backend

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

CAPTURE_RESPONSE_VARIABLE = settings.POWERTOOLS_TRACER_CAPTURE_RESPONSE
CAPTURE_ERROR_VARIABLE = settings.POWERTOOLS_TRACER_CAPTURE_ERROR
_INVALID_NAME_CHARACTERS = frozenset("?;*()!$~^<>")  # X-Ray segment names refuse them
_CO_COROUTINE, _CO_GENERATOR = 0x80, 0x20
_cold = [os.environ.get(settings.INITIALIZATION_TYPE) != "provisioned-concurrency"]


def _choice(value: bool | None, variable: str) -> bool:
    if value is not None:
        return value
    return os.environ.get(variable, "true").strip().lower() in ("1", "true", "yes", "y", "on")


def _sanitize(name: str) -> str:
    return "".join(ch for ch in name if ch not in _INVALID_NAME_CHARACTERS)


def _flags(func: Any) -> int:
    code = getattr(func, "__code__", None)
    return 0 if code is None else int(code.co_flags)


class Tracer:
    """Powertools' ``Tracer``; every instance shares the first one's settings, as there."""

    _config: dict[str, Any] = {}

    def __init__(
        self,
        service: str | None = None,
        disabled: bool | None = None,
        auto_patch: bool | None = None,
        patch_modules: Any = None,
        provider: Any = None,
    ) -> None:
        config = Tracer._config
        if service or "service" not in config:
            config["service"] = service or os.environ.get(settings.POWERTOOLS_SERVICE_NAME)
        if "backend" not in config or disabled is not None or provider is not None:
            config["backend"] = provider or choose_backend(bool(disabled))
            backend: Backend = config["backend"]
            if auto_patch is not False:
                backend.patch(patch_modules)
        self.service: str | None = config["service"]
        self.provider: Backend = config["backend"]
        self.disabled = self.provider.disabled

    # -- annotations ------------------------------------------------------------------------
    def put_annotation(self, key: str, value: Any) -> None:
        """An indexed key on the current subsegment (string, number or bool)."""
        self.provider.put_annotation(key, value)

    def put_metadata(self, key: str, value: Any, namespace: str | None = None) -> None:
        """A key on the current subsegment, not indexed (namespace: the service)."""
        self.provider.put_metadata(key, value, namespace or self.service or "default")

    # -- decorators -----------------------------------------------------------------------
    def capture_lambda_handler(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Any:
        """``## <handler name>`` around each invocation, annotated ColdStart and Service."""
        if lambda_handler is None:
            return functools.partial(
                self.capture_lambda_handler,
                capture_response=capture_response,
                capture_error=capture_error,
            )
        response_on = _choice(capture_response, CAPTURE_RESPONSE_VARIABLE)
        error_on = _choice(capture_error, CAPTURE_ERROR_VARIABLE)
        from lambda_kit.compat import one_record

        def layer(handler: Callable[..., Any]) -> Callable[..., Any]:
            name = getattr(handler, "__name__", "handler")

            @functools.wraps(handler)
            def decorate(event: Any, context: Any, **kwargs: Any) -> Any:
                with self.provider.in_subsegment(f"## {name}") as sub:
                    try:
                        response = handler(event, context, **kwargs)
                        if response_on and response is not None:
                            sub.put_metadata(f"{name} response", response, self._namespace)
                    except Exception as err:
                        if error_on:
                            sub.put_metadata(f"{name} error", err, self._namespace)
                        raise
                    finally:
                        sub.put_annotation("ColdStart", self._cold_start())
                        if self.service:
                            sub.put_annotation("Service", self.service)
                    return response

            return decorate

        return one_record(lambda_handler, layer, self.service)

    @property
    def _namespace(self) -> str:
        return self.service or "default"

    def _cold_start(self) -> bool:
        from lambda_kit._current import current

        inv = current.get()  # the record and the annotation agree
        cold = inv.cold_start if inv is not None else _cold[0]
        _cold[0] = False
        return cold

    def capture_method(
        self,
        method: Callable[..., Any] | None = None,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Any:
        """``## <module>.<qualname>`` around each call: plain, async, generator or
        ``@contextmanager`` functions."""
        if method is None:
            return functools.partial(
                self.capture_method, capture_response=capture_response, capture_error=capture_error
            )
        from lambda_kit.compat import _trace_wrap

        name = _sanitize(f"{method.__module__}.{method.__qualname__}")
        response_on = _choice(capture_response, CAPTURE_RESPONSE_VARIABLE)
        error_on = _choice(capture_error, CAPTURE_ERROR_VARIABLE)
        flags = _flags(method)
        wrapped_flags = _flags(getattr(method, "__wrapped__", None))
        if flags & _CO_COROUTINE:
            make = _trace_wrap.coroutine
        elif flags & _CO_GENERATOR:
            make = _trace_wrap.generator
        elif wrapped_flags & _CO_GENERATOR and hasattr(method, "__wrapped__"):
            make = _trace_wrap.context_manager
        else:
            make = _trace_wrap.plain
        return make(self, method, name, response_on, error_on)

    def patch(self, modules: Any = None) -> None:
        """Patch libraries so their calls become subsegments (X-Ray only)."""
        self.provider.patch(modules)

    def ignore_endpoint(self, hostname: str | None = None, urls: list[str] | None = None) -> None:
        """Calls to ``hostname``/``urls`` make no subsegment (X-Ray only)."""
        self.provider.ignore_endpoint(hostname, urls)


__all__ = ["Tracer"]
