"""Pure pricing rules and the monthly projection of a Lambda workload.

    from lambda_kit.pricing.model import Workload, project_month
    bill = project_month(Workload(memory_mb=1024, duration_ms=2000, invocations=7_440_000))
    round(bill.total_usd, 2)   # 249.49 (AWS pricing page, "Enriching streaming telemetry")

The rules, each a function of its own (sources in ``tables.py`` and ``docs/cost.md``):

* requests: a flat price per request;
* compute: GB-seconds (memory in GB of 1024 MB x billed seconds), priced by the
  month's volume tiers of the architecture; a month's total crosses them in order;
* billing granularity: 1 ms, rounded up, per invocation (since 2020-12-01);
* INIT: billed as duration on a cold start since 2025-08-01 for on-demand ZIP
  functions on managed runtimes, always for container images, custom runtimes and
  provisioned concurrency (AWS Compute Blog, "AWS Lambda standardizes billing for
  INIT phase", 2025);
* ephemeral storage: the configured size above 512 MB, per GB-s of billed duration;
* provisioned concurrency: GB-s allocated (rounded up to 5 minutes) plus a lower
  duration price for the invocations that run on it; the free tier does not cover it;
* free tier: 1 million requests and 400,000 GB-s a month, off unless asked for.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from lambda_kit.billing import billed_ms, gb_s
from lambda_kit.prices import (
    FREE_GB_S,
    FREE_REQUESTS,
    FREE_STORAGE_MB,
    PROVISIONED_STEP_S,
    Prices,
    prices_for,
)


def request_usd(requests: float, prices: Prices, *, free_requests: float = 0) -> float:
    """The request charge of ``requests`` requests, after ``free_requests`` free ones.

    >>> round(request_usd(3_000_000, prices_for(), free_requests=1_000_000), 2)
    0.4
    """
    return max(0.0, requests - free_requests) * prices.request_usd


class TierCharge(NamedTuple):
    """GB-seconds billed at one volume tier, and what they cost."""

    tier: int
    gb_s: float
    usd_per_gb_s: float
    usd: float


def compute_usd_by_tier(
    month_gb_s: float, prices: Prices, *, already_gb_s: float = 0.0
) -> list[TierCharge]:
    """Price ``month_gb_s`` GB-s across the volume tiers, after ``already_gb_s`` this month.

    ``already_gb_s`` is the account's volume before this workload (same region
    and architecture), so a single invocation of a big account lands in a lower tier.

    >>> [round(c.usd, 2) for c in compute_usd_by_tier(10e9, prices_for())]
    [100000.2, 60000.0]
    """
    charges: list[TierCharge] = []
    # Walk the remaining volume through the tiers (not end - start, which loses
    # precision when a small volume sits on a large one).
    remaining = month_gb_s
    position = already_gb_s
    for number, (upper, price) in enumerate(prices.tiers, start=1):
        if remaining <= 0:
            break
        if position >= upper:
            continue
        take = min(remaining, upper - position)
        charges.append(TierCharge(number, take, price, take * price))
        remaining -= take
        position += take
    return charges


def storage_usd(storage_mb: float, billed_ms_total: float, prices: Prices) -> float:
    """Ephemeral storage above the free 512 MB, for ``billed_ms_total`` ms of billed duration.

    >>> round(storage_usd(2048, 6e6 * 280, prices_for()), 2)
    0.08
    """
    extra_mb = max(0.0, storage_mb - FREE_STORAGE_MB)
    return gb_s(extra_mb, billed_ms_total) * prices.storage_gb_s_usd


def provisioned_seconds(hours: float) -> int:
    """Seconds of provisioned concurrency as billed: rounded up to 5-minute steps.

    >>> provisioned_seconds(8), provisioned_seconds(0.01)
    (28800, 300)
    """
    seconds = math.ceil(round(hours * 3600.0, 6))
    return math.ceil(seconds / PROVISIONED_STEP_S) * PROVISIONED_STEP_S


class Workload(NamedTuple):
    """A month of invocations of one function (the inputs of ``lambda-kit cost``).

    ``duration_ms`` is the handler duration of one invocation; ``init_ms`` and
    ``cold_start_rate`` add INIT time to that share of invocations; with
    ``provisioned`` environments for ``provisioned_hours``, ``provisioned_invocations``
    of the invocations (default: all) run on them at the provisioned duration price.
    """

    memory_mb: int
    duration_ms: float
    invocations: float
    architecture: str = "x86_64"
    init_ms: float = 0.0
    cold_start_rate: float = 0.0
    storage_mb: int = FREE_STORAGE_MB
    provisioned: int = 0
    provisioned_hours: float = 0.0
    provisioned_invocations: float | None = None
    provisioned_duration_ms: float | None = None
    init_billed: bool = True


class Bill(NamedTuple):
    """A month's charges, line by line, in USD (unrounded; AWS rounds lines to cents)."""

    requests_usd: float
    compute_tiers: list[TierCharge]
    compute_usd: float
    init_usd: float
    storage_usd: float
    provisioned_usd: float
    provisioned_duration_usd: float
    billed_gb_s: float
    invocations: float
    prices: Prices

    @property
    def total_usd(self) -> float:
        """Everything this month."""
        return (
            self.requests_usd
            + self.compute_usd
            + self.storage_usd
            + self.provisioned_usd
            + self.provisioned_duration_usd
        )

    @property
    def per_invocation_usd(self) -> float:
        """The month's total over its invocations (0 when there are none)."""
        return self.total_usd / self.invocations if self.invocations else 0.0

    @property
    def per_million_usd(self) -> float:
        """The month's total per million invocations."""
        return self.per_invocation_usd * 1e6


def project_month(
    work: Workload,
    prices: Prices | None = None,
    *,
    free_tier: bool = False,
    already_gb_s: float = 0.0,
) -> Bill:
    """Price a month of ``work``: requests, compute by tier, INIT, storage, provisioned.

    INIT time is part of the compute line (it is billed as duration) and is also
    shown on its own as ``init_usd``, priced at the tier the month ends in.

    >>> w = Workload(memory_mb=4096, duration_ms=280, invocations=6e6, storage_mb=2048)
    >>> round(project_month(w, free_tier=True).total_usd, 2)
    106.41
    """
    p = prices or prices_for("us-east-1", work.architecture)
    on_pc = 0.0
    if work.provisioned:
        on_pc = (
            work.invocations
            if work.provisioned_invocations is None
            else work.provisioned_invocations
        )
        on_pc = min(on_pc, work.invocations)
    on_demand = work.invocations - on_pc
    cold = work.cold_start_rate if work.init_billed else 0.0
    warm_ms = billed_ms(work.duration_ms)
    cold_ms = billed_ms(work.duration_ms + work.init_ms)

    def billed_total_ms(invocations: float, warm: int, cold_billed: int) -> float:
        return invocations * ((1.0 - cold) * warm + cold * cold_billed)

    od_ms = billed_total_ms(on_demand, warm_ms, cold_ms)
    od_gb_s = gb_s(work.memory_mb, od_ms)
    free_gb_s = FREE_GB_S if free_tier else 0.0
    tiers = compute_usd_by_tier(max(0.0, od_gb_s - free_gb_s), p, already_gb_s=already_gb_s)
    compute = sum(t.usd for t in tiers)
    init_gb_s = gb_s(work.memory_mb, on_demand * cold * (cold_ms - warm_ms))
    last_price = tiers[-1].usd_per_gb_s if tiers else p.tiers[0][1]
    init_usd = min(compute, init_gb_s * last_price)

    pc_alloc = 0.0
    pc_duration = 0.0
    pc_ms = 0.0
    if work.provisioned:
        alloc_gb_s = work.provisioned * gb_s(
            work.memory_mb, provisioned_seconds(work.provisioned_hours) * 1000.0
        )
        pc_alloc = alloc_gb_s * p.provisioned_gb_s_usd
        pc_warm = billed_ms(work.provisioned_duration_ms or work.duration_ms)
        pc_cold = billed_ms((work.provisioned_duration_ms or work.duration_ms) + work.init_ms)
        pc_ms = billed_total_ms(on_pc, pc_warm, pc_cold)
        pc_duration = gb_s(work.memory_mb, pc_ms) * p.provisioned_duration_gb_s_usd
        init_usd += (
            gb_s(work.memory_mb, on_pc * cold * (pc_cold - pc_warm))
            * p.provisioned_duration_gb_s_usd
        )

    return Bill(
        requests_usd=request_usd(
            work.invocations, p, free_requests=FREE_REQUESTS if free_tier else 0
        ),
        compute_tiers=tiers,
        compute_usd=compute,
        init_usd=init_usd,
        storage_usd=storage_usd(work.storage_mb, od_ms + pc_ms, p),
        provisioned_usd=pc_alloc,
        provisioned_duration_usd=pc_duration,
        billed_gb_s=od_gb_s + gb_s(work.memory_mb, pc_ms),
        invocations=work.invocations,
        prices=p,
    )
