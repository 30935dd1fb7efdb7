"""Shared bits of the logger tests: a logger writing to memory, a Lambda context."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from lambda_kit import _problems
from lambda_kit.log import Logger


class Context:
    """The attributes of Lambda's context object that lambda_kit reads."""

    def __init__(self, request_id: str = "req-1", name: str = "orders-fn") -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-1:123456789012:function:{name}"
        self.aws_request_id = request_id


def memory_logger(**options: Any) -> tuple[Logger, io.BytesIO]:
    buf = io.BytesIO()
    options.setdefault("service", "test")
    return Logger("test", output=buf, **options), buf


def lines(buf: io.BytesIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def records(out: str) -> list[dict[str, Any]]:
    """The JSON lines of captured stdout text."""
    return [json.loads(line) for line in out.splitlines() if line.strip()]


_ENV = (
    "AWS_LAMBDA_LOG_LEVEL",
    "AWS_LAMBDA_LOG_FORMAT",
    "LAMBDA_KIT_LOG_LEVEL",
    "POWERTOOLS_LOG_LEVEL",
    "LAMBDA_KIT_LOG_SAMPLE_RATE",
    "POWERTOOLS_LOGGER_SAMPLE_RATE",
    "LAMBDA_KIT_SERVICE",
    "POWERTOOLS_SERVICE_NAME",
    "AWS_LAMBDA_FUNCTION_NAME",
    "_X_AMZN_TRACE_ID",
)


@pytest.fixture(autouse=True)
def clean_log_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No logging variable of the machine leaks in; lambda_kit's once-only reports reset."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    _problems.reset()
