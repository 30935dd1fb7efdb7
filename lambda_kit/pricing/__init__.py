"""The Lambda price model: price tables, pure pricing rules and the monthly projection.

    from lambda_kit.pricing import Workload, project_month
    bill = project_month(Workload(memory_mb=1536, duration_ms=120, invocations=3_000_000),
                         free_tier=True)
    round(bill.total_usd, 2)   # 2.73, AWS's own worked example

Every name carries its unit (``_usd``, ``_gb_s``, ``_ms``, ``_mb``). Sources
and dates of every price are in :mod:`lambda_kit.prices` and in
``docs/cost.md``. ``lambda_kit.billing`` holds the billing rules every part uses; of this package
only the price table is on the cold-start path (the record prices its invocation).
"""

from __future__ import annotations

# ``lambda_kit.billing`` imports the price table on the cold-start path; importing
# the package must not load the model (and typing) with it: names load on first use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lambda_kit.billing import gb_s as gb_s
    from lambda_kit.billing import init_is_billed as init_is_billed
    from lambda_kit.prices import Prices as Prices
    from lambda_kit.prices import prices_for as prices_for
    from lambda_kit.prices import region_names as region_names
    from lambda_kit.pricing.model import Bill as Bill
    from lambda_kit.pricing.model import TierCharge as TierCharge
    from lambda_kit.pricing.model import Workload as Workload
    from lambda_kit.pricing.model import compute_usd_by_tier as compute_usd_by_tier
    from lambda_kit.pricing.model import project_month as project_month
    from lambda_kit.pricing.model import provisioned_seconds as provisioned_seconds
    from lambda_kit.pricing.model import request_usd as request_usd
    from lambda_kit.pricing.model import storage_usd as storage_usd

_NAMES = {
    "Bill": "lambda_kit.pricing.model",
    "TierCharge": "lambda_kit.pricing.model",
    "Workload": "lambda_kit.pricing.model",
    "compute_usd_by_tier": "lambda_kit.pricing.model",
    "gb_s": "lambda_kit.billing",
    "init_is_billed": "lambda_kit.billing",
    "project_month": "lambda_kit.pricing.model",
    "provisioned_seconds": "lambda_kit.pricing.model",
    "request_usd": "lambda_kit.pricing.model",
    "storage_usd": "lambda_kit.pricing.model",
    "Prices": "lambda_kit.prices",
    "prices_for": "lambda_kit.prices",
    "region_names": "lambda_kit.prices",
}
__all__ = [*_NAMES]


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'lambda_kit.pricing' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
