"""Regenerate the transcripts of docs/report.md and docs/cloudwatch.md by running them.

    .venv/bin/python scripts/aws_transcripts.py            (or: make docs-aws)

A transcript is a block between ``<!-- run: COMMAND -->`` and ``<!-- /run -->``. The
command runs in bash from the repository root, with ``lambda-kit`` meaning this
checkout's CLI, stdout and stderr together, as a terminal would show them. The AWS
commands talk to moto in server mode, started here on 127.0.0.1 with a seeded log
group (/aws/lambda/orders: three streams of START / REPORT / END events over the
last two hours; the function orders at 512 MB) and dummy credentials: nothing leaves
the machine. Never typed by hand.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"<!-- run: (?P<cmd>.+?) -->\n.*?<!-- /run -->", re.S)
DOCS = ("docs/report.md", "docs/cloudwatch.md")
GROUP = "/aws/lambda/orders"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    """moto's server on a free loopback port, once it accepts connections."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("moto did not start") from None
            time.sleep(0.05)


def seed(env: dict[str, str]) -> None:
    """Three streams of a function at 512 MB: 1 cold start in 20, one timeout."""
    os.environ.update(env)
    import boto3

    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    now = (int(time.time()) // 60 - 120) * 60_000
    for s in range(3):
        stream = f"2026/11/24/[$LATEST]{s:032x}"
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
        events = []
        for k in range(100):
            i = s * 100 + k
            t = now + k * 70_000 + s * 1000
            ms = 20 + (i * 37 % 200) + (i % 10) / 10
            init = f"Init Duration: {310 + i % 9 * 12.25:.2f} ms\t" if i % 20 == 0 else ""
            status = "Status: timeout\t" if i == 150 else ""
            for j, text in enumerate((
                f"START RequestId: r-{i} Version: $LATEST",
                f"REPORT RequestId: r-{i}\tDuration: {ms:.2f} ms\tBilled Duration: "
                f"{int(ms) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {90 + i % 31} MB\t"
                f"{init}{status}",
                f"END RequestId: r-{i}",
            )):
                events.append({"timestamp": t + j, "message": text + "\n"})
        logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)
    # the function itself, for `cloudwatch alarms` to ask its memory size of
    import io
    import json
    import zipfile

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return {}\n")
    role = boto3.client("iam").create_role(
        RoleName="orders", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    boto3.client("lambda").create_function(
        FunctionName="orders", Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": package.getvalue()}, MemorySize=512,
    )


def run(command: str, env: dict[str, str]) -> str:
    script = f'lambda-kit() {{ "{sys.executable}" -m lambda_kit "$@"; }}\n{command}'
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=False,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
    )
    return done.stdout.rstrip("\n")


def main() -> None:
    proc, url = start_moto()
    tmp = tempfile.mkdtemp(prefix="lk-docs-")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "TMP": tmp,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
    }
    try:
        seed(env)
        for path in DOCS:
            doc = ROOT / path

            def fill(m: re.Match[str]) -> str:
                cmd = m.group("cmd")
                print(f"running: {cmd}", file=sys.stderr)
                return f"<!-- run: {cmd} -->\n```\n$ {cmd}\n{run(cmd, env)}\n```\n<!-- /run -->"

            doc.write_text(BLOCK.sub(fill, doc.read_text()))
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
