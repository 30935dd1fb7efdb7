"""Shared by the EMF, OpenTelemetry and X-Ray sink tests: a Lambda context and a fresh
environment (so the next invocation is a cold start)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lambda_kit import _hooks, _problems, environment

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"


class Context:
    """What the Lambda runtime hands a Python handler (the attributes lambda_kit reads)."""

    function_name = "orders"
    function_version = "7"
    invoked_function_arn = ARN
    memory_limit_in_mb = "512"
    log_group_name = "/aws/lambda/orders"
    log_stream_name = "2026/11/24/[7]0123456789abcdef"

    def __init__(self, request_id: str = "req-1") -> None:
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def fresh_environment() -> None:
    """Forget this process's facts and reported problems: the next invocation is cold."""
    environment.reset()
    _problems.reset()


INIT = {
    "total_ms": 412.0,
    "phases": {"runtime_ms": 80.0, "imports_ms": 300.0, "module_code_ms": 31.5, "other_ms": 0.5},
    "top_imports": [
        {"module": "boto3", "cumulative_ms": 210.0, "self_ms": 3.0},
        {"module": "requests", "cumulative_ms": 60.0, "self_ms": 1.0},
        {"module": "tiny", "cumulative_ms": 0.2, "self_ms": 0.2},
    ],
}


class with_init:
    """Context manager: cold-start records carry ``init`` (as the import profiler adds it)."""

    def __init__(self, init: dict[str, Any] = INIT) -> None:
        self.init = init
        self.hook: Callable[[dict[str, Any], bool], None] | None = None

    def __enter__(self) -> dict[str, Any]:
        def hook(record: dict[str, Any], first: bool) -> None:
            if first:
                record["init"] = self.init

        self.hook = hook
        _hooks.add_record(hook)
        return self.init

    def __exit__(self, *exc: object) -> None:
        _hooks.remove_record(self.hook)  # type: ignore[arg-type]
