"""EC2 on-demand instance prices from AWS's Price List offer file for AmazonEC2.

    table = load("https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/"
                 "current/us-east-1/index.json", timeout_s=300)
    table.prices["us-east-1"]["m7g.xlarge"].usd_per_hour

The format is AWS's (AWS Billing and Cost Management user guide, "Reading the service
price list files"; the same JSON as the AWSLambda file ``refresh`` reads): ``products``
maps a SKU to ``{"sku", "productFamily", "attributes"}``; an instance's attributes carry
``instanceType``, ``vcpu``, ``memory``, ``operatingSystem``, ``tenancy``,
``preInstalledSw``, ``capacitystatus``, ``location`` and ``regionCode``; ``terms.OnDemand``
maps the SKU to its offer terms, whose ``priceDimensions`` give ``unit`` ``"Hrs"`` and
``pricePerUnit.USD`` (a string). One region's file is at
``.../offers/v1.0/aws/AmazonEC2/current/REGION/index.json`` (listed in the service's
``region_index.json``); the whole-world file is many gigabytes, so it is read as a
stream (``jsonstream``): memory holds one product and one chunk, never the file.

The price kept is the one ``--compare lmi`` needs: Linux, shared tenancy, no
pre-installed software, capacity ``Used`` (an ordinary running instance), on-demand.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

from lambda_kit.pricing import jsonstream
from lambda_kit.pricing.transfer import TransferError, chunks

#: the AmazonEC2 us-east-1 regional file is some GB; the whole-world one more
MAX_BYTES = 16 << 30
#: SKUs kept (the instances LMI could use, and their prices): the whole-world file's
#: Linux shared-tenancy instances are tens of thousands; more is not an offer file
MAX_KEPT = 2_000_000
#: a product's attributes that make it the price an LMI instance pays
WANTED = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
}


class OfferError(Exception):
    """The offer file could not be read or holds no instance prices; one line, why."""


class InstancePrice(NamedTuple):
    """One instance type's on-demand Linux price in one region."""

    instance_type: str
    region: str
    usd_per_hour: float
    vcpus: str
    memory: str


class OfferTable(NamedTuple):
    """What an offer file gave: region -> instance type -> price, and where it came from."""

    prices: dict[str, dict[str, InstancePrice]]
    source: str  # for the comparison's "instance price:" line


def load(source: str, *, timeout_s: float) -> OfferTable:
    """The instance prices in the offer file at ``source`` (a path or an http(s) URL),
    read within ``timeout_s`` in all (transfer and parsing) and ``MAX_BYTES``."""
    try:
        return read(chunks(source, timeout_s=timeout_s, max_bytes=MAX_BYTES), source)
    except TransferError as exc:
        raise OfferError(str(exc)) from None


def _descend(path: tuple[str, ...]) -> bool:
    # products, terms and each kind of term are opened; a product or a SKU's terms
    # are small and come whole
    return path in (("products",), ("terms",)) or (len(path) == 2 and path[0] == "terms")


def read(data: Iterable[bytes], source: str = "the offer file") -> OfferTable:
    """The instance prices in an offer file given as byte chunks; ``OfferError`` if none."""
    products: dict[str, tuple[str, str, str, str]] = {}  # sku -> region, type, vcpu, memory
    hourly: dict[str, float] = {}
    seen: set[tuple[str, ...]] = set()  # the objects opened so far
    meta: dict[str, str] = {}
    try:
        walk = jsonstream.members(jsonstream.texts(data), _descend, opened=seen)
        for path, key, value in walk:
            if path == ("products",):
                found = _product(value)
                if found is not None:
                    products[key] = found
            # a file with its terms first would need every SKU's price kept
            elif path == ("terms", "OnDemand") and (key in products or ("products",) not in seen):
                usd = _hourly(value)
                if usd is not None:
                    hourly[key] = usd
            if len(products) > MAX_KEPT or len(hourly) > MAX_KEPT:
                raise OfferError(f"the offer file has more than {MAX_KEPT:,} instance prices")
            elif not path and isinstance(value, str):
                meta[key] = value
            elif not path and key in ("products", "terms"):
                raise OfferError(f"not a Price List offer file: {key} is not an object")
    except jsonstream.StreamError as exc:
        raise OfferError(f"the offer file is not valid JSON: {exc}") from None
    return _table(products, hourly, seen, meta, source)


def _table(
    products: dict[str, tuple[str, str, str, str]],
    hourly: dict[str, float],
    seen: set[tuple[str, ...]],
    meta: dict[str, str],
    source: str,
) -> OfferTable:
    offer = meta.get("offerCode")
    if offer is not None and offer != "AmazonEC2":
        raise OfferError(f"an offer file for {offer}, not AmazonEC2")
    if ("products",) not in seen or ("terms", "OnDemand") not in seen:
        raise OfferError("not a Price List offer file: no products or terms.OnDemand")
    prices: dict[str, dict[str, InstancePrice]] = {}
    for sku, (region, itype, vcpu, memory) in products.items():
        usd = hourly.get(sku)
        if usd is not None:
            prices.setdefault(region, {}).setdefault(
                itype, InstancePrice(itype, region, usd, vcpu, memory)
            )
    if not prices:
        raise OfferError(
            "no Linux, shared-tenancy, on-demand instance prices in the offer file"
        )
    published = meta.get("publicationDate", "")[:10] or "undated"
    return OfferTable(prices, f"AWS Price List AmazonEC2 offer file {published} ({source})")


def _product(value: object) -> tuple[str, str, str, str] | None:
    """(region, instance type, vcpu, memory) of an instance product LMI could price."""
    if not isinstance(value, dict):
        return None
    family = value.get("productFamily")
    attrs = value.get("attributes")
    if not isinstance(family, str) or not family.startswith("Compute Instance"):
        return None
    if not isinstance(attrs, dict) or any(attrs.get(k) != v for k, v in WANTED.items()):
        return None
    itype = attrs.get("instanceType")
    region = attrs.get("regionCode") or attrs.get("location")
    if not isinstance(itype, str) or not itype or not isinstance(region, str) or not region:
        return None
    return region, itype, str(attrs.get("vcpu", "?")), str(attrs.get("memory", "?"))


def _hourly(offers: object) -> float | None:
    """The USD per hour of a SKU's on-demand terms (the first ``Hrs`` dimension)."""
    if not isinstance(offers, dict):
        return None
    for offer in offers.values():
        dims = offer.get("priceDimensions") if isinstance(offer, dict) else None
        if not isinstance(dims, dict):
            continue
        for dim in dims.values():
            if not isinstance(dim, dict) or dim.get("unit") != "Hrs":
                continue
            per_unit = dim.get("pricePerUnit")
            try:
                usd = float(per_unit["USD"])  # type: ignore[index]
            except (KeyError, TypeError, ValueError):
                continue
            if math.isfinite(usd) and usd >= 0:
                return usd
    return None
