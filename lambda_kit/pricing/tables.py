"""Lambda price tables: one row per region and architecture, each naming its source and date.

    from lambda_kit.pricing.tables import prices_for
    prices_for("us-east-1", "arm64").tiers[0]   # (7.5e9, 1.33334e-05)

Sources (read 2026-11):

* AWS_PAGE: https://aws.amazon.com/lambda/pricing/ (US East, N. Virginia): requests
  $0.20 per million; x86_64 $0.0000166667 / $0.0000150000 / $0.0000133334 per GB-s
  for the first 6 billion / next 9 billion / beyond 15 billion GB-s a month; arm64
  $0.0000133334 / $0.0000120001 / $0.0000106667 with breaks at 7.5 and 18.75 billion;
  ephemeral storage above 512 MB $0.0000000309 per GB-s; provisioned concurrency
  $0.0000041667 per GB-s allocated (arm64 $0.0000033334), billed in 5-minute steps,
  and $0.0000097222 per GB-s of duration on it (arm64 $0.0000077778).
* AWS_TIER_BLOG: "Introducing tiered pricing for AWS Lambda", AWS Compute Blog
  (2022): the tiers are a 10 % and a 20 % discount on the first tier's price, per
  architecture, region and account (or organisation).
* ARTILLERY: artillery 2.0.28, lib/platform/aws-lambda/prices.js (unpkg), which lists
  the first-tier GB-s price of the regions that differ from us-east-1. Only the GB-s
  price comes from it: those rows' request, storage and provisioned prices are
  us-east-1's (marked ``assumed`` in the note), their lower tiers are derived with
  AWS_TIER_BLOG's discounts.
* SAILES: Mark Sailes, "The Other Feature of AWS Lambda Provisioned Concurrency -
  Saving Money" (Medium): eu-west-1 requests $0.20 per million, $0.0000166667 per GB-s.

Private pricing: ``LAMBDA_KIT_PRICE_REQUEST_USD_PER_MILLION`` and
``LAMBDA_KIT_PRICE_GB_S_USD`` (a flat GB-s price for every tier) override a row,
as do the same arguments of :func:`prices_for`.
"""

from __future__ import annotations

import os

from lambda_kit import settings

AWS_PAGE = "https://aws.amazon.com/lambda/pricing/ (read 2026-11)"
ARTILLERY = "artillery@2.0.28 lib/platform/aws-lambda/prices.js (read 2026-11)"
SAILES = "Mark Sailes, 'The Other Feature of AWS Lambda Provisioned Concurrency' (read 2026-11)"

#: ephemeral storage above this is billed
FREE_STORAGE_MB = 512
#: the free tier, per account and month (AWS_PAGE); off unless asked for
FREE_REQUESTS = 1_000_000
FREE_GB_S = 400_000.0
#: provisioned concurrency is billed in steps of this many seconds (AWS_PAGE)
PROVISIONED_STEP_S = 300


class Prices:
    """Prices of one region and architecture, in USD.

    ``tiers`` is ``((upper_gb_s, usd_per_gb_s), ...)``: the month's GB-s up to
    ``upper_gb_s`` cost ``usd_per_gb_s``; the last tier's upper bound is ``inf``.
    A plain class rather than a ``typing.NamedTuple``: the record prices its first
    invocation from this table, so it is on the cold-start path, where typing costs
    ~5 ms and a namedtuple's generated class ~0.1 ms.

    >>> prices_for("us-east-1", "x86_64").request_usd * 1e6
    0.2
    """

    __slots__ = (
        "architecture",
        "note",
        "provisioned_duration_gb_s_usd",
        "provisioned_gb_s_usd",
        "region",
        "request_usd",
        "source",
        "storage_gb_s_usd",
        "tiers",
    )
    _FIELDS = (
        "region",
        "architecture",
        "request_usd",
        "tiers",
        "storage_gb_s_usd",
        "provisioned_gb_s_usd",
        "provisioned_duration_gb_s_usd",
        "source",
        "note",
    )

    def __init__(
        self,
        region: str,
        architecture: str,
        request_usd: float,
        tiers: tuple[tuple[float, float], ...],
        storage_gb_s_usd: float,
        provisioned_gb_s_usd: float,
        provisioned_duration_gb_s_usd: float,
        source: str,
        note: str = "",
    ) -> None:
        self.region = region
        self.architecture = architecture
        self.request_usd = request_usd
        self.tiers = tiers
        self.storage_gb_s_usd = storage_gb_s_usd
        self.provisioned_gb_s_usd = provisioned_gb_s_usd
        self.provisioned_duration_gb_s_usd = provisioned_duration_gb_s_usd
        self.source = source
        self.note = note

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self._FIELDS)

    def _replace(self, **changes: object) -> Prices:
        """A copy with ``changes`` applied (as a namedtuple's ``_replace``)."""
        values = dict(zip(self._FIELDS, self._values(), strict=True))
        values.update(changes)
        return Prices(**values)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Prices) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._FIELDS)
        return f"Prices({fields})"


_INF = float("inf")

_US_EAST_1 = {
    "x86_64": Prices(
        "us-east-1",
        "x86_64",
        0.20 / 1e6,
        ((6e9, 0.0000166667), (15e9, 0.0000150000), (_INF, 0.0000133334)),
        0.0000000309,
        0.0000041667,
        0.0000097222,
        AWS_PAGE,
    ),
    "arm64": Prices(
        "us-east-1",
        "arm64",
        0.20 / 1e6,
        ((7.5e9, 0.0000133334), (18.75e9, 0.0000120001), (_INF, 0.0000106667)),
        0.0000000309,
        0.0000033334,
        0.0000077778,
        AWS_PAGE,
    ),
}

# region -> (x86_64 first-tier GB-s price, arm64 first-tier GB-s price, source, note)
_REGIONS: dict[str, tuple[float, float, str, str]] = {
    "us-east-1": (0.0000166667, 0.0000133334, AWS_PAGE, ""),
    "us-east-2": (
        0.0000166667,
        0.0000133334,
        AWS_PAGE,
        "the page's first-tier example quotes US East (Ohio) at us-east-1's price",
    ),
    "eu-west-1": (0.0000166667, 0.0000133334, SAILES, "arm64 price assumed equal to us-east-1"),
    "af-south-1": (0.0000221000, 0.0000176800, ARTILLERY, "request/storage/provisioned assumed"),
    "ap-east-1": (0.0000229200, 0.0000183000, ARTILLERY, "request/storage/provisioned assumed"),
    "eu-south-1": (0.0000195172, 0.0000156138, ARTILLERY, "request/storage/provisioned assumed"),
    "me-south-1": (0.0000206667, 0.0000165334, ARTILLERY, "request/storage/provisioned assumed"),
    "me-central-1": (0.0000206667, 0.0000165334, ARTILLERY, "request/storage/provisioned assumed"),
}


def region_names() -> list[str]:
    """The regions the table knows, sorted.

    >>> "us-east-1" in region_names()
    True
    """
    return sorted(_REGIONS)


def _regional(region: str, architecture: str) -> Prices:
    base = _US_EAST_1[architecture]
    x86, arm, source, note = _REGIONS[region]
    first = x86 if architecture == "x86_64" else arm
    if region == "us-east-1":
        return base
    # AWS_TIER_BLOG: tier 2 is 10 % off tier 1, tier 3 is 20 % off.
    tiers = tuple(
        (upper, round(first * factor, 10))
        for (upper, _), factor in zip(base.tiers, (1.0, 0.9, 0.8), strict=True)
    )
    return base._replace(region=region, tiers=tiers, source=source, note=note)


def _env_price(name: str) -> float | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number (USD)") from None
    if not value >= 0:
        raise ValueError(f"{name}={raw!r} must be a price of 0 or more (USD)")
    return value


def prices_for(
    region: str = "us-east-1",
    architecture: str = "x86_64",
    *,
    request_usd_per_million: float | None = None,
    gb_s_usd: float | None = None,
) -> Prices:
    """The price row for ``region`` and ``architecture``, with private-pricing overrides.

    Arguments win over the environment (``LAMBDA_KIT_PRICE_REQUEST_USD_PER_MILLION``,
    ``LAMBDA_KIT_PRICE_GB_S_USD``). An unknown region or architecture raises
    ``ValueError`` naming the valid ones.

    >>> prices_for("eu-south-1", "x86_64").tiers[1][1]
    1.75655e-05
    """
    if architecture not in _US_EAST_1:
        raise ValueError(f"unknown architecture {architecture!r}: use x86_64 or arm64")
    if region not in _REGIONS:
        raise ValueError(f"no prices for region {region!r}; known: {', '.join(region_names())}")
    row = _regional(region, architecture)
    per_million = request_usd_per_million
    if per_million is None:
        per_million = _env_price(settings.PRICE_REQUEST_USD_PER_MILLION)
    flat = gb_s_usd if gb_s_usd is not None else _env_price(settings.PRICE_GB_S_USD)
    if per_million is not None:
        row = row._replace(
            request_usd=per_million / 1e6, note=(row.note + " private request price").strip()
        )
    if flat is not None:
        row = row._replace(tiers=((_INF, flat),), note=(row.note + " private GB-s price").strip())
    return row
