"""Structured JSON logs for Lambda functions, with Powertools Logger's key names.

    from lambda_kit import instrument, logger

    @instrument(service="orders")
    def handler(event, context):
        logger.info("order received", order_id=event["id"])

prints (one line)::

    {"timestamp":"2026-11-24T01:02:03.456Z","level":"INFO","message":"order received",
     "service":"orders","location":"handler:5","cold_start":true,"function_name":"orders",
     "function_memory_size":128,"function_arn":"arn:...","function_request_id":"c6af9ac6-...",
     "order_id":42}

- ``logger`` is ready to use; ``get_logger(name, service=..., level=...)`` makes others;
- ``install()`` routes the standard library's root logger through the same lines;
- levels, Lambda's log controls and debug sampling: ``lambda_kit.log._config``;
- the line's pieces: ``_fields`` (message, exceptions, JSON), ``_redact`` (what is
  redacted), ``_truncate`` (a line over the limit).

Importing this module costs under a millisecond: no ``typing``, ``logging``,
``datetime``, ``inspect`` or ``asyncio``. Lines are written by the stdlib's C JSON
encoder, or by orjson once something has imported it (it costs about 10 ms to import).
"""

from __future__ import annotations

import os as _os

from lambda_kit.log._config import CRITICAL, DEBUG, ERROR, INFO, TRACE, WARNING
from lambda_kit.log._fields import MAX_LINE_BYTES
from lambda_kit.log._redact import REDACTED

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lambda_kit.log._line import load_encoder as load_encoder
    from lambda_kit.log._logger import Logger as Logger
    from lambda_kit.log._registry import get_logger as get_logger
    from lambda_kit.log._stdlib import JsonHandler

    logger: Logger

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "MAX_LINE_BYTES",
    "REDACTED",
    "TRACE",
    "WARNING",
    "Logger",
    "get_logger",
    "install",
    "logger",
    "uninstall",
]

# The logger itself loads on first use (PEP 562): the Powertools-compatible Logger
# (``lambda_kit.log.powertools``) lives in this package and shares ``_fields``, but a
# handler that only uses it must not pay for this logger's modules and its ready-made
# instance on every cold start. ``_registry`` registers the per-invocation hook.
_LAZY = {"Logger": "_logger", "load_encoder": "_line", "get_logger": "_registry"}


def __getattr__(name: str) -> Any:
    if name == "logger":
        from lambda_kit.log._registry import get_logger

        value: Any = get_logger()  #: the ready-made logger: ``from lambda_kit import logger``
    elif name in _LAZY:
        import importlib

        import lambda_kit.log._registry  # noqa: F401 (the hook, whichever name comes first)

        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# Provisioned concurrency and SnapStart run init before any request: load orjson
# then, so that no invocation waits for it. On demand, lines use the stdlib's C
# encoder (unless something else imported orjson), so no invocation pays for it.
if _os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") in ("provisioned-concurrency", "snap-start"):
    from lambda_kit.log._line import load_encoder as _load_encoder

    _load_encoder()


def install(logger: Logger | None = None, *, level: str | int | None = None) -> JsonHandler:
    """Route the standard library's root logger through lambda_kit's JSON lines.

    Replaces the root logger's handlers (Lambda's runtime installs one) by one
    that writes through ``logger`` (default: ``lambda_kit.logger``), so
    ``logging.getLogger(__name__).info("x", extra={"k": 1})``, boto3 and urllib3
    lines carry the same keys. ``level`` sets both loggers' level.

        import lambda_kit.log
        lambda_kit.log.install()

    Returns the handler; ``uninstall()`` puts the former handlers back.
    """
    from lambda_kit.log import _stdlib

    return _stdlib.install(logger if logger is not None else __getattr__("logger"), level)


def uninstall() -> None:
    """Undo ``install()`` (the root logger gets its former handlers and level back)."""
    from lambda_kit.log import _stdlib

    _stdlib.uninstall()
