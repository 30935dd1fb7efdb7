"""The platform lines Lambda writes to CloudWatch Logs around each invocation.

Formats as Lambda prints them (AWS Lambda docs, "Monitoring and
troubleshooting Lambda functions"; CloudWatch Logs Insights parses the same
fields): ``START RequestId: ID Version: $LATEST``, ``END RequestId: ID`` and a
tab-separated ``REPORT`` line with a trailing tab; ``INIT_REPORT`` when the
init phase fails; ``TIMESTAMP ID Task timed out after N.NN seconds`` on a
timeout. Error payloads follow the Runtime API's shape (``errorMessage``,
``errorType``; ``RequestId: ID Error: ...`` for failures of the environment).
"""

from __future__ import annotations

import json
import time


class Report:
    """The figures of one REPORT line.

    >>> Report("8f5c", 2.15, 3, 128, 39, init_duration_ms=118.74).line()
    'REPORT RequestId: 8f5c\\tDuration: 2.15 ms\\tBilled Duration: 3 ms\\tMemory Size: 128 MB\\t...'
    """

    __slots__ = (
        "billed_duration_ms",
        "duration_ms",
        "error_type",
        "init_duration_ms",
        "max_memory_used_mb",
        "memory_size_mb",
        "request_id",
        "status",
    )

    def __init__(
        self,
        request_id: str,
        duration_ms: float,
        billed_duration_ms: int,
        memory_size_mb: int,
        max_memory_used_mb: int,
        *,
        init_duration_ms: float | None = None,
        status: str = "success",
        error_type: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.duration_ms = duration_ms
        self.billed_duration_ms = billed_duration_ms
        self.memory_size_mb = memory_size_mb
        self.max_memory_used_mb = max_memory_used_mb
        self.init_duration_ms = init_duration_ms
        self.status = status
        self.error_type = error_type

    def line(self) -> str:
        """The REPORT line, fields separated (and ended) by tabs as Lambda writes it."""
        fields = [
            f"REPORT RequestId: {self.request_id}",
            f"Duration: {self.duration_ms:.2f} ms",
            f"Billed Duration: {self.billed_duration_ms} ms",
            f"Memory Size: {self.memory_size_mb} MB",
            f"Max Memory Used: {self.max_memory_used_mb} MB",
        ]
        if self.init_duration_ms is not None:
            fields.append(f"Init Duration: {self.init_duration_ms:.2f} ms")
        if self.status != "success":
            fields.append(f"Status: {self.status}")
            if self.error_type:
                fields.append(f"Error Type: {self.error_type}")
        return "\t".join(fields) + "\t"


def init_start(runtime_version: str) -> str:
    """``INIT_START Runtime Version: python:3.11.7 ...`` (ours names the local runtime)."""
    return f"INIT_START Runtime Version: {runtime_version}\tRuntime Version ARN: local"


def runtime_version() -> str:
    """The local runtime as INIT_START names it: ``python:3.13.1 awslambdaric:4.2.2``."""
    import sys

    v = sys.version_info
    try:
        from awslambdaric import __version__ as ric
    except ImportError:  # the child will say so, as an init error
        ric = "missing"
    return f"python:{v[0]}.{v[1]}.{v[2]} awslambdaric:{ric}"


def start(request_id: str, version: str = "$LATEST") -> str:
    """``START RequestId: ID Version: $LATEST``."""
    return f"START RequestId: {request_id} Version: {version}"


def end(request_id: str) -> str:
    """``END RequestId: ID``."""
    return f"END RequestId: {request_id}"


def init_report(init_duration_ms: float, status: str, error_type: str | None) -> str:
    """``INIT_REPORT Init Duration: N ms  Phase: init  Status: error  Error Type: T``."""
    fields = [f"INIT_REPORT Init Duration: {init_duration_ms:.2f} ms", "Phase: init"]
    fields.append(f"Status: {status}")
    if error_type:
        fields.append(f"Error Type: {error_type}")
    return "\t".join(fields) + "\t"


def iso_now() -> str:
    """Now as CloudWatch's line prefix writes it: ``2026-11-24T02:03:04.567Z``."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def timed_out(request_id: str, timeout_s: float) -> str:
    """``TIMESTAMP ID Task timed out after 3.00 seconds``."""
    return f"{iso_now()} {request_id} Task timed out after {timeout_s:.2f} seconds"


def error_payload(request_id: str, error_type: str, what: str) -> bytes:
    """An error response for a failure of the environment (timeout, exit, out of memory)."""
    body = {"errorType": error_type, "errorMessage": f"RequestId: {request_id} Error: {what}"}
    return json.dumps(body).encode()


def exit_reason(returncode: int) -> str:
    """How Lambda words a runtime's exit: ``exit status 3`` or ``signal: killed``."""
    if returncode >= 0:
        return f"Runtime exited with error: exit status {returncode}"
    import signal

    try:
        name = signal.Signals(-returncode).name
    except ValueError:
        name = f"signal {-returncode}"
    words = {"SIGKILL": "killed", "SIGSEGV": "segmentation fault", "SIGABRT": "aborted"}
    return f"Runtime exited with error: signal: {words.get(name, name)}"
