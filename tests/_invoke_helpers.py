"""Helpers for the tests of ``lambda-kit invoke``: handler files, CLI runs, log parsing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
#: the handlers `lambda-kit demo` runs, shipped in the wheel
DEMO_EXAMPLES = REPO / "lambda_kit" / "examples"

_REPORT_FIELD = re.compile(r"([A-Za-z ]+): ([^\t]+)")


def write_handler(folder: Path, body: str, prefix: str = "fn") -> tuple[str, str]:
    """A handler module with a unique name in ``folder``: (path:handler spec, module name)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return f"{folder / name}.py:handler", name


def invoke(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``lambda-kit invoke ARGS`` in a new process; its stdout, stderr and exit status."""
    return subprocess.run(
        [sys.executable, "-m", "lambda_kit", "invoke", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_MAX_CONCURRENCY"},
    )


def parse_report(line: str) -> dict[str, str]:
    """A REPORT line's fields by name: {"RequestId": ..., "Duration": "2.15 ms", ...}."""
    assert line.startswith("REPORT ")
    return dict(_REPORT_FIELD.findall(line[len("REPORT ") :]))


def ms(value: str) -> float:
    """``"2.15 ms"`` -> 2.15; ``"39 MB"`` -> 39.0."""
    return float(value.split()[0])


def records_and_reports(log: str) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The invocation records and the REPORT lines of a log, in order."""
    records, reports = [], []
    for line in log.splitlines():
        if line.startswith("REPORT "):
            reports.append(parse_report(line))
        elif line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict) and value.get("type") == "invocation":
                records.append(value)
    return records, reports


def processes_mentioning(marker: str) -> list[str]:
    """Command lines of live processes that contain ``marker`` (the process table check)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(f"{pid}: {cmdline}")
    return found
