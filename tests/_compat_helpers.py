"""Run a Powertools-style handler under the real Powertools and under lambda_kit.

``run_both(name, events)`` copies ``tests/compat_handlers/<name>.py`` into two
directories: as written (``aws_lambda_powertools`` imports) and as
``lambda-kit migrate`` rewrites it. Each runs in a fresh interpreter with the
same environment, the runtime client's own ``LambdaContext`` and the same
events (the first invocation cold, the next ones warm); what each printed on
stdout comes back as parsed JSON lines, sorted into log lines, EMF blobs and
lambda_kit's invocation records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_kit.compat.migrate import rewrite

ROOT = Path(__file__).resolve().parent.parent
HANDLERS = Path(__file__).resolve().parent / "compat_handlers"

DRIVER = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
from awslambdaric.lambda_context import LambdaContext
handler_module = __import__(sys.argv[2])
for i, event in enumerate(json.loads(sys.argv[3])):
    context = LambdaContext(
        "req-%d" % i, None, None, int(time.time() * 1000) + 30_000,
        "arn:aws:lambda:us-east-1:123456789012:function:orders",
    )
    try:
        result = handler_module.handler(event, context)
    except Exception as exc:
        result = "raised %s" % type(exc).__name__
    sys.stdout.flush()
    sys.stderr.write("RESULT %s\n" % json.dumps(result, default=str))
"""

#: what Lambda sets for a function (as the runtime would), the same for both runs
BASE_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "orders",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
    "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/orders",
    "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/24/[$LATEST]abc",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
}


@dataclass
class Run:
    """What one flavour of a handler printed."""

    logs: list[dict[str, Any]] = field(default_factory=list)
    emf: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    stderr: str = ""


def _parse(stdout: str, stderr: str) -> Run:
    run = Run(stderr=stderr)
    for line in stdout.splitlines():
        if not line.strip():
            continue
        value = json.loads(line)  # every line either flavour writes is JSON
        if "_aws" in value:
            run.emf.append(value)
        elif value.get("type") == "invocation":
            run.records.append(value)
        else:
            run.logs.append(value)
    run.results = [json.loads(x[7:]) for x in stderr.splitlines() if x.startswith("RESULT ")]
    return run


def run_flavour(
    source: str, name: str, events: list[Any], env: dict[str, str] | None = None
) -> Run:
    """Run ``source`` as module ``name`` in a fresh interpreter; its output, parsed."""
    with tempfile.TemporaryDirectory(prefix="compat-") as tmp:
        Path(tmp, f"{name}.py").write_text(source)
        full = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "LAMBDA_", "POWERTOOLS_", "_X_AMZN"))
        }
        full.update(BASE_ENV)
        full["PYTHONPATH"] = str(ROOT)
        full.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-c", DRIVER, tmp, name, json.dumps(events)],
            env=full,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        # tracebacks name the handler's file: the same text for both directories
        return _parse(proc.stdout.replace(tmp, "<dir>"), proc.stderr)


def run_both(name: str, events: list[Any], env: dict[str, str] | None = None) -> tuple[Run, Run]:
    """(Powertools, lambda_kit) for ``compat_handlers/<name>.py``."""
    source = (HANDLERS / f"{name}.py").read_text()
    migrated = rewrite(source)
    assert "aws_lambda_powertools" not in migrated.source, migrated.source
    return run_flavour(source, name, events, env), run_flavour(migrated.source, name, events, env)


#: keys whose values differ by design: the clock (docs/migrate-from-powertools.md)
VOLATILE = frozenset(("timestamp",))


def comparable(line: dict[str, Any]) -> list[tuple[str, Any]]:
    """A log line as (key, value) pairs in order, the volatile values blanked."""
    return [(k, "<volatile>" if k in VOLATILE else v) for k, v in line.items()]


class Daemon:
    """A UDP socket standing in for the X-Ray daemon on 127.0.0.1; ``segments()``
    reads what arrived (each datagram: a JSON header line, then one document)."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

    def segments(self) -> list[dict[str, Any]]:
        self.sock.settimeout(0.5)  # the sender has exited: everything is in the buffer
        docs = []
        try:
            while True:
                data = self.sock.recv(65536).decode()
                header, _, body = data.partition("\n")
                assert json.loads(header)["format"] == "json"
                docs.append(json.loads(body))
        except TimeoutError:
            pass
        self.sock.close()
        return docs


def handler_trees(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``## handler`` subsegments with their children, from the documents the SDK
    streamed one by one (each names its parent by ``parent_id``), in start order."""
    children: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        children.setdefault(doc.get("parent_id", ""), []).append(doc)

    def attach(doc: dict[str, Any]) -> dict[str, Any]:
        kids = sorted(children.get(doc["id"], []) + doc.get("subsegments", []), key=lambda d: d["start_time"])
        return {**doc, "subsegments": [attach(k) for k in kids]}

    roots = [d for d in docs if d["name"] == "## handler"]
    return [subsegment_tree(attach(d)) for d in sorted(roots, key=lambda d: d["start_time"])]


def subsegment_tree(doc: dict[str, Any]) -> dict[str, Any]:
    """What a subsegment says, without ids and times: name, annotations, metadata
    (namespaces, keys, and values as text), fault/error, and its children in order."""
    metadata = {
        ns: {k: json.dumps(v, sort_keys=True, default=str) for k, v in keys.items()}
        for ns, keys in (doc.get("metadata") or {}).items()
    }
    return {
        "name": doc["name"],
        "annotations": doc.get("annotations", {}),
        "metadata": metadata,
        "fault": doc.get("fault", False),
        "error": doc.get("error", False),
        "children": [subsegment_tree(c) for c in doc.get("subsegments", [])],
    }
