"""``lambda-kit imports``: where a module's import time goes, module by module.

lambda-kit imports app                 # a module, a .py file or MODULE:HANDLER
lambda-kit imports app:handler --runs 7 --top 10 --min-ms 2
lambda-kit imports app --json          # the tree and the advice as JSON
lambda-kit imports app --html imports.html
lambda-kit imports --from-log init.log # CPython's -X importtime log (also from CloudWatch)
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lambda_kit._term import fail, say, style
from lambda_kit.imports.tree import Node, render_text, total_ms


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The subcommand's options."""
    parser.add_argument(
        "target", nargs="?", metavar="TARGET", help="a module, a .py file, or MODULE:HANDLER"
    )
    parser.add_argument(
        "--runs",
        type=_positive_int,
        default=5,
        metavar="N",
        help="fresh interpreters to run; the fastest is shown (default 5)",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=20,
        metavar="N",
        help="show the N slowest top-level imports (0: all; default 20)",
    )
    parser.add_argument(
        "--min-ms",
        type=_non_negative,
        default=1.0,
        metavar="MS",
        help="hide modules faster than this many ms (default 1.0)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page")
    parser.add_argument(
        "--from-log",
        metavar="FILE",
        help="read a -X importtime log instead of running a target ('-' for stdin)",
    )


def _fail(message: str, code: int) -> int:
    return fail("lambda-kit imports", message, code)


def run(args: argparse.Namespace) -> int:
    """Run ``lambda-kit imports``; 0 when it printed a tree."""
    from lambda_kit.imports.advice import advise

    meta: dict[str, Any]
    if args.from_log:
        roots, meta, code = _from_log(args.from_log)
        if code:
            return code
        title = args.from_log
        advice = advise(roots)
    elif args.target:
        from lambda_kit.imports.runner import TargetError, profile_target

        try:
            profile = profile_target(args.target, runs=args.runs)
        except TargetError as exc:
            if exc.detail:
                sys.stderr.write(exc.detail)
            return _fail(str(exc), 1)
        except OSError as exc:
            return _fail(f"could not run the target: {exc}", 1)
        roots, title = profile.roots, args.target
        meta = {"target": args.target, "runs_ms": [round(r, 3) for r in profile.runs_ms]}
        advice = advise(roots, target=profile.module, file=profile.file)
    else:
        return _fail("give a TARGET (module, file.py or MODULE:HANDLER) or --from-log FILE", 2)
    if not roots:
        return _fail(f"{title}: nothing was imported (already loaded at interpreter start?)", 1)
    if args.html:
        from lambda_kit.imports.page import write_html

        try:
            write_html(args.html, roots, title=title, notes=[a["message"] for a in advice])
        except OSError as exc:
            return _fail(f"could not write {args.html}: {exc}", 1)
    if args.json:
        meta.update(
            total_ms=round(total_ms(roots), 3),
            tree=[r.to_json() for r in roots],
            advice=advice,
        )
        print(json.dumps(meta, indent=2))
        return 0
    _print_text(roots, title, meta, advice, args)
    return 0


def _print_text(
    roots: list[Node],
    title: str,
    meta: dict[str, Any],
    advice: list[dict[str, Any]],
    args: argparse.Namespace,
) -> None:
    paint = style(sys.stdout)
    if "runs_ms" in meta:
        runs = ", ".join(f"{r:.1f}" for r in meta["runs_ms"])
        print(paint.heading(f"{title}: fastest of {len(meta['runs_ms'])} runs (ms: {runs})"))
    else:
        more = meta["runs_in_log"]
        print(
            paint.heading(
                f"{title}: {meta['import_lines']} imports read"
                + (f", first of {more} runs in the log" if more > 1 else "")
            )
        )
    print(render_text(roots, top=max(args.top, 0), min_ms=args.min_ms))
    if advice:
        print("\n" + paint.heading("advice:"))
        for item in advice:
            print(f"- {paint.warning(item['message'])}")
    if args.html:
        print(f"\nwrote {args.html}")


#: malformed lines listed on stderr one by one; beyond this, a count
MAX_PROBLEMS_SHOWN = 20


def _from_log(path: str) -> tuple[list[Node], dict[str, Any], int]:
    from lambda_kit.imports.importtime import parse_importtime

    try:
        if path == "-":
            log = parse_importtime(sys.stdin)
        else:
            with open(path, encoding="utf-8", errors="replace") as f:
                log = parse_importtime(f)
    except OSError as exc:
        return [], {}, _fail(f"could not read {path}: {exc.strerror or exc}", 2)
    except Exception as exc:  # a bug of ours must still end in one line, not a traceback
        return [], {}, _fail(f"could not read {path}: {type(exc).__name__}: {exc}", 2)
    for problem in log.problems[:MAX_PROBLEMS_SHOWN]:
        say("lambda-kit imports", f"{path} {problem}; malformed line skipped", "warning")
    hidden = len(log.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        say("lambda-kit imports", f"{path}: {hidden} more malformed lines skipped", "warning")
    if not log.runs:
        return (
            [],
            {},
            _fail(
                f"{path} holds no -X importtime lines (write one with "
                "`python -X importtime -c 'import app' 2> init.log`, or set "
                "PYTHONPROFILEIMPORTTIME=1 on the function)",
                1,
            ),
        )
    meta = {
        "source": path,
        "import_lines": log.import_lines,
        "runs_in_log": len(log.runs),
        "problems": log.problems,
    }
    return log.roots, meta, 0
