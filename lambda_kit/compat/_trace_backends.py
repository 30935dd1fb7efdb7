"""Where the compatible Tracer's subsegments go: X-Ray, OpenTelemetry or nowhere.

Each backend gives ``in_subsegment(name)`` / ``in_subsegment_async(name)``
(context managers yielding an object with ``put_annotation`` and
``put_metadata``), ``put_annotation``/``put_metadata`` on the current one, and
``patch``. The X-Ray one is aws-xray-sdk's recorder; it streams closed
subsegments to the daemon over UDP (``AWS_XRAY_DAEMON_ADDRESS``), as
lambda_kit's own X-Ray sink does (``lambda_kit.sinks.xray``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os

from lambda_kit import settings

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Any

DISABLED_VARIABLE = settings.POWERTOOLS_TRACE_DISABLED
_LOCAL_VARIABLES = (settings.SAM_LOCAL, settings.CHALICE_LOCAL)


class _Nothing:
    """A subsegment that records nothing."""

    def put_annotation(self, key: str, value: Any) -> None:
        """Ignored."""

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        """Ignored."""


_NOTHING = _Nothing()


class Backend:
    """No tracing: every call does nothing (tracing off, or no tracing library)."""

    disabled = True

    @contextlib.contextmanager
    def in_subsegment(self, name: str) -> Iterator[Any]:
        """Nothing is recorded."""
        yield _NOTHING

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name: str) -> AsyncIterator[Any]:
        """Nothing is recorded."""
        yield _NOTHING

    def put_annotation(self, key: str, value: Any) -> None:
        """Ignored."""

    def put_metadata(self, key: str, value: Any, namespace: str) -> None:
        """Ignored."""

    def patch(self, modules: Any = None) -> None:
        """Nothing to patch."""

    def ignore_endpoint(self, hostname: str | None, urls: list[str] | None) -> None:
        """Nothing to ignore."""


class XRayBackend(Backend):
    """aws-xray-sdk's global recorder."""

    disabled = False

    def __init__(self) -> None:
        from aws_xray_sdk.core import xray_recorder

        self.recorder = xray_recorder

    def in_subsegment(self, name: str) -> Any:
        """The SDK's subsegment context manager."""
        return self.recorder.in_subsegment(name=name)

    def in_subsegment_async(self, name: str) -> Any:
        """The SDK's async subsegment context manager."""
        return self.recorder.in_subsegment_async(name=name)

    def put_annotation(self, key: str, value: Any) -> None:
        """On the current subsegment."""
        self.recorder.put_annotation(key=key, value=value)

    def put_metadata(self, key: str, value: Any, namespace: str) -> None:
        """On the current subsegment."""
        self.recorder.put_metadata(key=key, value=value, namespace=namespace)

    def patch(self, modules: Any = None) -> None:
        """The SDK's patchers (all of them by default, as Powertools' auto_patch)."""
        from aws_xray_sdk.core import patch, patch_all

        if modules is None:
            patch_all()
        else:
            patch(modules)

    def ignore_endpoint(self, hostname: str | None, urls: list[str] | None) -> None:
        """The SDK's sampler skips these."""
        from aws_xray_sdk.ext.httplib import add_ignored

        add_ignored(hostname=hostname, urls=urls)


class _Span:
    def __init__(self, span: Any) -> None:
        self.span = span

    def put_annotation(self, key: str, value: Any) -> None:
        self.span.set_attribute(key, value)

    def put_metadata(self, key: str, value: Any, namespace: str = "default") -> None:
        self.span.set_attribute(f"{namespace}.{key}", str(value))


class OtelBackend(Backend):
    """OpenTelemetry spans by the same names (annotations and metadata as attributes)."""

    disabled = False

    def __init__(self) -> None:
        from opentelemetry import trace

        self._trace = trace
        self.tracer = trace.get_tracer("lambda_kit.compat.tracer")

    @contextlib.contextmanager
    def in_subsegment(self, name: str) -> Iterator[Any]:
        """A span named ``name``, current while the block runs."""
        with self.tracer.start_as_current_span(name) as span:
            yield _Span(span)

    @contextlib.asynccontextmanager
    async def in_subsegment_async(self, name: str) -> AsyncIterator[Any]:
        """A span named ``name``, current while the block runs."""
        with self.tracer.start_as_current_span(name) as span:
            yield _Span(span)

    def put_annotation(self, key: str, value: Any) -> None:
        """An attribute of the current span."""
        self._trace.get_current_span().set_attribute(key, value)

    def put_metadata(self, key: str, value: Any, namespace: str) -> None:
        """An attribute ``<namespace>.<key>`` of the current span (as text)."""
        self._trace.get_current_span().set_attribute(f"{namespace}.{key}", str(value))


def tracing_off(disabled: bool) -> bool:
    """Powertools' rule: off when asked, or outside Lambda (or under SAM local/Chalice)."""
    if disabled:
        return True
    raw = os.environ.get(DISABLED_VARIABLE, "false").strip().lower()
    if raw in ("1", "true", "yes", "y", "on"):
        return True
    if not os.environ.get(settings.TASK_ROOT):
        return True
    return any(os.environ.get(name) for name in _LOCAL_VARIABLES)


def choose_backend(disabled: bool) -> Backend:
    """X-Ray when aws-xray-sdk is installed and tracing is on, else OpenTelemetry, else none."""
    if tracing_off(disabled):
        return Backend()
    if importlib.util.find_spec("aws_xray_sdk") is not None:
        return XRayBackend()
    if importlib.util.find_spec("opentelemetry") is not None:
        return OtelBackend()
    return Backend()
