"""Every environment variable lambda_kit reads, by name, and how a value is chosen.

    from lambda_kit import settings
    margin = settings.choose(None, settings.TIMEOUT_MARGIN_MS, settings.env_float, 50.0)

One home for the names (as ``opentelemetry.environment_variables`` keeps its own):
a module that reads a variable imports its constant from here, so a name is spelt
once. The rule for every setting is the same: an argument given in code beats the
environment variable, which beats the default; a bad value is reported once on
stderr and the default is used (``choose``).

Lambda's own variables: AWS Lambda docs, "Defined runtime environment variables"
and "Configuring advanced logging controls". Powertools' variables: Powertools for
AWS Lambda (Python) docs, "Environment variables".
"""

from __future__ import annotations

import os

from lambda_kit._hooks import problem

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    T = TypeVar("T")

# -- set by Lambda ---------------------------------------------------------------
FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"
FUNCTION_VERSION = "AWS_LAMBDA_FUNCTION_VERSION"
FUNCTION_MEMORY_SIZE = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
RUNTIME_API = "AWS_LAMBDA_RUNTIME_API"
MAX_CONCURRENCY = "AWS_LAMBDA_MAX_CONCURRENCY"  # Lambda Managed Instances
HANDLER = "_HANDLER"
TRACE_ID = "_X_AMZN_TRACE_ID"
REGION = "AWS_REGION"
DEFAULT_REGION = "AWS_DEFAULT_REGION"
EXECUTION_ENV = "AWS_EXECUTION_ENV"
LOG_GROUP_NAME = "AWS_LAMBDA_LOG_GROUP_NAME"
LOG_STREAM_NAME = "AWS_LAMBDA_LOG_STREAM_NAME"
LOG_FORMAT = "AWS_LAMBDA_LOG_FORMAT"
LOG_LEVEL = "AWS_LAMBDA_LOG_LEVEL"
TASK_ROOT = "LAMBDA_TASK_ROOT"
SAM_LOCAL = "AWS_SAM_LOCAL"  # set by SAM's local emulator (Powertools turns tracing off)
CHALICE_LOCAL = "AWS_CHALICE_CLI_MODE"  # likewise for Chalice's local mode

# -- Powertools' names, honoured so that migrating keeps a function's settings -----
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
POWERTOOLS_LOGGER_SAMPLE_RATE = "POWERTOOLS_LOGGER_SAMPLE_RATE"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
# read by the Powertools-compatible Logger, Metrics and Tracer (lambda_kit.compat)
POWERTOOLS_LOG_LEVEL_LEGACY = "LOG_LEVEL"
POWERTOOLS_LOGGER_LOG_EVENT = "POWERTOOLS_LOGGER_LOG_EVENT"
POWERTOOLS_DEV = "POWERTOOLS_DEV"
POWERTOOLS_METRICS_DISABLED = "POWERTOOLS_METRICS_DISABLED"
POWERTOOLS_METRICS_FUNCTION_NAME = "POWERTOOLS_METRICS_FUNCTION_NAME"
POWERTOOLS_TRACE_DISABLED = "POWERTOOLS_TRACE_DISABLED"
POWERTOOLS_TRACER_CAPTURE_RESPONSE = "POWERTOOLS_TRACER_CAPTURE_RESPONSE"
POWERTOOLS_TRACER_CAPTURE_ERROR = "POWERTOOLS_TRACER_CAPTURE_ERROR"


# -- Lambda Web Adapter ------------------------------------------------------------
# The settings of the adapter that lambda_kit.web and `invoke --web` follow
# (aws-lambda-web-adapter, docs/guide/src/configuration/environment-variables.md and
# src/lib.rs ``AdapterOptions``). Names only: the web package parses them.
LWA_PREFIX = "AWS_LWA_"
LWA_PORT = "AWS_LWA_PORT"  # falls back to PORT, then 8080
LWA_READINESS_CHECK_PORT = "AWS_LWA_READINESS_CHECK_PORT"
LWA_READINESS_CHECK_PATH = "AWS_LWA_READINESS_CHECK_PATH"  # default "/"
LWA_READINESS_CHECK_PROTOCOL = "AWS_LWA_READINESS_CHECK_PROTOCOL"  # http (default) or tcp
LWA_READINESS_CHECK_HEALTHY_STATUS = "AWS_LWA_READINESS_CHECK_HEALTHY_STATUS"  # "100-499"
# the older form of the healthy range: healthy is 100 <= status < this (default 500)
LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS = "AWS_LWA_READINESS_CHECK_MIN_UNHEALTHY_STATUS"
LWA_ERROR_STATUS_CODES = "AWS_LWA_ERROR_STATUS_CODES"  # e.g. "500,502-504"
LWA_PASS_THROUGH_PATH = "AWS_LWA_PASS_THROUGH_PATH"  # default "/events"
LWA_INVOKE_MODE = "AWS_LWA_INVOKE_MODE"  # buffered (default) or response_stream


# -- lambda_kit's own ------------------------------------------------------------
COMPAT_RECORD = "LAMBDA_KIT_COMPAT_RECORD"  # 0: compat decorators write no record
LOG_REDACT = "LAMBDA_KIT_LOG_REDACT"  # 0: the compatible Logger redacts nothing
LOG_TIMESTAMP = "LAMBDA_KIT_LOG_TIMESTAMP"  # powertools: Powertools' timestamp format
SERVICE = "LAMBDA_KIT_SERVICE"
PROFILE_IMPORTS = "LAMBDA_KIT_PROFILE_IMPORTS"
TOP_IMPORTS = "LAMBDA_KIT_TOP_IMPORTS"
TIMEOUT_MARGIN_MS = "LAMBDA_KIT_TIMEOUT_MARGIN_MS"
PROACTIVE_INIT_MS = "LAMBDA_KIT_PROACTIVE_INIT_MS"
METRICS = "LAMBDA_KIT_METRICS"
METRICS_NAMESPACE = "LAMBDA_KIT_METRICS_NAMESPACE"
OTEL = "LAMBDA_KIT_OTEL"
OTEL_FLUSH_TIMEOUT_MS = "LAMBDA_KIT_OTEL_FLUSH_TIMEOUT_MS"
OTEL_MIN_SPAN_MS = "LAMBDA_KIT_OTEL_MIN_SPAN_MS"
XRAY = "LAMBDA_KIT_XRAY"
LOG_LEVEL_OWN = "LAMBDA_KIT_LOG_LEVEL"
LOG_SAMPLE_RATE = "LAMBDA_KIT_LOG_SAMPLE_RATE"
REUSE_PING_TIMEOUT_S = "LAMBDA_KIT_REUSE_PING_TIMEOUT_S"
PRICE_REQUEST_USD_PER_MILLION = "LAMBDA_KIT_PRICE_REQUEST_USD_PER_MILLION"
PRICE_GB_S_USD = "LAMBDA_KIT_PRICE_GB_S_USD"
#: the user's price table (lambda-kit prices --refresh); "off" turns it off
PRICES_FILE = "LAMBDA_KIT_PRICES_FILE"
#: the process's start (seconds since the epoch, microseconds after the point), set by
#: lambda_kit's exec wrapper from bash's $EPOCHREALTIME before the interpreter starts
START_EPOCH = "LAMBDA_KIT_START_EPOCH"
#: lambda-kit invoke --arch arm64: an arm64 Python to run under qemu-user
ARM64_PYTHON = "LAMBDA_KIT_ARM64_PYTHON"
#: Lambda runs this script with the runtime's command line (wrapper scripts)
EXEC_WRAPPER = "AWS_LAMBDA_EXEC_WRAPPER"
#: 1: run the internal extension that writes Lambda's own figures (lambda_kit.platform)
PLATFORM = "LAMBDA_KIT_PLATFORM"
#: the host the extension's telemetry listener binds and subscribes with (default
#: sandbox.localdomain, as on Lambda; `lambda-kit invoke` sets 127.0.0.1)
PLATFORM_HOST = "LAMBDA_KIT_PLATFORM_HOST"
#: the bound on each call to the Extensions and Telemetry APIs during init (ms)
PLATFORM_TIMEOUT_MS = "LAMBDA_KIT_PLATFORM_TIMEOUT_MS"
#: how long SIGTERM waits for the reports of invocations that started (ms)
PLATFORM_FLUSH_MS = "LAMBDA_KIT_PLATFORM_FLUSH_MS"

# -- the terminal the CLI writes to (lambda_kit._term) ------------------------------
#: any non-empty value turns colour off (https://no-color.org)
NO_COLOR = "NO_COLOR"
#: "dumb" is a terminal that understands no escape sequences
TERM = "TERM"


def env_int(name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
    """An integer environment variable; a bad value warns once and gives ``default``.

    >>> env_int("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 128, low=128, high=10240)
    128
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        problem(f"{name}={raw!r} is not an integer; using {default}")
        return default
    if (low is not None and value < low) or (high is not None and value > high):
        problem(f"{name}={raw!r} is outside {low}..{high}; using {default}")
        return default
    return value


def env_float(
    name: str, default: float, *, low: float = 0.0, high: float | None = None
) -> float:
    """A float environment variable in ``low..high``; a bad, out-of-range, infinite or
    NaN value warns once and gives ``default``.

    >>> env_float("LAMBDA_KIT_TIMEOUT_MARGIN_MS", 50.0, high=10_000.0)
    50.0
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        problem(f"{name}={raw!r} is not a number; using {default}")
        return default
    if not value >= low:  # also refuses NaN
        problem(f"{name}={raw!r} must be >= {low}; using {default}")
        return default
    if high is not None and not value <= high:
        problem(f"{name}={raw!r} must be <= {high}; using {default}")
        return default
    return value


def env_flag(name: str, default: bool) -> bool:
    """A boolean environment variable (1/0, true/false, yes/no, on/off)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    v = raw.strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    problem(f"{name}={raw!r} is not a boolean (use 1 or 0); using {int(default)}")
    return default


def env_str(name: str, default: str | None = None) -> str | None:
    """A string environment variable; empty counts as unset."""
    raw = os.environ.get(name)
    return raw if raw else default


def choose(argument: T | None, name: str, read: Callable[[str, T], T], default: T) -> T:
    """The setting's value: ``argument`` when given, else environment variable ``name``
    read by ``read(name, default)`` (``env_flag``, ``env_float``, ...), else ``default``.

    >>> choose(True, METRICS, env_flag, False)
    True
    """
    if argument is not None:
        return argument
    return read(name, default)


def first_set(*names: str) -> str | None:
    """The value of the first of ``names`` that is set and non-empty, else None.

    >>> first_set(SERVICE, POWERTOOLS_SERVICE_NAME)  # doctest: +SKIP
    'orders'
    """
    environ = os.environ
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return None


def profile_imports() -> bool:
    """Whether ``import lambda_kit`` starts the import profiler.

    On by default inside a Lambda runtime (``AWS_LAMBDA_RUNTIME_API``,
    ``AWS_LAMBDA_FUNCTION_NAME`` or ``_HANDLER`` set, as on AWS and under
    ``lambda-kit invoke``), off elsewhere so that test suites and long-lived processes
    that only use the logger never carry it; ``LAMBDA_KIT_PROFILE_IMPORTS=0|1`` decides.
    """
    env = os.environ
    on_lambda = RUNTIME_API in env or FUNCTION_NAME in env or HANDLER in env
    return env_flag(PROFILE_IMPORTS, on_lambda)
