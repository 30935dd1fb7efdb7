"""Where records go. A sink is a callable taking the record dict; it never
changes the record and never raises into the handler (``@instrument`` guards
every call). ``jsonline`` is always loaded; the others (``emf``, ``otel``,
``xray``) are imported only when enabled.

A sink that follows an invocation from its start (a span) also has
``start(event, context, start_ns) -> state``, called before the handler runs
with the wall-clock start (``time.time_ns``), and then receives
``finish(state, record, exc)`` instead of ``sink(record)``: ``record`` is None
when it could not be built, ``exc`` is the handler's exception (or None).
"""

from __future__ import annotations

import os

from lambda_kit import settings
from lambda_kit._problems import problem
from lambda_kit.settings import env_flag

# typing costs ~3 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any


def enabled(
    *,
    output: str | os.PathLike[str] | IO[Any] | None = None,
    metrics: bool | None = None,
    namespace: str | None = None,
    otel: bool | None = None,
    xray: bool | None = None,
) -> list[Any]:
    """The observability sinks switched on by arguments or environment variables.

    An argument left at None asks its environment variable: ``LAMBDA_KIT_METRICS``,
    ``LAMBDA_KIT_OTEL``, ``LAMBDA_KIT_XRAY`` (all off by default). Each sink's module
    is imported here only when it is on, so a function that uses none of them never
    loads ``opentelemetry`` or ``aws_xray_sdk``.

    >>> enabled(metrics=True, namespace="orders")  # doctest: +SKIP
    [EmfSink(namespace='orders')]
    """
    sinks: list[Any] = []
    if metrics if metrics is not None else env_flag(settings.METRICS, False):
        _add(sinks, "CloudWatch metrics (EMF)", "metrics", _emf, namespace, output)
    if otel if otel is not None else env_flag(settings.OTEL, False):
        _add(sinks, "OpenTelemetry", "otel", _otel)
    if xray if xray is not None else env_flag(settings.XRAY, False):
        _add(sinks, "X-Ray", "xray", _xray)
    return sinks


def _emf(namespace: str | None, output: Any) -> Any:
    from lambda_kit.sinks.emf import EmfSink

    return EmfSink(namespace=namespace, output=output)


def _otel() -> Any:
    from lambda_kit.sinks.otel import OtelSink

    return OtelSink()


def _xray() -> Any:
    from lambda_kit.sinks.xray import XRaySink

    return XRaySink()


def _add(sinks: list[Any], what: str, extra: str, make: Any, *args: Any) -> None:
    """Append the sink ``make(*args)`` builds; a failure to set it up (a missing package,
    ``AWS_XRAY_DAEMON_ADDRESS=garbage``) is reported once and that sink stays off: it
    must not break the import of the handler module, which runs the decorator."""
    try:
        sinks.append(make(*args))
    except ImportError as err:
        _missing(what, extra, err)
    except Exception as err:
        problem(
            f"{what} is on but could not be set up ({type(err).__name__}: {err}); "
            f"going on without {what}",
            key=f"sink-setup:{extra}",
        )


def _missing(what: str, extra: str, err: ImportError) -> None:
    # a missing package must not stop the function from starting: say so, go on without
    from lambda_kit._version import install_hint

    problem(
        f"{what} is on but cannot be loaded ({err}); {install_hint(extra)}. "
        f"Going on without {what}.",
        key=f"sink-missing:{extra}",
    )
