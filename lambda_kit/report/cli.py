"""``lambda-kit report FILE... | - | --log-group NAME``: what a function cost, how to size it.

    lambda-kit report exported.log
    aws logs filter-log-events --log-group-name /aws/lambda/orders | lambda-kit report - --json
    lambda-kit report --log-group /aws/lambda/orders --since 7d          # Logs Insights
    lambda-kit report --log-group /aws/lambda/orders --since 1d --raw    # every event

Files stream in chunks (constant memory, any size, ``.gz`` too); a progress bar is
drawn on stderr only when stderr is a terminal (with the rate, and the ETA when
the size is known). Lines that are not REPORT lines are counted as skipped;
malformed REPORT lines (a field that is not a number, a value Lambda cannot
print, JSON that does not parse) are named with their line number (the first 20,
then counted) and never reach the figures; an input with nothing to report exits
1; a file that cannot be read to its end (a corrupt or truncated ``.gz``) keeps
the figures read before the fault, is named on stderr, and the exit status is 2.
The CloudWatch paths live in :mod:`lambda_kit.report.cloud` (boto3 is imported
only there).
"""

from __future__ import annotations

import argparse
import os
import sys

from lambda_kit.prices import prices_for, region_names
from lambda_kit.report.emit import SHOWN_MALFORMED, emit, new_scan
from lambda_kit.report.render import summary

__all__ = ["SHOWN_MALFORMED", "add_arguments", "run", "summary"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit report``."""
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="log files (.gz too), or - for stdin"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--html", metavar="FILE", help="also write a self-contained HTML page")
    parser.add_argument(
        "--group-by",
        choices=("function", "hour", "day"),
        default=None,
        help="one summary per function, per hour or per day, after the whole (default: none)",
    )
    parser.add_argument(
        "--arch",
        choices=("x86_64", "arm64"),
        default="x86_64",
        help="architecture of REPORT lines (they do not say; our records do)",
    )
    parser.add_argument(
        "--region",
        default=None,
        help=f"prices (and the CloudWatch region), one of: {', '.join(region_names())}",
    )
    parser.add_argument(
        "--no-init-billing",
        action="store_true",
        help="our own sum does not bill INIT (ZIP functions before 2025-08-01)",
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal)",
    )
    progress.add_argument(
        "--no-progress", dest="progress", action="store_false", help="no progress bar"
    )
    cloud = parser.add_argument_group("CloudWatch Logs (needs the `aws` extra: boto3)")
    cloud.add_argument("--log-group", metavar="NAME", help="read this log group instead of files")
    cloud.add_argument("--since", metavar="AGE", help="e.g. 30m, 12h, 7d (default 1d)")
    cloud.add_argument("--start", metavar="TIME", help="ISO 8601 (UTC unless it says)")
    cloud.add_argument("--end", metavar="TIME", help="ISO 8601, default now")
    cloud.add_argument(
        "--filter", metavar="TEXT", help="only events that contain TEXT (e.g. a function version)"
    )
    cloud.add_argument(
        "--raw", action="store_true", help="stream the events (FilterLogEvents), not Insights"
    )
    cloud.add_argument(
        "--show-query", action="store_true", help="print the Logs Insights queries and exit"
    )


def _fail(message: str) -> int:
    sys.stderr.write(f"lambda-kit report: {message}\n")
    return 2


def region_of(args: argparse.Namespace) -> str:
    """``--region``, else AWS_REGION / AWS_DEFAULT_REGION for a log group, else us-east-1."""
    region = getattr(args, "region", None)
    if region:
        return str(region)
    if getattr(args, "log_group", None):
        from lambda_kit.environment import region as aws_region

        return aws_region() or "us-east-1"
    return "us-east-1"


def run(args: argparse.Namespace) -> int:
    """Read every input, print the report; 1 when there was nothing to report."""
    region = region_of(args)
    try:
        prices = {arch: prices_for(region, arch) for arch in ("x86_64", "arm64")}
    except ValueError as err:
        return _fail(str(err))
    if getattr(args, "log_group", None):
        if args.files:
            return _fail("give FILEs or --log-group, not both")
        from lambda_kit.report.cloud import run_log_group

        return run_log_group(args, prices, region)
    if not args.files:
        return _fail("give one or more FILEs, - for stdin, or --log-group NAME")
    for path in args.files:
        if path != "-" and not os.path.isfile(path):
            return _fail(f"{path}: no such file")
    from lambda_kit.report.files import Progress, read_files

    scan = new_scan(args, prices)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    sizes = None if "-" in args.files else sum(os.path.getsize(p) for p in args.files)
    interrupted, problems = False, []
    try:
        problems = read_files(args.files, scan, Progress(show, sizes))
    except KeyboardInterrupt:
        interrupted = True
    title = f"{len(args.files)} input(s)"
    return emit(scan, args, region, title, interrupted=interrupted, problems=problems)
