"""Helpers shared by the @instrument tests: a Lambda-like context and record capture."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class FakeContext:
    """The attributes awslambdaric's LambdaContext has (strings where it has strings)."""

    def __init__(
        self,
        name: str = "orders-fn",
        memory: str | None = "512",
        version: str = "$LATEST",
        request_id: str | None = None,
    ) -> None:
        self.function_name = name
        self.function_version = version
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.memory_limit_in_mb = memory
        self.aws_request_id = request_id or str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "2026/11/24/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 3000


class Capture(io.StringIO):
    """A text stream that collects records; ``records`` parses them."""

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.getvalue().splitlines() if line.strip()]


def run_python(
    code: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with lambda_kit importable."""
    full_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "LAMBDA_KIT_", "POWERTOOLS_", "_X_AMZN"))
    }
    # examples/ and the demo's handlers shipped in lambda_kit/examples
    full_env["PYTHONPATH"] = os.pathsep.join(
        [ROOT, os.path.join(ROOT, "examples"), os.path.join(ROOT, "lambda_kit", "examples")]
    )
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", code], env=full_env, capture_output=True, text=True, timeout=timeout
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue  # a Python repr printed by the test itself
            if isinstance(value, dict) and value.get("type") == "invocation":
                out.append(value)
    return out
