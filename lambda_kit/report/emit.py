"""The end of every report path: counted lines in, JSON or text (and the HTML page) out.

scan = new_scan(args, prices)      # what files and --raw feed
...
return emit(scan, args, region, "2 input(s)")
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lambda_kit.prices import Prices
from lambda_kit.report.render import print_text, summary
from lambda_kit.report.scan import Scan
from lambda_kit.report.stats import Aggregate

#: malformed lines named on stderr before only counting them
SHOWN_MALFORMED = 20


def _fail(message: str) -> int:
    sys.stderr.write(f"lambda-kit report: {message}\n")
    return 2


def new_scan(args: argparse.Namespace, prices: dict[str, Prices]) -> Scan:
    """The scanner both the file and the ``--raw`` path feed (grouped by hour for the
    ``--html`` page's charts over time, when no other grouping is asked for)."""
    shown = [0]

    def malformed(where: str, number: int, reason: str, line: str) -> None:
        shown[0] += 1
        if shown[0] <= SHOWN_MALFORMED:
            sys.stderr.write(
                f"lambda-kit report: {where}:{number}: malformed REPORT line ({reason}): "
                f"{line.strip()[:120]}\n"
            )

    return Scan(
        prices,
        arch=args.arch,
        init_billed=not args.no_init_billing,
        group_by=args.group_by or ("hour" if getattr(args, "html", None) else None),
        on_malformed=malformed,
    )


def emit(
    scan: Scan,
    args: argparse.Namespace,
    region: str,
    title: str,
    *,
    interrupted: bool = False,
    extra: dict[str, Any] | None = None,
    problems: list[str] | None = None,
) -> int:
    """Print what ``scan`` counted (JSON or text, and the HTML page when asked); with
    ``problems`` (files that could not be read to their end), name each on stderr after
    the figures and return 2."""
    code = _report(scan, args, region, title, interrupted, extra, problems or [])
    for problem in problems or []:
        sys.stderr.write(f"lambda-kit report: {problem}\n")
    return 2 if problems else code


def _report(
    scan: Scan,
    args: argparse.Namespace,
    region: str,
    title: str,
    interrupted: bool,
    extra: dict[str, Any] | None,
    problems: list[str],
) -> int:
    if scan.malformed > SHOWN_MALFORMED:
        sys.stderr.write(
            f"lambda-kit report: {scan.malformed - SHOWN_MALFORMED} more malformed lines "
            "not shown\n"
        )
    if interrupted:
        sys.stderr.write(
            f"lambda-kit report: interrupted: partial results ({scan.lines:,} lines read)\n"
        )
    if scan.total.invocations == 0 and problems:
        return 2  # the caller names the file that could not be read
    if scan.total.invocations == 0:
        sys.stderr.write(
            f"lambda-kit report: nothing to report: no REPORT lines or invocation records in "
            f"{scan.lines:,} lines ({scan.skipped:,} skipped, {scan.malformed:,} malformed)\n"
        )
        return 130 if interrupted else 1
    result = summary(scan.total)
    result["lines"] = scan.lines
    result["skipped_lines"] = scan.skipped
    result["malformed_lines"] = scan.malformed
    result["architecture_assumed"] = args.arch
    result["region"] = region
    if interrupted or problems:
        result["partial"] = True
    if problems:
        result["unreadable"] = problems
    result.update(extra or {})
    groups = {key: summary(scan.groups[key]) for key in sorted(scan.groups)}
    if args.group_by:
        result["group_by"] = args.group_by
        result["groups"] = groups
    hourly = groups if scan.group_by == "hour" else None
    title = f"{title}, {scan.lines:,} lines: {scan.skipped:,} skipped, {scan.malformed:,} malformed"
    return output(result, args, title, interrupted, scan.total, hourly)


def output(
    result: dict[str, Any],
    args: argparse.Namespace,
    title: str,
    interrupted: bool,
    agg: Aggregate | None = None,
    hourly: dict[str, Any] | None = None,
) -> int:
    """Write the result as JSON or text (plus ``--html``); 130 when it is partial."""
    html = getattr(args, "html", None)
    if html:
        from lambda_kit.report.html import write_page

        try:
            write_page(html, {**result, "hourly": hourly} if hourly else result, agg)
        except OSError as err:
            return _fail(f"cannot write {html}: {err.strerror or err}")
    if args.json:
        json.dump(result, sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print_text(result, title)
        for key, group in result.get("groups", {}).items():
            print_text(group, f"{args.group_by} {key}")
    return 130 if interrupted else 0
