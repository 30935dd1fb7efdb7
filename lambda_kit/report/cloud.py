"""``lambda-kit report --log-group NAME``: the report from CloudWatch Logs instead of files.

    lambda-kit report --log-group /aws/lambda/orders --since 7d          # Logs Insights
    lambda-kit report --log-group /aws/lambda/orders --since 1d --raw    # every event
    lambda-kit report --log-group /aws/lambda/orders --show-query        # what would run

By default two Logs Insights queries aggregate server-side (see
:mod:`lambda_kit.report.insights`) and lambda_kit prices the few rows that come
back. ``--raw`` streams every event (FilterLogEvents) through the same reader as
files, for exact histograms. IAM actions used: logs:StartQuery,
logs:GetQueryResults, logs:StopQuery (Insights), logs:FilterLogEvents (--raw).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

from lambda_kit.billing import gb_s
from lambda_kit.prices import Prices
from lambda_kit.report import insights
from lambda_kit.report.cloudwatch import CloudError, client
from lambda_kit.report.render import summary
from lambda_kit.report.stats import Aggregate

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: hourly rows per query: 10,000 at most, one spare for a range that does not start on the hour
HOURS_PER_QUERY = insights.MAX_ROWS - 1


def time_range(args: argparse.Namespace, now_ms: int | None = None) -> tuple[int, int]:
    """``(start_ms, end_ms)`` from ``--since`` or ``--start``/``--end``; ValueError says why."""
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if args.since and (args.start or args.end):
        raise ValueError("give --since or --start/--end, not both")
    end = _instant(args.end, "--end") if args.end else now
    if args.start:
        start = _instant(args.start, "--start")
    else:
        m = _AGE.match(args.since or "1d")
        if not m:
            raise ValueError(f"--since {args.since!r}: expected a number and s, m, h, d or w (7d)")
        start = end - int(float(m.group(1)) * _UNIT_S[m.group(2)] * 1000)
    if start >= end:
        raise ValueError("the start of the time range is not before its end")
    return start, end


def _instant(text: str, flag: str) -> int:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{flag} {text!r}: not an ISO 8601 time (2026-11-24T10:00Z)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def show_queries(args: argparse.Namespace) -> int:
    """Print the Logs Insights queries ``--log-group`` would run."""
    out = sys.stdout.write
    out("# totals, one row per memory size\n")
    out(insights.totals_query(args.filter, init_billed=not args.no_init_billing) + "\n\n")
    out(f"# hourly, for cost and cold starts over time (<= {HOURS_PER_QUERY:,} hours a query)\n")
    out(insights.hourly_query(args.filter) + "\n")
    return 0


def run_log_group(args: argparse.Namespace, prices: dict[str, Prices], region: str) -> int:
    """Report on ``--log-group`` through Logs Insights, or every event with ``--raw``."""
    from lambda_kit.report.emit import emit, new_scan, output

    if args.show_query:
        return show_queries(args)
    try:
        start, end = time_range(args)
    except ValueError as err:
        sys.stderr.write(f"lambda-kit report: {err}\n")
        return 2
    try:
        logs = client("logs", region)
        if args.raw:
            scan = new_scan(args, prices)
            interrupted = _stream(logs, args, scan, start, end)
            return emit(
                scan,
                args,
                region,
                f"log group {args.log_group} (every event)",
                interrupted=interrupted,
            )
        result, interrupted = _insights(logs, args, prices, start, end)
    except CloudError as err:
        sys.stderr.write(f"lambda-kit report: {err}\n")
        return 2
    if result is None:
        sys.stderr.write(
            f"lambda-kit report: nothing to report: no REPORT lines in {args.log_group} "
            f"between {_iso(start)} and {_iso(end)}\n"
        )
        return 130 if interrupted else 1
    result["region"] = region
    title = (
        f"log group {args.log_group}, {_iso(start)} .. {_iso(end)} "
        f"(Logs Insights, {result['queries']} queries)"
    )
    return output(result, args, title, interrupted)


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(ms / 1000))


def _stream(logs: Any, args: argparse.Namespace, scan: Any, start: int, end: int) -> bool:
    """Feed every event to ``scan``; True when interrupted (what was read is kept)."""
    from lambda_kit.report.logs import filter_events

    number = 1
    try:
        for page in filter_events(logs, args.log_group, start, end, args.filter):
            if not page:
                continue
            text = "\n".join(m.rstrip("\n").replace("\n", " ") for m in page) + "\n"
            scan.chunk(args.log_group, number, text.encode("utf-8", "replace"))
            number += len(page)
    except KeyboardInterrupt:
        return True
    finally:
        scan.finish()
    return False


def _insights(
    logs: Any, args: argparse.Namespace, prices: dict[str, Prices], start: int, end: int
) -> tuple[dict[str, Any] | None, bool]:
    from lambda_kit.report.logs import run_queries, split

    ranges = split(start, end, hours=HOURS_PER_QUERY)
    init_billed = not args.no_init_billing
    interrupted = False
    totals, hours = [], []
    try:
        totals = run_queries(
            logs,
            args.log_group,
            insights.totals_query(args.filter, init_billed=init_billed),
            ranges,
        )
        hours = run_queries(logs, args.log_group, insights.hourly_query(args.filter), ranges)
    except KeyboardInterrupt as stop:
        interrupted = True
        done = list(stop.args[0]) if stop.args else []
        if totals:
            hours = done
        else:
            totals = done
    malformed: list[tuple[int, int, str]] = []
    bad_hours: list[tuple[int, int, str]] = []
    sizes = insights.combine([insights.parse_results(q.answer) for q in totals], malformed)
    by_hour = insights.hourly([insights.parse_results(q.answer) for q in hours], bad_hours)
    _tell_malformed([("totals", *m) for m in malformed] + [("hourly", *m) for m in bad_hours])
    if not sizes:
        return None, interrupted
    result = from_sizes(sizes, prices, args.arch, init_billed)
    result["hours"] = by_hour
    result["malformed_rows"] = len(malformed) + len(bad_hours)
    p = prices[args.arch]
    for row in result["hours"].values():
        # the same price model as the totals: requests + compute at the first tier
        row["cost_usd"] = round(
            row.get("invocations", 0.0) * p.request_usd
            + gb_s(row.get("billed_mb_ms", 0.0), 1) * p.tiers[0][1],
            12,
        )
    result["queries"] = len(totals) + len(hours)
    result["architecture_assumed"] = args.arch
    result["source"] = "logs-insights"
    if interrupted:
        result["partial"] = True
    return result, interrupted


def _tell_malformed(rows: list[tuple[str, int, int, str]]) -> None:
    """Name the first malformed Insights rows on stderr, then count the rest."""
    from lambda_kit.report.emit import SHOWN_MALFORMED

    for kind, query, row, why in rows[:SHOWN_MALFORMED]:
        sys.stderr.write(
            f"lambda-kit report: Logs Insights {kind} query {query}, row {row}: "
            f"malformed row ({why})\n"
        )
    if len(rows) > SHOWN_MALFORMED:
        more = len(rows) - SHOWN_MALFORMED
        sys.stderr.write(f"lambda-kit report: {more} more malformed Logs Insights rows\n")


def from_sizes(
    sizes: dict[int, dict[str, Any]], prices: dict[str, Prices], arch: str, init_billed: bool
) -> dict[str, Any]:
    """The report's summary from Insights' per-memory-size rows (priced here, not there)."""
    agg = Aggregate(prices, init_billed=init_billed)
    for memory, row in sizes.items():
        n = int(row.get("invocations", 0))
        agg.invocations += n
        agg.cold_starts += int(row.get("cold_starts", 0))
        agg.timeouts += int(row.get("timeouts", 0))
        agg.errors += int(row.get("errors", 0))
        agg.out_of_memory += int(row.get("out_of_memory", 0))
        agg.oom_by_size[memory] += int(row.get("out_of_memory", 0))
        agg.billed_mb_ms[arch] += int(row.get("billed_mb_ms", 0))
        agg.own_mb_ms[arch] += int(row.get("own_mb_ms", 0))
        agg.architectures[arch] += n
        agg.memory_sizes[memory] += n
        peak = int(row.get("peak_used_mb", 0))
        agg.peak_by_size[memory] = peak
        agg.peak_memory_mb = max(agg.peak_memory_mb, peak)
        if "first" in row and "last" in row:
            agg.seen_at(row["first"], row["last"])
    result = summary(agg)
    approximate = len(sizes) > 1 or any(row["approximate"] for row in sizes.values())
    weights = {"duration": "invocations", "init": "cold_starts", "used": "invocations"}
    for name, key in (
        ("duration", "duration_ms"),
        ("init", "init_duration_ms"),
        ("used", "max_memory_used_mb"),
    ):
        figures: dict[str, float | None] = {}
        for p in insights.PERCENTILES:
            total = weight = 0.0
            for row in sizes.values():
                value, w = row.get(f"{name}_p{p}"), float(row.get(weights[name], 0))
                if value is not None and w > 0:
                    total, weight = total + value * w, weight + w
            figures[f"p{p}"] = round(total / weight, 2) if weight else None
        top = [row[f"{name}_max"] for row in sizes.values() if f"{name}_max" in row]
        if name == "used":
            top = [row["peak_used_mb"] for row in sizes.values() if "peak_used_mb" in row]
            figures = {"peak": agg.peak_memory_mb, **figures}
        figures["max"] = round(max(top), 2) if top else None
        result[key] = figures
    if approximate:
        result["approximate"] = [
            "duration_ms percentiles",
            "init_duration_ms percentiles",
            "max_memory_used_mb percentiles",
        ]
    return result
