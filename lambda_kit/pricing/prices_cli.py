"""``lambda-kit prices``: the price table in use, and ``--refresh`` from AWS's Price List.

    lambda-kit prices --region eu-central-1
    lambda-kit prices --refresh                      # AWS's current AWSLambda offer file
    lambda-kit prices --refresh --from offer.json    # or a file / URL of that format

The refreshed table is the user's (``LAMBDA_KIT_PRICES_FILE``, else
``$XDG_CACHE_HOME/lambda_kit/prices.json``); ``prices_for`` prefers its rows over the
bundled ones. Exit status 2, with one line on stderr, when anything fails.
"""

from __future__ import annotations

import argparse
import sys

from lambda_kit import prices as price_table
from lambda_kit._term import fail, style


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit prices``."""
    parser.add_argument("--region", metavar="REGION", help="show one region (default: all)")
    parser.add_argument("--arch", choices=("x86_64", "arm64"), help="show one architecture")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="rebuild the user's price table from AWS's Price List offer file",
    )
    parser.add_argument(
        "--from",
        dest="source",
        metavar="FILE|URL",
        help="offer file to read (default: AWS's current AWSLambda offer file)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="with --refresh: bound on fetching the offer file, in seconds (default 60)",
    )


def run(args: argparse.Namespace) -> int:
    """Show (or refresh, then show) the table; returns the exit status."""
    try:
        if args.refresh:
            print(_refresh(args.source, args.timeout), file=sys.stderr)
        lines = table_lines(args.region, args.arch)
    except (ValueError, OSError) as exc:
        return fail("lambda-kit", str(exc))
    paint = style(sys.stdout)
    for line in lines:
        print(paint.heading(line) if line == lines[0] or line == "sources:" else line)
    return 0


def _refresh(source: str | None, timeout_s: float) -> str:
    from lambda_kit.pricing import refresh, usertable

    if not timeout_s > 0:
        raise ValueError(f"--timeout {timeout_s:g} must be more than 0 seconds")
    path = price_table.user_table_path()
    if path is None:
        raise ValueError("LAMBDA_KIT_PRICES_FILE=off: there is no user price table to write")
    url = source or refresh.OFFER_URL
    try:
        rows, meta = refresh.rebuild(refresh.fetch(url, timeout_s=timeout_s), source=url)
    except refresh.RefreshError as exc:
        raise ValueError(f"prices not refreshed: {exc}") from None
    if not rows:
        raise ValueError(f"prices not refreshed: {url} has no Lambda duration prices")
    try:
        usertable.save(path, rows, meta)
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from None
    price_table.forget_user_table()
    return f"lambda-kit: {len(rows)} regions from {url} written to {path}"


def table_lines(region: str | None = None, arch: str | None = None) -> list[str]:
    """The table as text: one line per region and architecture, its source below it."""
    regions = [region] if region else price_table.region_names()
    archs = [arch] if arch else ["x86_64", "arm64"]
    out = [
        f"{'region':<15} {'arch':<7} {'GB-s (tier 1)':>13} {'per 1M req':>10} "
        f"{'storage GB-s':>13} {'PC GB-s':>12} {'PC dur GB-s':>12}  note"
    ]
    sources: dict[str, int] = {}
    for r in regions:
        for a in archs:
            row = price_table.prices_for(r, a)
            n = sources.setdefault(row.source, len(sources) + 1)
            out.append(
                f"{r:<15} {a:<7} {row.tiers[0][1]:>13.10f} {row.request_usd * 1e6:>10.2f} "
                f"{row.storage_gb_s_usd:>13.10f} {row.provisioned_gb_s_usd:>12.10f} "
                f"{row.provisioned_duration_gb_s_usd:>12.10f}  [{n}] {row.note}".rstrip()
            )
    out.append("sources:")
    out.extend(f"  [{n}] {s}" for s, n in sources.items())
    return out
