"""``lambda-kit invoke MODULE:HANDLER``: run a handler as Lambda runs it, on this machine.

CloudWatch's lines (INIT_START, START, the handler's output, END, REPORT) go
to stderr; each invocation's response payload goes to stdout (or ``--output``),
one line each, so ``lambda-kit invoke app:handler | jq`` reads the payloads.
Exit status: 0 when every invocation succeeded, 1 when one failed (error,
timeout, init error), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from typing import TextIO

from lambda_kit._term import fail, say, style
from lambda_kit.local.function import ARCHITECTURES, INIT_TYPES, MEMORY_CAPS, BadInput


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit invoke``."""
    parser.add_argument(
        "handler",
        metavar="HANDLER",
        help="MODULE:HANDLER, MODULE.HANDLER or path/to/file.py:HANDLER (with --web: MODULE:APP)",
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="HANDLER is an ASGI/WSGI app: run it as Lambda Web Adapter would (docs/web.md)",
    )
    parser.add_argument("--event", metavar="FILE", help="JSON event (default: {}); - reads stdin")
    parser.add_argument(
        "-n",
        "--invocations",
        type=int,
        default=1,
        metavar="N",
        help="invoke N times, one environment while it lives (default 1)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=128,
        metavar="MB",
        help="memory size in MB; also caps the runtime's memory (default 128)",
    )
    parser.add_argument(
        "--memory-cap",
        choices=MEMORY_CAPS,
        default="auto",
        help="how --memory is enforced: a memory cgroup, a watchdog on the "
        "process tree's resident memory, or auto (cgroup if writable)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="timeout in seconds (default 3, as Lambda's)",
    )
    parser.add_argument(
        "--arch",
        choices=ARCHITECTURES,
        default="x86_64",
        help="architecture: arm64 runs under qemu-aarch64 and LAMBDA_KIT_ARM64_PYTHON "
        "where they are, else only prices it (default x86_64)",
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an environment variable for the function (repeatable)",
    )
    parser.add_argument(
        "--init-type",
        choices=INIT_TYPES,
        default="on-demand",
        help="AWS_LAMBDA_INITIALIZATION_TYPE (default on-demand)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="run as on Lambda Managed Instances: one environment whose runtime forks N "
        "worker processes, the events dispatched to them side by side (docs/invoke.md)",
    )
    parser.add_argument("--output", metavar="FILE", help="write response payloads here, not stdout")
    parser.add_argument("--name", metavar="NAME", help="function name (default: the module's name)")
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        metavar="PORT",
        help="port of the Runtime API server on 127.0.0.1 (default: any free one)",
    )


def read_event(source: str | None, stdin: TextIO | None = None) -> bytes:
    """The event as bytes, checked to be JSON; ``BadInput`` says what is wrong with it."""
    if source is None:
        return b"{}"
    name = "stdin" if source == "-" else f"event file {source}"
    try:
        if source == "-":
            raw = (stdin or sys.stdin).read().encode()
        else:
            with open(source, "rb") as f:
                raw = f.read()
    except OSError as exc:
        raise BadInput(f"cannot read {name}: {exc.strerror or exc}") from exc
    from lambda_kit.local.payload import request_too_large

    refused = request_too_large(len(raw))
    if refused is not None:
        raise BadInput(f"{name} is {len(raw)} bytes; Lambda refuses it: {refused}")
    try:
        json.loads(raw)
    except ValueError as exc:
        raise BadInput(f"{name} is not JSON: {exc}") from exc
    return raw


def parse_env(pairs: list[str]) -> dict[str, str]:
    """``["K=V", ...]`` as a dict; ``BadInput`` for a pair without ``=``."""
    env = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise BadInput(f"--env {pair!r} is not KEY=VALUE")
        env[key] = value
    return env


def run(args: argparse.Namespace) -> int:
    """Run the invocations; returns the exit status."""
    try:
        return _run(args)
    except BadInput as exc:
        return fail("lambda-kit", str(exc))


def _run(args: argparse.Namespace) -> int:
    import importlib.util

    from lambda_kit.local.function import Function
    from lambda_kit.local.runner import run_environment

    if args.invocations < 1:
        raise BadInput(f"-n {args.invocations}: give at least one invocation")
    if args.web:
        from lambda_kit.web.cli import run_invoke_web

        return run_invoke_web(args, parse_env(args.env), read_event, summary, print_summary)
    fn = Function(
        args.handler,
        memory_mb=args.memory,
        timeout_s=args.timeout,
        architecture=args.arch,
        init_type=args.init_type,
        env=parse_env(args.env),
        name=args.name,
        memory_cap=args.memory_cap,
        concurrency=args.concurrency,
    )
    event = read_event(args.event)
    if importlib.util.find_spec("awslambdaric") is None:
        from lambda_kit._version import install_hint

        raise BadInput(f"invoke needs the Lambda runtime client: {install_hint('local')}")
    if fn.concurrency is not None and not _forks_workers():
        raise BadInput(
            "--concurrency needs awslambdaric 4 or later (its multi-concurrent mode, "
            "which forks the workers): pip install -U awslambdaric"
        )
    for note in (fn.arch_note, fn.managed_note):
        if note:
            say("lambda-kit", note, "warning")
    try:
        out = open(args.output, "wb") if args.output else None  # noqa: SIM115
    except OSError as exc:
        raise BadInput(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    # a SIGTERM ends us through SystemExit, so the environment is shut down, not orphaned
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    target = out if out is not None else sys.stdout.buffer

    def emit(payload: bytes) -> None:  # each response as soon as it is known
        target.write(payload + b"\n")
        target.flush()

    if fn.concurrency is not None:  # one environment, N workers: lambda_kit.local.managed
        from lambda_kit.local.managed import run_managed

        run_environment = run_managed  # type: ignore[assignment]
    try:
        result = run_environment(
            fn,
            [event] * args.invocations,
            log=sys.stderr,
            on_result=lambda r: emit(r.payload),
            port=args.port,
        )
        if result.init_error is not None:
            emit(result.init_error.payload)
    finally:
        if out is not None:
            out.close()
    print_summary(summary(result, fn.memory_mb, fn.architecture))
    return 0 if result.ok else 1


def _forks_workers() -> bool:
    """Whether the installed runtime client forks workers for AWS_LAMBDA_MAX_CONCURRENCY."""
    import importlib.util

    return importlib.util.find_spec("awslambdaric.lambda_multi_concurrent_utils") is not None


def print_summary(text: str) -> None:
    """``summary``'s lines on stderr: the failures in the error colour, the rest bold."""
    paint = style(sys.stderr)
    for line in text.splitlines():
        print(paint.error(line) if " failed: " in line else paint.heading(line), file=sys.stderr)


def summary(result: object, memory_mb: int, arch: str) -> str:
    """One closing line: what ran, what failed first, and what it all cost."""
    from lambda_kit.local.results import Run

    assert isinstance(result, Run)
    res = result.results
    counts: dict[str, int] = {}
    for r in res:
        counts[r.status] = counts.get(r.status, 0) + 1
    cold = sum(r.cold_start for r in res)
    billed = sum(r.report.billed_duration_ms for r in res)
    cost = sum(r.cost_usd for r in res)
    where = f"{result.environments} environment{'s' * (result.environments != 1)}"
    inits = f"{cold} cold"
    if result.concurrency is not None:
        where += f" of {result.concurrency} worker{'s' * (result.concurrency != 1)}"
        inits = f"{result.workers} worker{'s' * (result.workers != 1)} served, {inits}"
    price = f"billed {billed} ms, about ${cost:.8f} at {memory_mb} MB {arch}"
    if result.concurrency is not None:
        # Lambda Managed Instances bill compute by the instance (lambda-kit cost --compare lmi)
        price = f"about ${cost:.8f} in request charges (compute is the instances')"
    parts = [
        f"{len(res)} invocation{'s' * (len(res) != 1)} in {where} ({inits})",
        ", ".join(f"{n} {s}" for s, n in counts.items()) or "none sent",
        price,
    ]
    cap = "memory cap: cgroup" if result.cgroup_used else "memory cap: RSS watchdog"
    line = "lambda-kit: " + "; ".join(parts) + f" ({cap})"
    if result.init_error is not None:
        e = result.init_error
        failed_line = f"lambda-kit: init failed: {e.error_type}: {_message(e.payload)}"
        if result.not_sent > 1:
            failed_line += f" ({result.not_sent - 1} more event(s) not sent)"
        # nothing ran: the failure is the whole story
        line = failed_line if not res else f"{line}\n{failed_line}"
    else:
        failed = next((r for r in res if r.status != "success"), None)
        if failed is not None:
            n = res.index(failed) + 1
            line += f"\nlambda-kit: invocation {n} failed: {failed.error_type}: "
            line += _message(failed.payload)
    return line


def _message(payload: bytes) -> str:
    try:
        msg = json.loads(payload).get("errorMessage")
    except (ValueError, AttributeError):
        msg = None
    return str(msg) if msg else payload.decode("utf-8", "replace")[:200]
