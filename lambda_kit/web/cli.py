"""``lambda-kit event SOURCE``: an HTTP event as Lambda receives it, on stdout; and the
``--web`` half of ``lambda-kit invoke``.

    lambda-kit event apigw-v2 --path /mcp --method POST --body @request.json > e.json
    lambda-kit invoke --web app:app --event e.json

Exit status: 0, or 2 for bad input (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from lambda_kit._term import fail
from lambda_kit.local.function import BadInput
from lambda_kit.web.events import SOURCES, BadEvent, make


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit event``."""
    parser.add_argument("source", choices=SOURCES, help="the event's source")
    parser.add_argument("--path", default="/", metavar="PATH", help="request path (default /)")
    parser.add_argument(
        "--method", default="GET", metavar="METHOD", help="HTTP method (default GET)"
    )
    parser.add_argument("--query", default="", metavar="QUERY", help="query string, e.g. a=1&b=2")
    parser.add_argument("--body", metavar="TEXT|@FILE", help="request body; @FILE reads a file")
    parser.add_argument(
        "--header", action="append", default=[], metavar="NAME:VALUE", help="a header (repeatable)"
    )


def _body(raw: str | None) -> bytes | None:
    if raw is None:
        return None
    if raw.startswith("@"):
        try:
            with open(raw[1:], "rb") as f:
                return f.read()
        except OSError as exc:
            raise BadInput(f"cannot read body file {raw[1:]}: {exc.strerror or exc}") from exc
    return raw.encode()


def _headers(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition(":")
        if not sep or not name.strip():
            raise BadInput(f"--header {pair!r} is not NAME:VALUE")
        out[name.strip().lower()] = value.strip()
    return out


def run(args: argparse.Namespace) -> int:
    """Print the event; returns the exit status."""
    try:
        if not args.method.isalpha():
            raise BadInput(f"--method {args.method!r} is not an HTTP method")
        event = make(args.source, path=args.path, method=args.method, body=_body(args.body),
                     headers=_headers(args.header), query=args.query.lstrip("?"))  # fmt: skip
    except (BadInput, BadEvent) as exc:
        return fail("lambda-kit", str(exc))
    print(json.dumps(event, indent=2))
    return 0


def run_invoke_web(
    args: argparse.Namespace,
    env: dict[str, str],
    read_event: Callable[[str | None], bytes],
    summary: Callable[[object, int, str], str],
    show: Callable[[str], None] | None = None,
) -> int:
    """``lambda-kit invoke --web MODULE:APP``: the events through the app, as Lambda would
    (``invoke``'s own ``read_event``, closing ``summary`` line and its printer ``show``
    are passed in)."""
    from lambda_kit.local.function import Function
    from lambda_kit.web.local import run_web

    fn = Function(args.handler, memory_mb=args.memory, timeout_s=args.timeout,
                  architecture=args.arch, init_type=args.init_type, env=env,
                  name=args.name)  # fmt: skip
    event: object = make("apigw-v2") if args.event is None else json.loads(read_event(args.event))
    try:
        out = open(args.output, "wb") if args.output else None  # noqa: SIM115
    except OSError as exc:
        raise BadInput(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    target = out if out is not None else sys.stdout.buffer

    def emit(payload: bytes) -> None:
        target.write(payload + b"\n")
        target.flush()

    try:
        result = run_web(fn, [event] * args.invocations, log=sys.stderr,
                         on_result=lambda r: emit(r.payload))  # fmt: skip
        if result.init_error is not None:
            emit(result.init_error.payload)
    except BadEvent as exc:
        raise BadInput(str(exc)) from exc
    finally:
        if out is not None:
            out.close()
    text = summary(result, fn.memory_mb, fn.architecture)
    if show is None:
        print(text, file=sys.stderr)
    else:
        show(text)
    return 0 if result.ok else 1
