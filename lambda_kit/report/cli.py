"""``lambda-kit report FILE... | -``: what a function really cost, and how to size it.

    lambda-kit report exported.log
    aws logs filter-log-events --log-group-name /aws/lambda/orders | lambda-kit report - --json

Streams its input line by line (constant memory, any file size, ``.gz`` too); draws
a progress bar on stderr only when stderr is a terminal. Lines that are not REPORT
lines are counted as skipped; malformed REPORT lines are named with their line
number; an input with nothing to report exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

from lambda_kit.prices import prices_for, region_names
from lambda_kit.report.advice import recommend
from lambda_kit.report.parse import Malformed, parse_line
from lambda_kit.report.stats import Aggregate

#: malformed lines named on stderr before only counting them
SHOWN_MALFORMED = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit report``."""
    parser.add_argument(
        "files", nargs="+", metavar="FILE", help="log files (.gz too), or - for stdin"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
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
        "--region", default="us-east-1", help=f"one of: {', '.join(region_names())}"
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


class _Progress:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, enabled: bool, total_bytes: int | None) -> None:
        self.enabled = enabled
        self.total = total_bytes
        self._next = 0.0

    def show(self, done_bytes: int, lines: int, *, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now < self._next:
            return
        self._next = now + 0.2
        if self.total:
            share = min(1.0, done_bytes / self.total)
            bar = "#" * int(share * 30)
            text = f"\r[{bar:<30}] {share:4.0%} {lines:,} lines"
        else:
            text = f"\r{done_bytes / 1e6:,.1f} MB, {lines:,} lines"
        sys.stderr.write(text + ("\n" if final else ""))
        sys.stderr.flush()


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return open(path, "rb")


def _lines(paths: list[str], progress: _Progress) -> Iterator[tuple[str, int, str]]:
    done = 0
    count = 0
    for path in paths:
        stream = _open(path)
        try:
            for number, raw in enumerate(stream, start=1):
                done += len(raw)
                count += 1
                if count & 1023 == 0:
                    progress.show(done, count)
                yield path, number, raw.decode("utf-8", "replace")
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    progress.show(done, count, final=True)


def _key(group_by: str | None, function: str | None, timestamp: str | None) -> str:
    if group_by == "function":
        return function or "unknown"
    if group_by in ("hour", "day"):
        if timestamp is None:
            return "unknown"
        return timestamp[:13] + ":00" if group_by == "hour" else timestamp[:10]
    return "all"


def summary(agg: Aggregate) -> dict[str, Any]:
    """The JSON form of one aggregate (totals, percentiles, memory, recommendation)."""
    n = agg.invocations
    out: dict[str, Any] = {
        "invocations": n,
        "cold_starts": agg.cold_starts,
        "cold_start_rate": round(agg.cold_starts / n, 6) if n else 0.0,
        "timeouts": agg.timeouts,
        "errors": agg.errors,
        "out_of_memory": agg.out_of_memory,
        "billed_gb_s": round(agg.billed_gb_s, 6),
        "cost_usd": round(agg.cost_usd, 12),
        "cost_per_invocation_usd": agg.cost_usd / n if n else 0.0,
        "cost_per_million_usd": round(agg.cost_usd / n * 1e6, 6) if n else 0.0,
        "recomputed_cost_usd": round(agg.recomputed_cost_usd, 12),
        "duration_ms": agg.duration.summary(),
        "init_duration_ms": agg.init.summary(),
        "memory_size_mb": agg.memory_size_mb,
        "max_memory_used_mb": {"peak": agg.peak_memory_mb, **agg.memory_used.summary()},
        "peak_at_memory_size_mb": agg.peak_by_size.get(agg.memory_size_mb, 0),
        "first": agg.first,
        "last": agg.last,
    }
    if agg.restore.count:
        out["restore_duration_ms"] = agg.restore.summary()
    if agg.recorded:
        out["recorded_cost_usd"] = round(agg.recorded_cost_usd, 12)
    if n:
        out["recommendation"] = recommend(agg)
    return out


def _ms(h: dict[str, float | None]) -> str:
    return "  ".join(f"{k} {v:,.2f}" if v is not None else f"{k} -" for k, v in h.items())


def _print_text(s: dict[str, Any], title: str) -> None:
    w = sys.stdout.write
    n = s["invocations"]
    w(f"{title}\n")
    w(
        f"  invocations        {n:,}   cold starts {s['cold_starts']:,} "
        f"({s['cold_start_rate']:.2%})\n"
    )
    w(f"  duration ms        {_ms(s['duration_ms'])}\n")
    if s["cold_starts"]:
        w(f"  init duration ms   {_ms(s['init_duration_ms'])}\n")
    if "restore_duration_ms" in s:
        w(f"  restore ms         {_ms(s['restore_duration_ms'])}\n")
    w(f"  billed GB-s        {s['billed_gb_s']:,.3f}\n")
    w(
        f"  cost (as billed)   ${s['cost_usd']:.6f} total, "
        f"${s['cost_per_million_usd']:,.4f} per million, "
        f"${s['cost_per_invocation_usd']:.10f} per invocation\n"
    )
    w(
        f"  cost (our rules)   ${s['recomputed_cost_usd']:.6f} total "
        "(1 ms rounding, INIT billed on cold starts)\n"
    )
    if "recorded_cost_usd" in s:
        w(f"  cost (recorded)    ${s['recorded_cost_usd']:.6f} total, from lambda_kit's records\n")
    size = s["memory_size_mb"]
    peak = s["peak_at_memory_size_mb"]
    if size:
        others = " (most used of several sizes)" if s["max_memory_used_mb"]["peak"] != peak else ""
        w(
            f"  memory             {size} MB configured{others}, peak {peak} MB used "
            f"({peak / size:.0%}), headroom {1 - peak / size:.0%}\n"
        )
    w(
        f"  timeouts {s['timeouts']:,}   errors {s['errors']:,}   "
        f"out of memory {s['out_of_memory']:,}\n"
    )
    rec = s.get("recommendation")
    if rec:
        w(f"  recommendation     {rec['action']} memory: {rec['recommended_mb']} MB\n")
        for reason in rec["reasons"]:
            w(f"    - {reason}\n")


def run(args: argparse.Namespace) -> int:
    """Read every input, print the report; 1 when there was nothing to report."""
    try:
        prices = {arch: prices_for(args.region, arch) for arch in ("x86_64", "arm64")}
    except ValueError as err:
        sys.stderr.write(f"lambda-kit report: {err}\n")
        return 2
    for path in args.files:
        if path != "-" and not os.path.isfile(path):
            sys.stderr.write(f"lambda-kit report: {path}: no such file\n")
            return 2
    init_billed = not args.no_init_billing
    total = Aggregate(prices, init_billed=init_billed)
    groups: dict[str, Aggregate] = {}
    skipped = malformed = lines = 0
    show = sys.stderr.isatty() if args.progress is None else args.progress
    sizes = None if "-" in args.files else sum(os.path.getsize(p) for p in args.files)
    progress = _Progress(show, sizes)
    for path, number, line in _lines(args.files, progress):
        lines += 1
        try:
            samples = parse_line(line)
        except Malformed as err:
            malformed += 1
            if malformed <= SHOWN_MALFORMED:
                sys.stderr.write(
                    f"lambda-kit report: {path}:{number}: malformed REPORT line ({err}): "
                    f"{line.strip()[:120]}\n"
                )
            continue
        if not samples:
            skipped += 1
            continue
        for s in samples:
            total.add(s, args.arch)
            if args.group_by:
                key = _key(args.group_by, s.function, s.timestamp)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = Aggregate(prices, init_billed=init_billed)
                group.add(s, args.arch)
    if malformed > SHOWN_MALFORMED:
        sys.stderr.write(
            f"lambda-kit report: {malformed - SHOWN_MALFORMED} more malformed lines not shown\n"
        )
    if total.invocations == 0:
        sys.stderr.write(
            f"lambda-kit report: nothing to report: no REPORT lines or invocation records in "
            f"{lines:,} lines ({skipped:,} skipped, {malformed:,} malformed)\n"
        )
        return 1
    result = summary(total)
    result["lines"] = lines
    result["skipped_lines"] = skipped
    result["malformed_lines"] = malformed
    result["architecture_assumed"] = args.arch
    result["region"] = args.region
    if args.group_by:
        result["group_by"] = args.group_by
        result["groups"] = {key: summary(groups[key]) for key in sorted(groups)}
    if args.json:
        json.dump(result, sys.stdout)
        sys.stdout.write("\n")
        return 0
    _print_text(
        result,
        f"{len(args.files)} input(s), {lines:,} lines: {skipped:,} skipped, "
        f"{malformed:,} malformed",
    )
    for key, group in result.get("groups", {}).items():
        _print_text(group, f"{args.group_by} {key}")
    return 0
