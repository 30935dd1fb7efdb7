"""Lambda price tables: one row per region and architecture, each naming its source and date.

    from lambda_kit.prices import prices_for
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
* CALC_S, CALC_MS: AWS's pricing calculator's metered-unit map for Lambda
  (calculator.aws/pricing/2.0/meteredUnitMaps/lambda/USD/current/lambda.json), as two
  versions of it are copied in remotion's packages/lambda/src/pricing/. CALC_S (the
  later copy) has x86_64 and arm64 GB-s, requests, storage and provisioned prices for
  ten regions; CALC_MS (earlier) has x86_64 GB-s, requests and provisioned prices for
  twenty-two.
* ARTILLERY: artillery 2.0.28, lib/platform/aws-lambda/prices.js (unpkg): first-tier
  x86_64 and arm64 GB-s prices of af-south-1, ap-east-1, eu-south-1, me-south-1 and
  me-central-1.
* REGION_LIST: the commercial regions Lambda runs in, as AWS's OpenTelemetry Lambda
  layers are published to them.

What a source does not give is filled in and the row's ``note`` says so: ``storage
assumed`` / ``provisioned assumed`` (us-east-1's), ``arm64 ... derived`` (the x86_64
price x 0.8, the us-east-1 ratio), and for regions with no sourced price at all
(``UNSOURCED``) every price is us-east-1's. Lower tiers apply AWS_TIER_BLOG's
discounts. ``lambda-kit prices --refresh`` replaces all of it with AWS's own Price List
offer file (the user's table, :func:`user_table_path`), which wins over this one.

Private pricing: ``LAMBDA_KIT_PRICE_REQUEST_USD_PER_MILLION`` and
``LAMBDA_KIT_PRICE_GB_S_USD`` (a flat GB-s price for every tier) override a row,
as do the same arguments of :func:`prices_for`.
"""

from __future__ import annotations

import os

from lambda_kit import settings

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

AWS_PAGE = "https://aws.amazon.com/lambda/pricing/ (read 2026-11)"
ARTILLERY = "artillery@2.0.28 lib/platform/aws-lambda/prices.js (read 2026-11)"
CALC_S = (
    "calculator.aws meteredUnitMaps/lambda, as copied in remotion "
    "packages/lambda/src/pricing/price-per-1-s.ts (read 2026-12)"
)
CALC_MS = (
    "calculator.aws meteredUnitMaps/lambda, as copied in remotion "
    "packages/lambda/src/pricing/price-per-1-ms.ts (read 2026-12)"
)
UNSOURCED = "no published figure found for this region (read 2026-12)"
#: where the list of commercial regions comes from
REGION_LIST = "aws-otel.github.io src/config/lambdaLayerArns.js regionDisplayNames (read 2026-12)"

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

# One line per region: x86_64 GB-s, arm64 GB-s, requests per million, storage GB-s,
# provisioned concurrency GB-s, duration on provisioned GB-s, source, and " | note".
# "-": not sourced for this region; the us-east-1 figure (or, for arm64, the x86_64
# figure x the us-east-1 ratio) is used and the note says so. Lower tiers: AWS_TIER_BLOG's
# 10 % and 20 % off. One string, read line by line when a region is asked for: the
# record prices its first invocation from here, and a table of tuples would be a few
# hundred objects more on every cold start (each is work for the garbage collector).
_REGION_LINES = """
us-east-1 0.0000166667 0.0000133334 0.2 0.0000000309 0.0000041667 0.0000097222 AWS_PAGE
us-east-2 0.0000166667 0.0000133334 0.2 0.0000000309 0.0000041667 0.0000097222 CALC_S
us-west-2 0.0000166667 0.0000133334 0.2 0.0000000309 0.0000041667 0.0000097222 CALC_S
ap-south-1 0.0000166667 0.0000133334 0.2 0.0000000352 0.0000044985 0.0000104966 CALC_S
ap-southeast-1 0.0000166667 0.0000133334 0.2 0.000000037 0.0000051991 0.0000121313 CALC_S
ap-southeast-2 0.0000166667 0.0000133334 0.2 0.000000037 0.000005236 0.0000122173 CALC_S
ap-northeast-1 0.0000166667 0.0000133334 0.2 0.000000037 0.0000053835 0.0000125615 CALC_S
eu-central-1 0.0000166667 0.0000133334 0.2 0.0000000367 0.0000050147 0.0000117011 CALC_S
eu-west-1 0.0000166667 0.0000133334 0.2 0.000000034 0.000004646 0.0000108407 CALC_S
eu-west-2 0.0000166667 0.0000133334 0.2 0.0000000358 0.0000048304 0.0000112709 CALC_S
us-west-1 0.0000166667 - 0.2 - 0.0000049041 0.000011443 CALC_MS
ap-northeast-2 0.0000166667 - 0.2 - 0.0000051254 0.0000119592 CALC_MS
ap-northeast-3 0.00002153 - 0.26 - 0.00000538 0.00001256 CALC_MS
ca-central-1 0.0000166667 - 0.2 - 0.000004646 0.0000108407 CALC_MS
eu-west-3 0.0000166667 - 0.2 - 0.0000048673 0.0000113569 CALC_MS
eu-north-1 0.0000166667 - 0.2 - 0.0000044248 0.0000103245 CALC_MS
sa-east-1 0.0000166667 - 0.2 - 0.0000066372 0.0000154867 CALC_MS
af-south-1 0.0000221 0.00001768 0.27 - 0.00000553 0.0000129 CALC_MS
ap-east-1 0.00002292 0.0000183 0.28 - 0.0000057153 0.0000133358 CALC_MS
eu-south-1 0.0000195172 0.0000156138 0.23 - 0.0000048783 0.0000113827 CALC_MS
me-south-1 0.0000206667 0.0000165334 0.25 - 0.0000051108 0.0000119251 CALC_MS
me-central-1 0.0000206667 0.0000165334 0.2 - - - ARTILLERY | requests assumed
ap-south-2 0.0000166667 - 0.2 - - - UNSOURCED
ap-southeast-3 0.0000166667 - 0.2 - - - UNSOURCED
ap-southeast-4 0.0000166667 - 0.2 - - - UNSOURCED
ap-southeast-5 0.0000166667 - 0.2 - - - UNSOURCED
ap-southeast-7 0.0000166667 - 0.2 - - - UNSOURCED
ca-west-1 0.0000166667 - 0.2 - - - UNSOURCED
eu-central-2 0.0000166667 - 0.2 - - - UNSOURCED
eu-south-2 0.0000166667 - 0.2 - - - UNSOURCED
il-central-1 0.0000166667 - 0.2 - - - UNSOURCED
mx-central-1 0.0000166667 - 0.2 - - - UNSOURCED
"""
_SOURCES = {"AWS_PAGE": AWS_PAGE, "ARTILLERY": ARTILLERY, "CALC_S": CALC_S, "CALC_MS": CALC_MS,
            "UNSOURCED": UNSOURCED}  # fmt: skip


def _region_row(region: str) -> tuple[Any, ...] | None:
    """The table's line for ``region``, parsed: (x86, arm, per million, storage, pc, pc
    duration, source, note), None for a figure not sourced; None for a region not there."""
    at = _REGION_LINES.find(f"\n{region} ")
    if at < 0:
        return None
    text = _REGION_LINES[at + 1 : _REGION_LINES.index("\n", at + 1)]
    figures, _, note = text.partition(" | ")
    _, *numbers, source = figures.split()
    values = [None if n == "-" else float(n) for n in numbers]
    return (*values, _SOURCES[source], note)


def _region_names() -> list[str]:
    return [line.split(" ", 1)[0] for line in _REGION_LINES.strip().splitlines()]
#: arm64 / x86_64 in us-east-1, for the regions whose arm64 prices are not published here
_ARM_RATIO = 0.8


def region_names() -> list[str]:
    """The regions the table knows (bundled, and the user's refreshed table), sorted.

    >>> "us-east-1" in region_names()
    True
    """
    return sorted(set(_region_names()) | set(_user_table()))


def _regional(region: str, architecture: str) -> Prices:
    """The bundled row of ``region``: the sourced figures, the rest filled in and said so."""
    base = _US_EAST_1[architecture]
    if region == "us-east-1":
        return base
    found = _region_row(region)
    assert found is not None  # the caller asked _region_row first
    x86, arm, per_million, storage, pc, pc_dur, source, note = found
    if source == UNSOURCED:
        return base._replace(region=region, source=source, note="us-east-1's prices assumed")
    filled: list[str] = [note] if note else []
    arm64 = architecture == "arm64"
    first = x86
    if arm64 and arm is None:
        first = round(x86 * _ARM_RATIO, 10)
        filled.append("arm64 GB-s derived (x86_64 x 0.8)")
    elif arm64 and arm is not None:
        first = arm
    if storage is None:
        storage = base.storage_gb_s_usd
        filled.append("storage assumed")
    if pc is None or pc_dur is None:
        pc_usd, pc_dur_usd = base.provisioned_gb_s_usd, base.provisioned_duration_gb_s_usd
        filled.append("provisioned assumed")
    elif arm64 and region != "us-east-1":
        pc_usd, pc_dur_usd = round(pc * _ARM_RATIO, 10), round(pc_dur * _ARM_RATIO, 10)
        filled.append("arm64 provisioned derived (x86_64 x 0.8)")
    else:
        pc_usd, pc_dur_usd = pc, pc_dur
    # AWS_TIER_BLOG: tier 2 is 10 % off tier 1, tier 3 is 20 % off.
    tiers = tuple(
        (upper, round(first * factor, 10))
        for (upper, _), factor in zip(base.tiers, (1.0, 0.9, 0.8), strict=True)
    )
    return Prices(
        region,
        architecture,
        per_million / 1e6,
        tiers,
        storage,
        pc_usd,
        pc_dur_usd,
        source,
        "; ".join(filled),
    )


# The user's price table (``lambda-kit prices --refresh``): found once per process. On
# Lambda there is none, so the cold path pays one stat() and never imports json.
_user: dict[str, dict[str, Prices]] | None = None


def _user_table() -> dict[str, dict[str, Prices]]:
    global _user
    if _user is None:
        path = user_table_path()
        if path and os.path.isfile(path):
            from lambda_kit.pricing import usertable

            _user = {
                region: {arch: Prices(*fields) for arch, fields in archs.items()}
                for region, archs in usertable.load(path).items()
            }
        else:
            _user = {}
    return _user


def user_table_path() -> str | None:
    """Where ``lambda-kit prices --refresh`` keeps the user's table (None: turned off).

    ``LAMBDA_KIT_PRICES_FILE`` (``off`` turns it off), else
    ``$XDG_CACHE_HOME/lambda_kit/prices.json`` (``~/.cache/...`` without it).
    """
    env = os.environ.get(settings.PRICES_FILE)
    if env is not None and env.strip():
        return None if env.strip().lower() == "off" else env
    cache = os.environ.get("XDG_CACHE_HOME") or ""
    if not cache:
        home = os.environ.get("HOME")
        if not home:
            return None
        cache = os.path.join(home, ".cache")
    return os.path.join(cache, "lambda_kit", "prices.json")


def forget_user_table() -> None:
    """Read the user's table again on the next lookup (after a refresh; tests)."""
    global _user
    _user = None


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
    user = _user_table().get(region)
    if user is not None and architecture in user:
        row = user[architecture]
    elif _region_row(region) is not None:
        row = _regional(region, architecture)
    else:
        raise ValueError(f"no prices for region {region!r}; known: {', '.join(region_names())}")
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
