"""Lambda Managed Instances against on-demand Lambda, for one workload (``cost --compare lmi``).

    lambda-kit cost --memory 1024 --duration-ms 120 --invocations 3e8 \
        --compare lmi --instance-type m7g.xlarge [--instance-prices FILE|URL] [--region R]

What AWS documents (all read 2026-12-01):

* Pricing. Compute is the instances' EC2 on-demand price plus a 15 % management fee, for
  every hour they run, and each request costs the on-demand request charge (AWS Lambda
  pricing page, "Lambda Managed Instances": "$0.20 per million requests", "15% premium on
  the EC2 on-demand instance price", as transcribed 2026-09-20 in
  api-evangelist/aws-lambda plans/aws-lambda-plans-pricing.yml). Savings Plans and
  Reserved Instances apply to the instances (AWS Lambda developer guide, "Lambda Managed
  Instances"); this comparison uses on-demand prices only.
* Instance types. "For a list of supported instance types, go to the AWS Lambda Pricing
  page and select your AWS Region" (developer guide, "Lambda Managed Instances"); a
  capacity provider may narrow them with AllowedInstanceTypes / ExcludedInstanceTypes
  (Lambda API reference, "InstanceRequirements"); "over 400 Amazon EC2 instance types
  from general purpose, compute optimized, or memory optimized instance families" (AWS
  Compute Blog, "Build high-performance apps with AWS Lambda Managed Instances").
* Fleet. Publishing a version "launches three [instances] by default for AZ resiliency"
  (developer guide, "Scaling Lambda Managed Instances"): ``--instances`` defaults to 3.
* Guidance. Best suited to "steady-state workloads without unexpected traffic spikes"
  (developer guide, "When to use Lambda Managed Instances").

EC2 prices: ``INSTANCES`` below is us-east-1 Linux on-demand, each row naming its
source; for any other type or region, ``--instance-prices`` reads AWS's own EC2 offer
file (``ec2offer``). Left out of the table for want of a source in reach: the 6g/8g
Graviton families, c7i/r7i and most x86 sizes; and r7g, whose only AWS-published figures
(the LMI calculator sample below: 0.2140, 0.4280, 0.8570 $/h) do not double with the
size as every other family's do, so they are not trusted here.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from lambda_kit.pricing.ec2offer import OfferTable
from lambda_kit.pricing.model import Bill

MANAGEMENT_FEE = 0.15
HOURS_PER_MONTH = 730.0  # AWS's pricing examples' month
DEFAULT_INSTANCES = 3  # "launches three by default for AZ resiliency"
BUNDLED_REGION = "us-east-1"

_FACTUAL = "factualminds.com, 'Amazon EC2 On-Demand Pricing ... (2026)', us-east-1 June 2026"
_C3X = "c3x.dev, 'm5 vs m6i vs m7i: cost and price-performance compared', us-east-1 (2026)"
_SAMPLE = (
    "aws-samples/sample-aws-lambda-managed-instances, LMI pricing calculator "
    "(tools/pricing-calculator/web/src/utils/calculator.js @be01a7c), us-east-1, read 2026-12-01"
)


class Instance(NamedTuple):
    """A bundled row: the type's size and its us-east-1 on-demand Linux price."""

    vcpus: int
    memory_gib: int
    usd_per_hour: float
    source: str


#: instance type -> its us-east-1 price and where the figure was read
INSTANCES: dict[str, Instance] = {
    "c7g.xlarge": Instance(4, 8, 0.145, _SAMPLE),
    "c7g.2xlarge": Instance(8, 16, 0.29, _SAMPLE),
    "c7g.4xlarge": Instance(16, 32, 0.58, _SAMPLE),
    "m7g.large": Instance(2, 8, 0.0816, _FACTUAL),
    "m7g.xlarge": Instance(4, 16, 0.1632, _C3X),  # the calculator sample agrees
    "m7g.2xlarge": Instance(8, 32, 0.3264, _SAMPLE),
    "m7g.4xlarge": Instance(16, 64, 0.6528, _SAMPLE),
    "m7i.xlarge": Instance(4, 16, 0.2016, _C3X),
    "m6i.xlarge": Instance(4, 16, 0.192, _C3X),
    "m5.xlarge": Instance(4, 16, 0.192, _C3X),
}


def _close(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=4, cutoff=0.6)
    family = name.split(".")[0] + "."
    near += [k for k in sorted(known) if k.startswith(family) and k not in near][: 4 - len(near)]
    return ", ".join(near) if near else f"{len(known)} types, e.g. {', '.join(sorted(known)[:4])}"


def instance_price(
    instance_type: str,
    region: str = BUNDLED_REGION,
    usd_per_hour: float | None = None,
    offer: OfferTable | None = None,
) -> tuple[float, str]:
    """The hourly price of ``instance_type`` in ``region`` and its source, from
    ``usd_per_hour``, else the offer file, else the bundled table; ``ValueError`` (naming
    the close matches, or the regions there are) when it has none."""
    if usd_per_hour is not None:
        return usd_per_hour, "--instance-usd-per-hour"
    if offer is not None:
        if region not in offer.prices:
            have = ", ".join(sorted(offer.prices))
            raise ValueError(f"the offer file has no instance prices for {region} (it has: {have})")
        types = offer.prices[region]
        if instance_type not in types:
            raise ValueError(
                f"the offer file has no Linux on-demand price for {instance_type!r} in "
                f"{region} (close: {_close(instance_type, list(types))})"
            )
        return types[instance_type].usd_per_hour, f"{offer.source}, {region}"
    if region != BUNDLED_REGION:
        raise ValueError(
            f"the bundled instance prices are {BUNDLED_REGION} only, not {region}; give "
            "--instance-prices FILE|URL (AWS's EC2 offer file) or --instance-usd-per-hour"
        )
    if instance_type not in INSTANCES:
        raise ValueError(
            f"no bundled price for instance type {instance_type!r} (close: "
            f"{_close(instance_type, list(INSTANCES))}); give --instance-prices FILE|URL "
            "or --instance-usd-per-hour"
        )
    row = INSTANCES[instance_type]
    return row.usd_per_hour, row.source


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
    if instances < DEFAULT_INSTANCES:
        out.append(
            f"  fleet: Lambda launches {DEFAULT_INSTANCES} instances by default, "
            "for AZ resiliency"
        )
    out.append(
        "  guidance: steady, high-volume traffic; spiky or idle functions pay for idle instances"
    )
    return out
