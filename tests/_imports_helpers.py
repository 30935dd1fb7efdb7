"""Shared fixtures of the import profiler's tests: synthetic modules and child pythons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
WRAPPER = REPO / "lambda_kit" / "imports" / "exec_wrapper.sh"


def write_modules(root: Path, modules: dict[str, str]) -> Path:
    """Write ``{"pkg.mod": "source"}`` as files under ``root`` (packages get __init__.py)."""
    for name, source in modules.items():
        parts = name.split(".")
        for i in range(1, len(parts)):
            pkg = root.joinpath(*parts[:i])
            pkg.mkdir(exist_ok=True)
            init = pkg / "__init__.py"
            if not init.exists():
                init.write_text("")
        if name in {m.rsplit(".", 1)[0] for m in modules if "." in m}:
            path = root.joinpath(*parts) / "__init__.py"
            path.parent.mkdir(exist_ok=True)
        else:
            path = root.joinpath(*parts[:-1], parts[-1] + ".py")
        path.write_text(source)
    return root


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without Lambda's variables, plus ``extra``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_LAMBDA_", "LAMBDA_KIT_", "_HANDLER", "PYTHONPROFILEIMPORT"))
    }
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_python(
    code: str, cwd: Path, env: dict[str, str], *args: str, wrapper: bool = False
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", code, *args]
    if wrapper:
        cmd = ["/bin/sh", str(WRAPPER), *cmd]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def records(stdout: str) -> list[dict[str, Any]]:
    """The invocation records among a child's stdout lines."""
    out = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            obj = json.loads(line)
            if obj.get("type") == "invocation":
                out.append(obj)
    return out
