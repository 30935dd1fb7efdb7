"""What the ASGI and WSGI middleware share: their options (``@instrument``'s) and the
invocation driver, the adapter's settings and the init bookkeeping they set up."""

from __future__ import annotations

import os

from lambda_kit.web import _adapter, _init
from lambda_kit.web._driver import Driver

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import IO, Any


class Middleware:
    """The part of ``ASGIMiddleware`` and ``WSGIMiddleware`` that is not about the protocol."""

    def __init__(
        self,
        app: Any,
        *,
        service: str | None = None,
        output: str | os.PathLike[str] | IO[Any] | None = None,
        sinks: Sequence[Callable[[dict[str, Any]], None]] = (),
        metrics: bool | None = None,
        namespace: str | None = None,
        otel: bool | None = None,
        xray: bool | None = None,
        timeout_margin_ms: float | None = None,
    ) -> None:
        self.app = app
        observability = {"metrics": metrics, "namespace": namespace, "otel": otel, "xray": xray}
        self._driver = Driver(service, output, sinks, observability, timeout_margin_ms)
        self._settings = settings = _adapter.Settings()
        self._under_adapter = settings.under_adapter
        self._error_codes = settings.error_codes
        _init.note_created()
