"""The Lambda price model: price tables, pure pricing rules and the monthly projection.

    from lambda_kit.pricing import Workload, project_month
    bill = project_month(Workload(memory_mb=1536, duration_ms=120, invocations=3_000_000),
                         free_tier=True)
    round(bill.total_usd, 2)   # 2.73, AWS's own worked example

Every name carries its unit (``_usd``, ``_gb_s``, ``_ms``, ``_mb``). Sources
and dates of every price are in :mod:`lambda_kit.pricing.tables` and in
``docs/cost.md``. ``lambda_kit.billing`` keeps the per-invocation estimate that
``@instrument`` calls; this package is for the command line and is never
imported on the cold-start path.
"""

from __future__ import annotations

from lambda_kit.pricing.model import (
    Bill,
    TierCharge,
    Workload,
    compute_usd_by_tier,
    gb_s,
    init_is_billed,
    project_month,
    provisioned_seconds,
    request_usd,
    storage_usd,
)
from lambda_kit.pricing.tables import Prices, prices_for, region_names

__all__ = [
    "Bill",
    "Prices",
    "TierCharge",
    "Workload",
    "compute_usd_by_tier",
    "gb_s",
    "init_is_billed",
    "prices_for",
    "project_month",
    "provisioned_seconds",
    "region_names",
    "request_usd",
    "storage_usd",
]
