"""Rebuild the price table from AWS's public Price List offer file for AWSLambda.

    rows, meta = rebuild(fetch(OFFER_URL, timeout_s=30))
    usertable.save(prices.user_table_path(), rows, meta)

The offer file's format is documented in the AWS Billing and Cost Management user
guide, "Reading the service price list files" (Price List Bulk API): ``products`` maps a
SKU to ``{"sku", "productFamily", "attributes"}``, whose attributes carry
``regionCode``, ``location`` and ``group`` (``AWS-Lambda-Duration``,
``AWS-Lambda-Duration-ARM``, ``AWS-Lambda-Requests``, ``AWS-Lambda-Requests-ARM``,
``AWS-Lambda-Storage-Duration``, ``AWS-Lambda-Provisioned-Concurrency``,
``AWS-Lambda-Duration-Provisioned``, each ``-ARM`` for arm64); ``terms.OnDemand`` maps a
SKU to its offer terms, each with ``priceDimensions`` whose ``beginRange`` /
``endRange`` (``"Inf"``) / ``pricePerUnit.USD`` are strings. URL of the current file:
https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSLambda/current/index.json
(AWS What's New, 2017-04-20, "Use the Enhanced AWS Price List API").

A region with no Duration products is left out (the bundled row stays in use); a
group a region lacks is filled from the bundled table and the row's note says so.
"""

from __future__ import annotations

import json
import math
import time

from lambda_kit.prices import Prices, prices_for, region_names
from lambda_kit.pricing.transfer import TransferError, chunks

OFFER_URL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSLambda/current/index.json"
#: the whole AWSLambda offer file is some tens of MB; more than this is not one
MAX_BYTES = 256 * 1024 * 1024

# field of a Prices row -> the offer file's group (x86_64); arm64 adds "-ARM"
GROUPS = {
    "tiers": "AWS-Lambda-Duration",
    "request_usd": "AWS-Lambda-Requests",
    "storage_gb_s_usd": "AWS-Lambda-Storage-Duration",
    "provisioned_gb_s_usd": "AWS-Lambda-Provisioned-Concurrency",
    "provisioned_duration_gb_s_usd": "AWS-Lambda-Duration-Provisioned",
}


class RefreshError(Exception):
    """The offer file could not be fetched or read; the message says why, in one line."""


def fetch(source: str, *, timeout_s: float = 30.0) -> bytes:
    """The bytes at ``source`` (an http(s) URL or a file path), within ``timeout_s`` in all.

    The bound covers the whole transfer, not each read: a server that sends a byte a
    second still ends it (``lambda_kit.pricing.transfer``).
    """
    try:
        return b"".join(chunks(source, timeout_s=timeout_s, max_bytes=MAX_BYTES))
    except TransferError as exc:
        raise RefreshError(str(exc)) from None


def _dimensions(terms: dict[str, object], sku: str) -> list[tuple[float, float, float]]:
    """``[(begin, end, usd), ...]`` of a SKU's on-demand terms, by ``beginRange``."""
    found = []
    offers = terms.get(sku)
    if not isinstance(offers, dict):
        return []
    for offer in offers.values():
        dims = offer.get("priceDimensions") if isinstance(offer, dict) else None
        if not isinstance(dims, dict):
            continue
        for dim in dims.values():
            try:
                usd = float(dim["pricePerUnit"]["USD"])
                begin = float(dim.get("beginRange", "0"))
                end_raw = dim.get("endRange", "Inf")
                end = math.inf if str(end_raw).lower() == "inf" else float(end_raw)
            except (KeyError, TypeError, ValueError):
                continue
            if usd >= 0 and begin >= 0:
                found.append((begin, end, usd))
    return sorted(found)


def _collect(doc: object) -> dict[tuple[str, str], list[tuple[float, float, float]]]:
    """(regionCode, group) -> the price dimensions of that group's product there."""
    if not isinstance(doc, dict):
        raise RefreshError("the offer file is not a JSON object")
    products = doc.get("products")
    terms = doc.get("terms", {})
    on_demand = terms.get("OnDemand") if isinstance(terms, dict) else None
    if not isinstance(products, dict) or not isinstance(on_demand, dict):
        raise RefreshError("not a Price List offer file: no products or terms.OnDemand")
    wanted = set(GROUPS.values()) | {g + "-ARM" for g in GROUPS.values()}
    found: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for sku, product in products.items():
        attrs = product.get("attributes") if isinstance(product, dict) else None
        if not isinstance(attrs, dict):
            continue
        group, region = attrs.get("group"), attrs.get("regionCode")
        if group not in wanted or not isinstance(region, str) or not region:
            continue
        dims = _dimensions(on_demand, sku)
        if dims and (region, group) not in found:
            found[(region, group)] = dims
    if not any(g == GROUPS["tiers"] for _, g in found):
        raise RefreshError("not a Lambda offer file: no AWS-Lambda-Duration products")
    return found


def _row(
    region: str,
    arch: str,
    found: dict[tuple[str, str], list[tuple[float, float, float]]],
    source: str,
) -> Prices | None:
    suffix = "-ARM" if arch == "arm64" else ""
    duration = found.get((region, GROUPS["tiers"] + suffix))
    if not duration:
        return None
    tiers = tuple((end, usd) for _, end, usd in duration)
    if not math.isinf(tiers[-1][0]):
        tiers = (*tiers, (math.inf, tiers[-1][1]))
    bundled = prices_for(region if region in region_names() else "us-east-1", arch)
    values: dict[str, float] = {}
    missing = []
    for field, group in GROUPS.items():
        if field == "tiers":
            continue
        dims = found.get((region, group + suffix))
        if dims:
            values[field] = dims[0][2]
        else:
            values[field] = getattr(bundled, field)
            missing.append(group + suffix)
    note = f"from the bundled table ({bundled.region}): {', '.join(missing)}" if missing else ""
    return Prices(
        region,
        arch,
        values["request_usd"],
        tiers,
        values["storage_gb_s_usd"],
        values["provisioned_gb_s_usd"],
        values["provisioned_duration_gb_s_usd"],
        source,
        note,
    )


def rebuild(
    raw: bytes, *, source: str = OFFER_URL, today: str | None = None
) -> tuple[dict[str, dict[str, Prices]], dict[str, str]]:
    """The rows an offer file gives, and the table's metadata (source, dates)."""
    try:
        doc = json.loads(raw)
    except ValueError as exc:
        raise RefreshError(f"the offer file is not JSON: {exc}") from None
    found = _collect(doc)
    day = today or time.strftime("%Y-%m-%d", time.gmtime())
    published = str(doc.get("publicationDate", "")) if isinstance(doc, dict) else ""
    cite = f"AWS Price List AWSLambda offer file {published[:10] or 'undated'} (read {day})"
    rows: dict[str, dict[str, Prices]] = {}
    for region in sorted({r for r, _ in found}):
        for arch in ("x86_64", "arm64"):
            row = _row(region, arch, found, cite)
            if row is not None:
                rows.setdefault(region, {})[arch] = row
    meta = {"source": source, "fetched": day, "publication_date": published}
    return rows, meta
