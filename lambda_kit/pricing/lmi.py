"""Lambda Managed Instances against on-demand Lambda, for one workload (``cost --compare lmi``).

    lambda-kit cost --memory 1024 --duration-ms 120 --invocations 3e8 \
        --compare lmi --instance-type m7g.xlarge --instances 3

On Managed Instances a function runs on EC2 instances of a capacity provider: compute
is billed as the instances' EC2 on-demand price plus a 15 % management fee, for every
hour they run, and each request costs the same request charge as on-demand Lambda
(AWS Lambda pricing page, "Lambda Managed Instances", as transcribed on 2026-09-20 in
api-evangelist/aws-lambda plans/aws-lambda-plans-pricing.yml: "$0.20 per million
requests", "15% premium on the EC2 on-demand instance price"). AWS's guidance: best
suited to steady, high-volume workloads without sudden spikes (AWS Lambda developer
guide, "Lambda Managed Instances", When to use); Savings Plans and Reserved Instances
apply to the instances, which this comparison leaves out (on-demand prices only).

EC2 prices are us-east-1 Linux on-demand, per hour, from published articles (no AWS
price page was in reach): INSTANCE_SOURCES names each. For another type or region,
``--instance-usd-per-hour`` gives the price.
"""

from __future__ import annotations

from lambda_kit.pricing.model import Bill

MANAGEMENT_FEE = 0.15
HOURS_PER_MONTH = 730.0  # AWS's pricing examples' month

_FACTUAL = "factualminds.com, 'Amazon EC2 On-Demand Pricing ... (2026)', us-east-1 June 2026"
_C3X = "c3x.dev, 'm5 vs m6i vs m7i: cost and price-performance compared', us-east-1 (2026)"
#: instance type -> (vCPUs, memory GiB, USD per hour in us-east-1, source)
INSTANCES: dict[str, tuple[int, int, float, str]] = {
    "m7g.large": (2, 8, 0.0816, _FACTUAL),
    "m7g.xlarge": (4, 16, 0.1632, _C3X),
    "m7i.xlarge": (4, 16, 0.2016, _C3X),
    "m6i.xlarge": (4, 16, 0.192, _C3X),
    "m5.xlarge": (4, 16, 0.192, _C3X),
}


def instance_price(instance_type: str, usd_per_hour: float | None = None) -> tuple[float, str]:
    """The hourly price of ``instance_type`` and its source; ``ValueError`` if unknown."""
    if usd_per_hour is not None:
        return usd_per_hour, "--instance-usd-per-hour"
    if instance_type not in INSTANCES:
        known = ", ".join(sorted(INSTANCES))
        raise ValueError(
            f"no price for instance type {instance_type!r} (known: {known}); "
            "give --instance-usd-per-hour"
        )
    _, _, usd, source = INSTANCES[instance_type]
    return usd, source


def lmi_month_usd(
    usd_per_hour: float, instances: int, invocations: float, request_usd: float
) -> float:
    """A month on Managed Instances: the instances with the fee, and the requests."""
    return (
        usd_per_hour * (1 + MANAGEMENT_FEE) * HOURS_PER_MONTH * instances
        + invocations * request_usd
    )


def compare_lines(
    bill: Bill, instance_type: str, instances: int, usd_per_hour: float, source: str
) -> list[str]:
    """The comparison as text: both months, and where the lines cross."""
    p = bill.prices
    fixed = usd_per_hour * (1 + MANAGEMENT_FEE) * HOURS_PER_MONTH * instances
    lmi = fixed + bill.invocations * p.request_usd
    # what on-demand charges per invocation beyond the request (which both pay)
    per_inv = (bill.total_usd - bill.requests_usd) / bill.invocations if bill.invocations else 0.0
    out = [
        f"on-demand Lambda                  ${bill.total_usd:>14,.2f} a month",
        f"Managed Instances                 ${lmi:>14,.2f} a month   "
        f"{instances} x {instance_type} at ${usd_per_hour:.4f}/h + {MANAGEMENT_FEE:.0%} fee "
        f"x {HOURS_PER_MONTH:g} h, + requests",
    ]
    if per_inv > 0:
        even = fixed / per_inv
        cheaper = "Managed Instances are" if lmi < bill.total_usd else "on-demand is"
        out.append(
            f"{cheaper} cheaper for this workload; the two cost the same at "
            f"{even:,.0f} invocations a month (if {instances} instance(s) carry them)"
        )
    out.append(f"  instance price: {source} (on-demand; Savings Plans would lower it)")
    out.append(
        "  guidance: steady, high-volume traffic; spiky or idle functions pay for idle instances"
    )
    return out
