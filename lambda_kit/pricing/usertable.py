"""The user's price table: rows rebuilt from AWS's Price List, kept as JSON in a cache dir.

    lambda-kit prices --refresh        # writes it (lambda_kit.pricing.refresh)
    prices_for("eu-central-2")         # then reads it, once per process

Written by ``lambda-kit prices --refresh``; read by :func:`lambda_kit.prices.prices_for`
when the file exists (see ``tables.user_table_path``). A file that cannot be read or is
not a table is reported once on stderr and ignored: the bundled table is the default.

Format (version 1)::

    {"version": 1, "source": URL, "fetched": "2026-12-01", "publication_date": ...,
     "regions": {"eu-central-1": {"x86_64": {"request_usd": 2e-07,
                 "tiers": [[6e9, 1.66667e-05], [null, 1.33334e-05]], ...}, ...}}}
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from lambda_kit._problems import problem

VERSION = 1
_NUMBERS = (
    "request_usd",
    "storage_gb_s_usd",
    "provisioned_gb_s_usd",
    "provisioned_duration_gb_s_usd",
)


def row_to_json(row: Any) -> dict[str, object]:
    """One row (a ``lambda_kit.prices.Prices``) as the file keeps it (an infinite upper
    bound is ``null``)."""
    return {
        "request_usd": row.request_usd,
        "tiers": [[None if math.isinf(u) else u, p] for u, p in row.tiers],
        "storage_gb_s_usd": row.storage_gb_s_usd,
        "provisioned_gb_s_usd": row.provisioned_gb_s_usd,
        "provisioned_duration_gb_s_usd": row.provisioned_duration_gb_s_usd,
        "source": row.source,
        "note": row.note,
    }


def _row(region: str, arch: str, data: object) -> tuple[Any, ...]:
    if not isinstance(data, dict):
        raise ValueError(f"{region}/{arch} is not an object")
    values = []
    for name in _NUMBERS:
        v = data.get(name)
        if isinstance(v, bool) or not isinstance(v, int | float) or not v >= 0:
            raise ValueError(f"{region}/{arch}: {name} is not a price")
        values.append(float(v))
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        raise ValueError(f"{region}/{arch}: tiers is not a list of [upper, price]")
    tiers = []
    for t in raw_tiers:
        if not (isinstance(t, list) and len(t) == 2):
            raise ValueError(f"{region}/{arch}: a tier is not [upper, price]")
        upper = math.inf if t[0] is None else float(t[0])
        tiers.append((upper, float(t[1])))
    return (
        region,
        arch,
        values[0],
        tuple(tiers),
        values[1],
        values[2],
        values[3],
        str(data.get("source", "")),
        str(data.get("note", "")),
    )


def parse(doc: object) -> dict[str, dict[str, tuple[Any, ...]]]:
    """The rows of a table document, each as the fields of a ``lambda_kit.prices.Prices``
    in its order (this module builds no rows: the table imports it, not the other way);
    ``ValueError`` says what is wrong with the document."""
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise ValueError(f"not a lambda-kit price table (version {VERSION})")
    regions = doc.get("regions")
    if not isinstance(regions, dict):
        raise ValueError("no regions in the price table")
    table: dict[str, dict[str, tuple[Any, ...]]] = {}
    for region, archs in regions.items():
        if not isinstance(archs, dict):
            raise ValueError(f"{region} is not an object")
        table[region] = {arch: _row(region, arch, d) for arch, d in archs.items()}
    return table


def load(path: str) -> dict[str, dict[str, tuple[Any, ...]]]:
    """The user's table at ``path``; a bad one warns once and gives an empty table."""
    try:
        with open(path, "rb") as f:
            return parse(json.loads(f.read()))
    except (OSError, ValueError, TypeError) as exc:
        problem(f"price table {path} is ignored: {exc}")
        return {}


def save(path: str, rows: dict[str, dict[str, Any]], meta: dict[str, str]) -> None:
    """Write ``rows`` to ``path`` atomically (a reader never sees half a file)."""
    doc: dict[str, object] = {"version": VERSION, **meta}
    doc["regions"] = {
        region: {arch: row_to_json(row) for arch, row in sorted(archs.items())}
        for region, archs in sorted(rows.items())
    }
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)
