"""What an invocation costs: the Lambda price table and the per-invocation estimate.

Prices are AWS Lambda's published on-demand prices for us-east-1, tier 1
(the first 6 billion GB-seconds a month on x86_64, 7.5 billion on arm64):
https://aws.amazon.com/lambda/pricing/ (read 2026-11). The request charge is
$0.20 per million requests. Duration is billed in 1 ms steps, rounded up
(since 2020-12-01), and since 2025-08-01 the INIT phase of on-demand functions
is billed as duration too (AWS Compute Blog, "AWS Lambda standardizes billing
for INIT phase", 2025).
"""

from __future__ import annotations

REQUEST_USD = 0.20 / 1_000_000

#: USD per GB-second of duration, us-east-1, first volume tier
GB_S_USD = {"x86_64": 0.0000166667, "arm64": 0.0000133334}

#: the month's volume tiers, us-east-1: (GB-s a month up to, USD per GB-s). The full
#: table (regions, provisioned concurrency, sources) is lambda_kit.pricing.tables.
TIERS_GB_S_USD = {
    "x86_64": ((6e9, 0.0000166667), (15e9, 0.0000150000), (float("inf"), 0.0000133334)),
    "arm64": ((7.5e9, 0.0000133334), (18.75e9, 0.0000120001), (float("inf"), 0.0000106667)),
}

#: ephemeral storage above the free 512 MB, USD per GB-second
STORAGE_GB_S_USD = 0.0000000309
FREE_STORAGE_MB = 512


def billed_ms(duration_ms: float) -> int:
    """Duration as billed: whole milliseconds, rounded up (at least 1 ms).

    >>> billed_ms(2.07)
    3
    """
    whole = int(duration_ms)
    return max(1, whole if whole == duration_ms else whole + 1)


def gb_s(memory_mb: int, duration_ms: float) -> float:
    """GB-seconds of ``memory_mb`` held for ``duration_ms`` (Lambda's GB is 1024 MB)."""
    return memory_mb / 1024.0 * duration_ms / 1000.0


def invocation_cost_usd(
    memory_mb: int,
    billed_duration_ms: int,
    architecture: str = "x86_64",
    *,
    storage_mb: int = FREE_STORAGE_MB,
    month_gb_s: float = 0.0,
) -> float:
    """Request charge + compute + storage above 512 MB for one invocation, in USD.

    Compute is priced at the first volume tier unless ``month_gb_s`` says how many
    GB-s the account (same region and architecture) has already used this month.

    >>> round(invocation_cost_usd(512, 100), 12)
    1.033335e-06
    """
    seconds_gb = gb_s(memory_mb, billed_duration_ms)
    if month_gb_s <= 0.0:
        price = GB_S_USD.get(architecture, GB_S_USD["x86_64"])
    else:
        price = _tier_price(architecture, month_gb_s)
    cost = REQUEST_USD + seconds_gb * price
    if storage_mb > FREE_STORAGE_MB:
        cost += gb_s(storage_mb - FREE_STORAGE_MB, billed_duration_ms) * STORAGE_GB_S_USD
    return cost


def _tier_price(architecture: str, month_gb_s: float) -> float:
    for upper, price in TIERS_GB_S_USD.get(architecture, TIERS_GB_S_USD["x86_64"]):
        if month_gb_s < upper:
            return price
    return price  # unreachable: the last tier has no upper bound
