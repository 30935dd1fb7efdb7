"""Settings of the Powertools-compatible Logger, read as Powertools reads them.

- service: the argument, else ``POWERTOOLS_SERVICE_NAME``, else ``service_undefined``;
- level: Lambda's ``AWS_LAMBDA_LOG_LEVEL`` (Advanced Logging Controls) wins, then the
  argument, then ``POWERTOOLS_LOG_LEVEL`` (or the legacy ``LOG_LEVEL``), then INFO
  (Powertools Logger docs, "Log level precedence with AWS Lambda Advanced Logging
  Controls"; lambda_kit's own Logger differs, see ``lambda_kit.log._config``);
- ``POWERTOOLS_LOGGER_SAMPLE_RATE``, ``POWERTOOLS_LOGGER_LOG_EVENT``, ``POWERTOOLS_DEV``;
- lambda_kit's switches: ``LAMBDA_KIT_LOG_REDACT`` (default on) and
  ``LAMBDA_KIT_LOG_TIMESTAMP`` (``iso``, the default, or ``powertools``);
- what comes from the invocation: ``inject_lambda_context``'s layer (``with_context``),
  the Lambda context keys, the correlation id, the event line. It runs inside the
  invocation record (``lambda_kit.compat.one_record``), so ``cold_start`` is the record's
  own; Powertools' order of things is kept: keys (or ``clear_state`` first), then the
  correlation id, then the event line, then a fresh sampling draw. (One module with
  the settings: each module more costs every cold start ~0.1 ms.)
"""

from __future__ import annotations

import functools
import os

from lambda_kit import settings
from lambda_kit._current import current
from lambda_kit.log import _config

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias

    Logger: TypeAlias = Any  # the compatible Logger (not imported: no cycle, even typed)

SERVICE_VARIABLE = settings.POWERTOOLS_SERVICE_NAME
LEVEL_VARIABLES = (settings.POWERTOOLS_LOG_LEVEL, settings.POWERTOOLS_LOG_LEVEL_LEGACY)
LAMBDA_LEVEL_VARIABLE = settings.LOG_LEVEL
SAMPLE_VARIABLE = settings.POWERTOOLS_LOGGER_SAMPLE_RATE
EVENT_VARIABLE = settings.POWERTOOLS_LOGGER_LOG_EVENT
DEV_VARIABLE = settings.POWERTOOLS_DEV
REDACT_VARIABLE = settings.LOG_REDACT
TIMESTAMP_VARIABLE = settings.LOG_TIMESTAMP
INIT_TYPE_VARIABLE = settings.INITIALIZATION_TYPE

#: Lambda's level names and the Python level each stands for (TRACE has none: DEBUG)
_LAMBDA_LEVELS = {"TRACE": 10, "DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}

_cold = [True]


def truthy(value: str) -> bool:
    """Powertools' truthy strings: 1, true, yes, on (any case)."""
    return value.strip().lower() in ("1", "true", "yes", "y", "on")


def resolve_service(service: str | None) -> str:
    """The argument, else ``POWERTOOLS_SERVICE_NAME``, else ``service_undefined``."""
    return service or os.environ.get(SERVICE_VARIABLE) or "service_undefined"


def resolve_sample_rate(rate: float | None) -> Any:
    """The argument, else the variable's text (Powertools writes either as given)."""
    return rate if rate is not None else os.environ.get(SAMPLE_VARIABLE)


def resolve_level(level: str | int | None) -> int:
    """The level by Powertools' precedence (the module docstring)."""
    alc = os.environ.get(LAMBDA_LEVEL_VARIABLE, "").strip().upper()
    if alc in _LAMBDA_LEVELS:
        return _LAMBDA_LEVELS[alc]
    for source, value in (("level", level), *((n, os.environ.get(n)) for n in LEVEL_VARIABLES)):
        if value is None or value == "":
            continue
        parsed = _config.parse_level(value, source)
        if parsed is not None:
            return parsed
    return _config.INFO


def dev_mode() -> bool:
    """``POWERTOOLS_DEV``: indented lines for a human."""
    return truthy(os.environ.get(DEV_VARIABLE, ""))


def wants_redaction(redact: bool | None) -> bool:
    """The argument, else ``LAMBDA_KIT_LOG_REDACT`` (default: on)."""
    if redact is not None:
        return redact
    raw = os.environ.get(REDACT_VARIABLE, "").strip().lower()
    return raw not in ("0", "false", "no", "off")


def cold_start_flag() -> bool:
    """Outside lambda_kit's invocation record: the first call is the cold start
    (never under provisioned concurrency), as Powertools counts it."""
    if os.environ.get(INIT_TYPE_VARIABLE) == "provisioned-concurrency":
        _cold[0] = False
        return False
    cold = _cold[0]
    _cold[0] = False
    return cold


def raw_event(event: Any) -> Any:
    """What ``log_event`` writes: Powertools' event data classes by their raw event,
    pydantic models and dataclasses as dicts, anything else as it is."""
    raw = getattr(event, "raw_event", None)
    if raw is not None:
        return raw
    dump = getattr(event, "model_dump", None)
    if callable(dump):
        return dump()
    if hasattr(type(event), "__dataclass_fields__") and not isinstance(event, type):
        import dataclasses  # only for a dataclass event

        return dataclasses.asdict(event)
    return event


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
