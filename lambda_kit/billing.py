"""Lambda's billing rules, written once: what is billed, how it is rounded, what it costs.

    from lambda_kit import billing
    billing.billed_duration_ms(2.07, init_ms=118.4)     # 121: on-demand INIT is billed
    billing.invocation_cost_usd(512, 100)               # 1.033335e-06 (us-east-1, x86_64)

Every part of lambda_kit that turns a duration into a bill calls this module:
the invocation record (``@instrument``), ``lambda-kit invoke``'s REPORT lines,
``lambda-kit report``'s aggregate and ``lambda-kit cost``'s monthly model. When
AWS changes a rule (as it did for INIT in 2025), it changes here.

The rules (sources: https://aws.amazon.com/lambda/pricing/, read 2026-11; AWS
Compute Blog, "AWS Lambda standardizes billing for INIT phase", 2025):

* duration is billed in 1 ms steps, rounded up, at least 1 ms (since 2020-12-01);
* compute is GB-seconds: memory in GB of 1024 MB times billed seconds;
* INIT is billed as duration on an on-demand cold start since 2025-08-01 (before,
  only for container images and custom runtimes). Provisioned concurrency pays for
  its environments by the allocation charge instead, and a SnapStart restore is
  billed as "Billed Restore Duration" beside the invocation's duration;
* every request costs the region's request price; ephemeral storage above the free
  512 MB costs a price per GB-s of billed duration;
* on Lambda Managed Instances an invocation costs only its request: compute is the
  instances' price (``managed_instances_cost_usd``).

Prices come from the one price table, :mod:`lambda_kit.prices`. This module
is on the cold-start path (the record prices its first invocation), so it imports
nothing but that table, and the table imports nothing heavy.
"""

from __future__ import annotations

from lambda_kit import prices as price_table

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from lambda_kit.prices import Prices

#: INIT of on-demand ZIP functions on managed runtimes is billed from this day (ISO date)
INIT_BILLED_FROM = "2025-08-01"
#: the region whose prices the record uses when the function's region is not known
DEFAULT_REGION = "us-east-1"
FREE_STORAGE_MB = price_table.FREE_STORAGE_MB


def billed_ms(duration_ms: float) -> int:
    """Duration as billed: whole milliseconds, rounded up, at least 1 ms.

    >>> billed_ms(2.07), billed_ms(3.0), billed_ms(0.2)
    (3, 3, 1)
    """
    whole = int(duration_ms)
    if whole != duration_ms:
        whole += 1
    return whole if whole > 1 else 1


def init_is_billed(
    on: str = "9999-12-31",
    *,
    package_type: str = "zip",
    custom_runtime: bool = False,
    provisioned: bool = False,
) -> bool:
    """Whether INIT time is billed as duration for a function like this on date ``on``.

    >>> init_is_billed("2025-07-31"), init_is_billed("2025-08-01")
    (False, True)
    >>> init_is_billed("2024-01-01", package_type="image")
    True
    """
    if provisioned or custom_runtime or package_type == "image":
        return True
    return on >= INIT_BILLED_FROM


def billable_ms(
    duration_ms: float,
    init_ms: float | None = None,
    init_type: str = "on-demand",
    *,
    init_billed: bool = True,
) -> float:
    """The unrounded milliseconds one invocation is billed for: its duration, plus its
    INIT when this was an on-demand cold start (``init_ms`` given) and INIT is billed.

    >>> billable_ms(2.07, 118.4), billable_ms(2.07, 118.4, "provisioned-concurrency")
    (120.47, 2.07)
    """
    if init_ms is not None and init_billed and init_type == "on-demand":
        return duration_ms + init_ms
    return duration_ms


def billed_duration_ms(
    duration_ms: float,
    init_ms: float | None = None,
    init_type: str = "on-demand",
    *,
    init_billed: bool = True,
    billed_restore_ms: int | None = None,
) -> int:
    """REPORT's ``Billed Duration`` for one invocation (see ``billable_ms``); a SnapStart
    restore's ``Billed Restore Duration`` is added as Lambda reports it.

    >>> billed_duration_ms(2.07, init_ms=118.4)
    121
    """
    billed = billed_ms(billable_ms(duration_ms, init_ms, init_type, init_billed=init_billed))
    return billed + billed_restore_ms if billed_restore_ms else billed


def gb_s(memory_mb: float, duration_ms: float) -> float:
    """GB-seconds of ``memory_mb`` held for ``duration_ms`` (Lambda's GB is 1024 MB).

    >>> gb_s(1536, 120)
    0.18
    """
    return memory_mb / 1024.0 * duration_ms / 1000.0


def prices(region: str | None = None, architecture: str = "x86_64") -> Prices:
    """The price row of ``region`` (default us-east-1) and ``architecture``.

    An unknown region or architecture raises ``ValueError`` naming the known ones.
    """
    return price_table.prices_for(region or DEFAULT_REGION, architecture)


_fallback_rows: dict[tuple[str, str], Prices] = {}


def function_prices(region: str | None, architecture: str = "x86_64") -> tuple[Prices, bool]:
    """The price row for a function in ``region`` (``AWS_REGION``), and whether it fell back.

    A region the table does not know (or none: off Lambda) is priced at us-east-1's
    prices; for an unknown region that is said once on stderr, and the second value is
    True so that the record can say which region's prices it used.

    >>> function_prices("eu-central-1")[1], function_prices("mars-east-1")[1]
    (False, True)
    """
    if architecture not in ("x86_64", "arm64"):
        architecture = "x86_64"
    if not region:
        return price_table.prices_for(DEFAULT_REGION, architecture), False
    try:
        return price_table.prices_for(region, architecture), False
    except ValueError:
        pass
    key = (region, architecture)
    row = _fallback_rows.get(key)
    if row is None:
        from lambda_kit._problems import problem

        problem(
            f"no prices for region {region!r}; pricing at {DEFAULT_REGION}'s",
            key=f"billing.region:{region}",
        )
        row = _fallback_rows[key] = price_table.prices_for(DEFAULT_REGION, architecture)
    return row, True


def managed_instances_cost_usd(row: Prices) -> float:
    """What one invocation on Lambda Managed Instances costs on its own: the request charge.

    Compute there is the EC2 instance's price plus a management fee, paid per instance
    hour whatever the invocations do (AWS Lambda pricing page, "Lambda Managed
    Instances"; AWS Lambda developer guide, "Lambda Managed Instances"): it belongs to
    the capacity provider, not to an invocation. ``lambda-kit cost --compare lmi``
    prices the instances.

    >>> managed_instances_cost_usd(prices("us-east-1"))
    2e-07
    """
    return row.request_usd


def invocation_cost_usd(
    memory_mb: float,
    billed_duration_ms: float,
    architecture: str = "x86_64",
    *,
    region: str | None = None,
    storage_mb: float = FREE_STORAGE_MB,
    month_gb_s: float = 0.0,
    row: Prices | None = None,
) -> float:
    """Request charge + compute + storage above 512 MB for one invocation, in USD.

    Compute is priced at the first volume tier unless ``month_gb_s`` says how many
    GB-s the account (same region and architecture) has already used this month.
    ``row`` is a price row already looked up (``prices``), else ``region`` and
    ``architecture`` pick one.

    >>> round(invocation_cost_usd(512, 100), 12)
    1.033335e-06
    """
    p = row if row is not None else prices(region, architecture)
    seconds_gb = gb_s(memory_mb, billed_duration_ms)
    cost = p.request_usd + seconds_gb * tier_price(p, month_gb_s)
    if storage_mb > FREE_STORAGE_MB:
        cost += gb_s(storage_mb - FREE_STORAGE_MB, billed_duration_ms) * p.storage_gb_s_usd
    return cost


def tier_price(row: Prices, month_gb_s: float = 0.0) -> float:
    """The GB-s price of ``row`` for an account that used ``month_gb_s`` this month."""
    for upper, price in row.tiers:
        if month_gb_s < upper:
            return price
    return row.tiers[-1][1]
