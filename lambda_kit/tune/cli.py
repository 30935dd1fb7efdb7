"""``lambda-kit tune MODULE:HANDLER``: measure a handler at several memory sizes and pick one.

The table (or ``--json``) goes to stdout; the progress bar to stderr, only on a
terminal. Exit status: 0 with a recommendation, 1 when no size ran cleanly,
2 for bad input, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import signal
import sys

from lambda_kit._term import fail, say, style
from lambda_kit.local.function import ARCHITECTURES, MEMORY_CAPS, BadInput

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from lambda_kit.tune.choice import Choice
    from lambda_kit.tune.measure import Tuning

DEFAULT_SIZES = "128,256,512,1024,1769,3008"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit tune``."""
    parser.add_argument(
        "handler",
        nargs="?",
        metavar="HANDLER",
        help="MODULE:HANDLER, MODULE.HANDLER or path/to/file.py:HANDLER",
    )
    parser.add_argument("--event", metavar="FILE", help="JSON event (default: {}); - reads stdin")
    parser.add_argument(
        "--memory",
        default=DEFAULT_SIZES,
        metavar="MB[,MB...]",
        help=f"memory sizes to measure (default {DEFAULT_SIZES})",
    )
    parser.add_argument(
        "-n",
        "--invocations",
        type=int,
        default=10,
        metavar="N",
        help="warm invocations per size (default 10)",
    )
    parser.add_argument(
        "--cold",
        type=int,
        default=1,
        metavar="N",
        help="fresh environments per size, each starting cold (default 1)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3.0,
        metavar="SECONDS",
        help="timeout in seconds (default 3)",
    )
    parser.add_argument(
        "--arch", choices=ARCHITECTURES, default="x86_64", help="priced for (default x86_64)"
    )
    parser.add_argument(
        "--region", default="us-east-1", metavar="REGION", help="priced for (default us-east-1)"
    )
    parser.add_argument(
        "--env", action="append", default=[], metavar="KEY=VALUE", help="environment variable"
    )
    parser.add_argument("--memory-cap", choices=MEMORY_CAPS, default="auto", help="as invoke's")
    parser.add_argument(
        "--cpu-cap",
        choices=("auto", "cgroup", "none"),
        default="auto",
        help="CPU in proportion to memory by a cgroup quota (auto: when writable)",
    )
    parser.add_argument(
        "--balanced-weight",
        type=float,
        default=0.5,
        metavar="WEIGHT",
        help="0 = fastest .. 1 = cheapest, as Power Tuning's balancedWeight (default 0.5)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object, not a table")
    parser.add_argument(
        "--html", metavar="FILE", help="also write a self-contained HTML chart here"
    )
    parser.add_argument(
        "--calibrate",
        action="store_true",
        help="time a reference workload and compare with Lambda's published figure",
    )


def parse_memory_list(text: str) -> list[int]:
    """``"128,256,1769"`` as sorted distinct sizes; ``BadInput`` naming what is wrong.

    >>> parse_memory_list("1024, 128,1024")
    [128, 1024]
    """
    sizes = set()
    for part in text.split(","):
        item = part.strip()
        if not item:
            raise BadInput(f"--memory {text!r}: an empty size (give MB,MB,... e.g. 128,512)")
        if not item.isdigit() or not item.isascii():
            raise BadInput(f"--memory {text!r}: {item!r} is not a whole number of MB")
        mb = int(item)
        if not 128 <= mb <= 10240:
            raise BadInput(f"--memory {text!r}: {mb} MB is outside Lambda's 128..10240 MB")
        sizes.add(mb)
    return sorted(sizes)


def run(args: argparse.Namespace) -> int:
    """Measure, choose, print; returns the exit status."""
    try:
        return _run(args)
    except BadInput as exc:
        return fail("lambda-kit", str(exc))


def _run(args: argparse.Namespace) -> int:
    import json

    from lambda_kit.tune.calibrate import calibrate

    if not 0.0 <= args.balanced_weight <= 1.0:
        raise BadInput(f"--balanced-weight {args.balanced_weight} is outside 0..1")
    html_out = _open_html(args.html)
    if args.handler is None:
        if not args.calibrate:
            raise BadInput("give a handler (MODULE:HANDLER), or --calibrate alone")
        c = calibrate()
        if args.json:
            from lambda_kit.tune.output import calibration_json

            print(json.dumps({"calibration": calibration_json(c)}, indent=2))
        else:
            print(c.sentence())
        return 0
    tuning, choice = _measure(args)
    calibration = calibrate() if args.calibrate else None
    from lambda_kit.tune.output import table, to_json

    if html_out is not None:
        from lambda_kit.tune.html import page

        with html_out:
            html_out.write(page(tuning, choice))
    if args.json:
        print(json.dumps(to_json(tuning, choice, calibration), indent=2))
    else:
        print(table(tuning, choice, style(sys.stdout)))
        if calibration is not None:
            print(f"calibration: {calibration.sentence()}")
    return 0 if choice.cheapest is not None else 1


def _open_html(path: str | None) -> TextIO | None:
    if path is None:
        return None
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror or exc}") from exc


def _measure(args: argparse.Namespace) -> tuple[Tuning, Choice]:
    import importlib.util

    from lambda_kit.local.cli import parse_env, read_event
    from lambda_kit.tune.choice import choose
    from lambda_kit.tune.measure import tune
    from lambda_kit.tune.output import ProgressBar, candidates

    sizes = parse_memory_list(args.memory)
    event = read_event(args.event)
    env = parse_env(args.env)
    if importlib.util.find_spec("awslambdaric") is None:
        from lambda_kit._version import install_hint

        raise BadInput(f"tune needs the Lambda runtime client: {install_hint('local')}")
    # a SIGTERM ends us through SystemExit, so environments and cgroups are cleaned up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bar = ProgressBar(sys.stderr)
    try:
        tuning = tune(
            args.handler,
            event,
            sizes,
            invocations=args.invocations,
            cold_starts=args.cold,
            timeout_s=args.timeout,
            architecture=args.arch,
            region=args.region,
            env=env,
            memory_cap=args.memory_cap,
            cpu_cap=args.cpu_cap,
            progress=bar,
        )
    except KeyboardInterrupt:
        bar.close()
        say("lambda-kit", "tune interrupted; nothing left running", "warning")
        raise
    finally:
        bar.close()
    return tuning, choose(candidates(tuning), args.balanced_weight)
