"""lambda_kit: what every AWS Lambda invocation cost, and why, as one JSON line.

    import lambda_kit                      # first line of the handler module
    from lambda_kit import instrument

    @instrument(service="orders")
    def handler(event, context):
        return {"ok": True}

This module is on the cold-start path of every user, so it imports only what
``@instrument`` needs; everything else (the logger, ``reuse``, the sinks, the
command line) loads on first use through ``__getattr__`` (PEP 562).
"""

from __future__ import annotations

from time import perf_counter_ns as _perf_ns

_IMPORT_STARTED_NS = _perf_ns()  # the import profiler counts lambda_kit's own import from here

from lambda_kit import settings as _settings  # noqa: E402
from lambda_kit.instrument import instrument  # noqa: E402

if _settings.profile_imports():  # times everything imported after lambda_kit
    try:
        from lambda_kit.imports import start as _start

        _start(since_ns=_IMPORT_STARTED_NS)
    except Exception as _exc:  # the handler must import even if we cannot profile
        from lambda_kit._problems import problem as _problem

        _problem(f"could not start the import profiler: {_exc!r}")

if _settings.env_flag(_settings.PLATFORM, False):  # Lambda's own figures (docs/platform.md)
    try:
        from lambda_kit.platform.extension import start as _start_platform

        _start_platform()
    except Exception as _exc:  # the handler must import even if the extension cannot run
        from lambda_kit._problems import problem as _problem

        _problem(f"could not start the platform extension: {_exc!r}")

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lambda_kit import metrics as metrics
    from lambda_kit._version import __version__ as __version__
    from lambda_kit.log import get_logger as get_logger
    from lambda_kit.log import logger as logger
    from lambda_kit.reuse import boto3_client as boto3_client
    from lambda_kit.reuse import http_session as http_session
    from lambda_kit.reuse import reuse as reuse


__all__ = [
    "Logger",
    "Metrics",
    "Tracer",
    "__version__",
    "get_logger",
    "instrument",
    "logger",
    "metrics",
    "reuse",
]

# name -> (module, attribute); attribute None means the module itself.
_LAZY: dict[str, tuple[str, str | None]] = {
    "__version__": ("lambda_kit._version", "__version__"),  # written once, in _version.py
    "logger": ("lambda_kit.log", "logger"),
    "get_logger": ("lambda_kit.log", "get_logger"),
    "reuse": ("lambda_kit.reuse", "reuse"),
    "boto3_client": ("lambda_kit.reuse", "boto3_client"),
    "http_session": ("lambda_kit.reuse", "http_session"),
    "metrics": ("lambda_kit.metrics", None),
    "imports": ("lambda_kit.imports", None),
    "log": ("lambda_kit.log", None),
    # Powertools for AWS Lambda's names (docs/migrate-from-powertools.md)
    "Logger": ("lambda_kit.log.powertools", "Logger"),
    "Metrics": ("lambda_kit.compat.metrics", "Metrics"),  # direct: lambda_kit.metrics not loaded
    "Tracer": ("lambda_kit.compat.tracer", "Tracer"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'lambda_kit' has no attribute {name!r}") from None
    import importlib

    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
