"""The options of ``lambda-kit cost`` (``lambda_kit.pricing.cli`` runs them).

Every number is range-checked by ``_ranged``, which names the valid range in its error.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from lambda_kit.prices import region_names


def _ranged(
    name: str, low: float, high: float, unit: str, *, integer: bool = False
) -> Callable[[str], Any]:
    """An argparse type that refuses values outside [low, high], naming the range."""

    def parse(text: str) -> float | int:
        try:
            value = float(text.replace("_", "").replace(",", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not (low <= value <= high):
            shown = f"{low:,.0f}" if low == int(low) else str(low)
            top = f"{high:,.0f}" if high == int(high) else str(high)
            raise argparse.ArgumentTypeError(
                f"{name} must be between {shown} and {top}{unit} (got {text})"
            )
        if integer:
            if value != int(value):
                raise argparse.ArgumentTypeError(f"{name} must be a whole number (got {text})")
            return int(value)
        return value

    return parse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit cost``: the workload first, then the model's, then
    the Managed Instances comparison."""
    _workload_options(parser)
    _model_options(parser)
    _billing_options(parser)
    _lmi_options(parser)


def _workload_options(parser: argparse.ArgumentParser) -> None:
    req = parser.add_argument_group("workload")
    req.add_argument(
        "--memory",
        required=True,
        type=_ranged("--memory", 128, 10240, " MB", integer=True),
        metavar="MB",
        help="configured memory, 128-10240 MB",
    )
    req.add_argument(
        "--duration-ms",
        required=True,
        type=_ranged("--duration-ms", 0, 900_000, " ms"),
        metavar="MS",
        help="handler duration of one invocation (ms, at most 900,000)",
    )
    req.add_argument(
        "--invocations",
        required=True,
        type=_ranged("--invocations", 0, 1e15, ""),
        metavar="N",
        help="invocations a month (3e6 is fine)",
    )


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--arch",
        choices=("x86_64", "arm64"),
        default="x86_64",
        help="the function's architecture; arm64 is priced about 20%% lower (default x86_64)",
    )
    parser.add_argument(
        "--region",
        default="us-east-1",
        metavar="REGION",
        help="the function's region, for Lambda's prices and the --compare lmi instances' "
        f"(default us-east-1), one of: {', '.join(region_names())}",
    )
    parser.add_argument(
        "--init-ms",
        type=_ranged("--init-ms", 0, 900_000, " ms"),
        default=0.0,
        metavar="MS",
        help="INIT duration of a cold start (ms)",
    )
    parser.add_argument(
        "--cold-start-rate",
        type=_ranged("--cold-start-rate", 0, 1, ""),
        default=0.0,
        metavar="RATE",
        help="share of invocations that are cold starts, 0-1",
    )
    parser.add_argument(
        "--storage-mb",
        type=_ranged("--storage-mb", 512, 10240, " MB", integer=True),
        default=512,
        metavar="MB",
        help="ephemeral storage, 512-10240 MB",
    )
    parser.add_argument(
        "--provisioned",
        type=_ranged("--provisioned", 0, 1e6, "", integer=True),
        default=0,
        metavar="N",
        help="provisioned concurrency (environments)",
    )
    parser.add_argument(
        "--hours",
        type=_ranged("--hours", 0, 744, " hours"),
        default=0.0,
        metavar="HOURS",
        help="hours a month provisioned concurrency is on (at most 744)",
    )


def _billing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--free-tier",
        action="store_true",
        help="subtract the free tier (1M requests, 400,000 GB-s a month, per account)",
    )
    parser.add_argument(
        "--month-gb-s",
        type=_ranged("--month-gb-s", 0, 1e15, " GB-s"),
        default=0.0,
        metavar="GB_S",
        help="GB-s the account already uses this month (tiers start there)",
    )
    parser.add_argument(
        "--date",
        default="9999-12-31",
        metavar="YYYY-MM-DD",
        help="price as of this date (INIT is billed for ZIP functions from 2025-08-01)",
    )
    parser.add_argument(
        "--package-type",
        choices=("zip", "image"),
        default="zip",
        help="how the code is deployed; decides whether INIT is billed before 2025-08 "
        "(default zip)",
    )
    parser.add_argument(
        "--custom-runtime", action="store_true", help="an OS-only (provided.*) runtime"
    )
    parser.add_argument(
        "--no-init-billing",
        action="store_true",
        help="INIT is not billed (an account or date where it does not apply)",
    )
    parser.add_argument(
        "--price-gb-s-usd",
        type=_ranged("--price-gb-s-usd", 0, 1, " USD"),
        default=None,
        metavar="USD",
        help="private GB-s price (all tiers)",
    )
    parser.add_argument(
        "--request-usd-per-million",
        type=_ranged("--request-usd-per-million", 0, 100, " USD"),
        default=None,
        metavar="USD",
        help="private request price",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="price the workload at every memory size"
    )
    parser.add_argument(
        "--cpu-bound-fraction",
        type=_ranged("--cpu-bound-fraction", 0, 1, ""),
        default=None,
        metavar="FRACTION",
        help="share of the duration that scales with CPU (with --sweep; default 1)",
    )
    parser.add_argument(
        "--max-vcpus",
        type=_ranged("--max-vcpus", 1, 6, ""),
        default=None,
        metavar="N",
        help="vCPUs the code can use (with --sweep; default 1, for single-threaded code)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")


def _lmi_options(parser: argparse.ArgumentParser) -> None:
    lmi = parser.add_argument_group("Lambda Managed Instances")
    lmi.add_argument("--compare", choices=("lmi",), help="compare with Managed Instances")
    lmi.add_argument(
        "--instance-type",
        default="m7g.xlarge",
        metavar="TYPE",
        help="the EC2 instance type to compare with (with --compare lmi; default m7g.xlarge)",
    )
    lmi.add_argument(
        "--instances",
        type=_ranged("--instances", 1, 1e5, "", integer=True),
        default=3,
        metavar="N",
        help="how many instances the workload needs (with --compare lmi; default 3, "
        "what Lambda launches by default)",
    )
    lmi.add_argument(
        "--instance-usd-per-hour",
        type=_ranged("--instance-usd-per-hour", 0, 1000, " USD"),
        default=None,
        metavar="USD",
        help="the instance's on-demand price (default: lambda_kit.pricing.lmi's table)",
    )
    lmi.add_argument(
        "--instance-prices",
        default=None,
        metavar="FILE|URL",
        help="AWS's EC2 Price List offer file (JSON) to price the instance type in --region",
    )
    lmi.add_argument(
        "--timeout",
        type=_ranged("--timeout", 0.1, 86400, " s"),
        default=300.0,
        metavar="SECONDS",
        help="bound on reading --instance-prices, transfer and parsing (default 300)",
    )
