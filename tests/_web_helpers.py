"""Web apps served by real servers (uvicorn, waitress) on 127.0.0.1 for the web tests,
and the headers the Lambda Web Adapter sends with each invocation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx
from servers import free_port

ROOT = Path(__file__).resolve().parent.parent
ARN = "arn:aws:lambda:us-east-1:123456789012:function:web-fn"


def lambda_headers(request_id: str | None = None, *, deadline_ms: int | None = None,
                   trace_root: str | None = None, api_request_id: str = "JKJaXmPLvHcESHA=") -> dict[str, str]:
    """``x-amzn-lambda-context`` and ``x-amzn-request-context`` as the adapter sends them."""
    root = trace_root or f"1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"
    context = {
        "request_id": request_id or str(uuid.uuid4()),
        "deadline": deadline_ms or int(time.time() * 1000) + 30_000,
        "invoked_function_arn": ARN,
        "xray_trace_id": f"Root={root};Parent=53995c3f42cd8ad8;Sampled=1",
        "client_context": None,
        "identity": None,
        "env_config": {"function_name": "web-fn", "memory": 1024, "version": "7",
                       "log_stream": "2026/11/24/[7]abc", "log_group": "/aws/lambda/web-fn"},
    }
    request_context = {"accountId": "123456789012", "apiId": "r3pmxmplak", "requestId": api_request_id,
                       "http": {"method": "GET", "path": "/", "sourceIp": "203.0.113.7"}}
    return {"x-amzn-lambda-context": json.dumps(context, separators=(",", ":")),
            "x-amzn-request-context": json.dumps(request_context, separators=(",", ":"))}


class Served:
    """A server process and the JSON lines it wrote on stdout."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, out: Path) -> None:
        self.proc = proc
        self.url = f"http://127.0.0.1:{port}"
        self.out = out

    def lines(self) -> list[dict]:
        found = []
        for line in self.out.read_text().splitlines():
            if line.startswith("{"):
                found.append(json.loads(line))
        return found

    def records(self) -> list[dict]:
        return [r for r in self.lines() if r.get("type") == "invocation"]

    def wait_records(self, n: int, timeout_s: float = 10.0) -> list[dict]:
        """The records once there are ``n`` (a bound on the wait, not a timing check)."""
        end = time.monotonic() + timeout_s
        while len(self.records()) < n and time.monotonic() < end:
            time.sleep(0.02)
        return self.records()

    def ready(self, path: str = "/ready", timeout_s: float = 30.0) -> int:
        """Poll ``path`` every 10 ms as the adapter does, until it answers 2xx; returns the polls."""
        end = time.monotonic() + timeout_s
        polls = 0
        while True:
            polls += 1
            try:
                if httpx.get(self.url + path, timeout=1.0).status_code < 300:
                    return polls
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"server not ready: {self.out.read_text()[-2000:]}")
            time.sleep(0.01)


@contextmanager
def serve(kind: str, tmp_path: Path, *, env: dict[str, str] | None = None, workers: int = 1):
    """Run tests/web_apps' ASGI app under uvicorn or its WSGI app under waitress."""
    port = free_port()
    out = tmp_path / f"{kind}-{port}.out"
    if kind == "asgi":
        cmd = [sys.executable, "-m", "uvicorn", "web_apps.asgi_app:app", "--port", str(port),
               "--log-level", "warning", "--workers", str(workers)]
    else:
        cmd = [sys.executable, "-m", "waitress", "--listen", f"127.0.0.1:{port}", "--threads", "8",
               "web_apps.wsgi_app:app"]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDA_KIT_", "_X_AMZN"))}
    full_env.update({"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "AWS_LWA_READINESS_CHECK_PATH": "/ready",
                     "PYTHONPATH": f"{ROOT / 'tests'}{os.pathsep}{ROOT}", "LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    full_env.update(env or {})
    with open(out, "wb") as f:
        proc = subprocess.Popen(cmd, cwd=ROOT / "tests", env=full_env, stdout=f, stderr=subprocess.STDOUT)
    try:
        yield Served(proc, port, out)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
