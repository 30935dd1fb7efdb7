"""Logs Insights: the query text ``lambda-kit report --log-group`` runs, and reading its rows.

    print(totals_query())                   # what --show-query prints
    rows = parse_results(get_query_results_answer)
    combine([rows_a, rows_b])               # several time ranges into one total

The aggregate is computed server-side. Lambda's REPORT lines get the discovered
fields ``@type``, ``@duration``, ``@billedDuration``, ``@maxMemoryUsed`` and
``@memorySize`` (CloudWatch Logs User Guide, "Supported logs and discovered
fields"); the sizes are read with ``parse`` from the line itself, in MB as the
line prints them, so no unit conversion is guessed. ``pct()`` gives percentiles,
``strcontains()`` counts (it is 1 or 0), ``bin(1h)`` makes the hourly rows
(Logs Insights query syntax: stats, pct, strcontains, bin). One totals row comes
back per memory size, one hourly row per hour: at most 10,000 rows come back
from a query, so the hourly query never spans more than 10,000 hours.

Every number of a row passes the range check of ``lambda_kit.report.values``, the
one the REPORT parser uses, before it reaches a figure: a row with NaN, Infinity, a
negative or an absurd value is malformed, named by its query and row number, and left
out whole. Insights returns each value as a string and does not document how it
writes numbers, so a decimal with an exponent (``1.2E8``) is read too.
"""

from __future__ import annotations

import re
from typing import Any

from lambda_kit.report import values
from lambda_kit.report.values import Malformed

#: GetQueryResults returns at most this many rows (StartQuery ``limit``, max 10,000)
MAX_ROWS = 10_000
PERCENTILES = (50, 90, 99)

_PARSE = (
    "| parse @message /Memory Size: (?<memory_mb>\\d+) MB/\n"
    "| parse @message /Max Memory Used: (?<used_mb>\\d+) MB/\n"
    "| parse @message /Init Duration: (?<init_ms>[0-9.]+) ms/\n"
)


def _filter(text: str | None) -> str:
    if not text:
        return ""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'| filter @message like "{quoted}"\n'


def _own_billed(init_billed: bool) -> str:
    # our own billing rule: whole ms rounded up, INIT added on cold starts where it is billed
    inner = "@duration + coalesce(init_ms, 0)" if init_billed else "@duration"
    return f"sum(ceil({inner}) * memory_mb) as own_mb_ms"


def totals_query(filter_text: str | None = None, *, init_billed: bool = True) -> str:
    """One row per memory size: counts, billed MB-ms, percentiles, peak memory, time span."""
    pcts = ",\n  ".join(
        f"pct({field}, {p}) as {name}_p{p}"
        for field, name in (("@duration", "duration"), ("init_ms", "init"), ("used_mb", "used"))
        for p in PERCENTILES
    )
    return (
        'filter @type = "REPORT"\n'
        + _filter(filter_text)
        + _PARSE
        + "| stats count(*) as invocations,\n"
        "  count(init_ms) as cold_starts,\n"
        '  sum(strcontains(@message, "Status: timeout")) as timeouts,\n'
        '  sum(strcontains(@message, "Status: error")) as errors,\n'
        '  sum(strcontains(@message, "OutOfMemory")) as out_of_memory,\n'
        "  sum(@billedDuration * memory_mb) as billed_mb_ms,\n"
        f"  {_own_billed(init_billed)},\n"
        "  max(used_mb) as peak_used_mb,\n"
        "  max(@duration) as duration_max, max(init_ms) as init_max,\n"
        f"  {pcts},\n"
        "  min(@timestamp) as first, max(@timestamp) as last\n"
        "  by memory_mb"
    )


def hourly_query(filter_text: str | None = None) -> str:
    """One row per hour: invocations, cold starts, billed MB-ms (for cost over time)."""
    return (
        'filter @type = "REPORT"\n'
        + _filter(filter_text)
        + _PARSE
        + "| stats count(*) as invocations, count(init_ms) as cold_starts,\n"
        "  sum(@billedDuration * memory_mb) as billed_mb_ms, max(used_mb) as peak_used_mb\n"
        "  by bin(1h)"
    )


def parse_results(answer: dict[str, Any]) -> list[dict[str, str]]:
    """GetQueryResults' ``results`` (lists of ``{"field", "value"}``) as plain dicts.

    ``@ptr`` (a pointer to the log event) is dropped; every value stays a string, as
    Logs Insights returns it.
    """
    rows: list[dict[str, str]] = []
    for raw in answer.get("results") or []:
        row = {
            str(cell["field"]): str(cell.get("value", ""))
            for cell in raw
            if isinstance(cell, dict) and "field" in cell and cell["field"] != "@ptr"
        }
        rows.append(row)
    return rows


#: how each numeric field of the two queries' rows is checked (values.py: one home)
_COUNTS = ("invocations", "cold_starts", "timeouts", "errors", "out_of_memory")
_CHECKS: dict[str, Any] = {
    "memory_mb": values.memory_size_mb,
    **dict.fromkeys(_COUNTS, values.count),
    "billed_mb_ms": values.mb_ms,
    "own_mb_ms": values.mb_ms,
    "peak_used_mb": values.memory_used_mb,
    "duration_max": values.duration_ms,
    "init_max": values.duration_ms,
    **{f"{name}_p{p}": values.duration_ms for name in ("duration", "init") for p in PERCENTILES},
    **{f"used_p{p}": values.memory_mb for p in PERCENTILES},
}
_STAMPS = ("first", "last", "bin(1h)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}")


def read_row(row: dict[str, str]) -> dict[str, Any]:
    """A row with its numbers checked and read (floats; absent or empty: left out) and
    its timestamps checked; raises :class:`Malformed` naming the first bad field.

    >>> read_row({"memory_mb": "1024", "invocations": "NaN"})
    Traceback (most recent call last):
    lambda_kit.report.values.Malformed: invocations is not a whole number: 'NaN'
    """
    checked: dict[str, Any] = {}
    for key, text in row.items():
        if text == "":
            continue  # Insights leaves a null result empty (no cold start: no init_ms)
        check = _CHECKS.get(key)
        if check is not None:
            checked[key] = float(check(_numeric(text), key))
        elif key in _STAMPS:
            if _STAMP.match(text) is None:
                raise Malformed(f"{key} is not a timestamp: {text[:40]!r}")
            checked[key] = text
    return checked


def _numeric(text: str) -> float | str:
    # a fraction or an exponent is read here (a count may come back as "1000.0");
    # anything else goes to values' checks as text, whose messages quote it
    if not text.isdigit() and _NUMBER.fullmatch(text) is not None:
        number = float(text)
        if number != float("inf"):
            return number
    return text


def read_rows(
    parts: list[list[dict[str, str]]], malformed: list[tuple[int, int, str]] | None = None
) -> list[dict[str, Any]]:
    """Every row of every query, checked (:func:`read_row`); a malformed row is left out
    and, with ``malformed``, told there as ``(query number, row number, why)`` (from 1)."""
    good: list[dict[str, Any]] = []
    for q, rows in enumerate(parts, 1):
        for r, row in enumerate(rows, 1):
            try:
                good.append(read_row(row))
            except Malformed as err:
                if malformed is not None:
                    malformed.append((q, r, str(err)))
    return good


def _stamp(value: str | None) -> str | None:
    # Insights prints timestamps as "2024-06-17 17:23:55.826"; the report uses YYYY-MM-DDTHH:MM
    if not value or len(value) < 16:
        return None
    return value[:10] + "T" + value[11:16]


def combine(
    parts: list[list[dict[str, str]]], malformed: list[tuple[int, int, str]] | None = None
) -> dict[int, dict[str, Any]]:
    """Totals rows of one or more time ranges -> per memory size: sums, maxima, percentiles.

    Counts, sums and maxima add up exactly over ranges. Percentiles do not: with more
    than one range they are the invocation-weighted mean of each range's percentile,
    and ``approximate`` says so. Malformed rows are left out (see :func:`read_rows`).
    """
    sizes: dict[int, dict[str, Any]] = {}
    for row in read_rows(parts, malformed):
        memory = row.get("memory_mb")
        if memory is None:
            continue  # a REPORT line without a Memory Size: nothing to price
        size = sizes.setdefault(int(memory), {"ranges": 0, "weights": {}})
        size["ranges"] += 1
        n = row.get("invocations", 0.0)
        cold = row.get("cold_starts", 0.0)
        for key in (*_COUNTS, "billed_mb_ms", "own_mb_ms"):
            size[key] = size.get(key, 0) + int(row.get(key, 0))
        for key in ("peak_used_mb", "duration_max", "init_max"):
            value = row.get(key)
            if value is not None:
                size[key] = max(size.get(key, value), value)
        for name, weight in (("duration", n), ("init", cold), ("used", n)):
            for p in PERCENTILES:
                value = row.get(f"{name}_p{p}")
                if value is not None and weight > 0:
                    acc = size["weights"].setdefault(f"{name}_p{p}", [0.0, 0.0])
                    acc[0] += value * weight
                    acc[1] += weight
        for key, pick in (("first", min), ("last", max)):
            stamp = _stamp(row.get(key))
            if stamp is not None:
                size[key] = pick(size.get(key, stamp), stamp)
    for size in sizes.values():
        for key, (total, weight) in size.pop("weights").items():
            size[key] = total / weight
        size["approximate"] = size["ranges"] > 1
    return sizes


def hourly(
    parts: list[list[dict[str, str]]], malformed: list[tuple[int, int, str]] | None = None
) -> dict[str, dict[str, float]]:
    """Hourly rows of all ranges, keyed ``YYYY-MM-DDTHH:00`` (an hour cut in two by a range
    boundary adds up). Malformed rows are left out (see :func:`read_rows`)."""
    hours: dict[str, dict[str, float]] = {}
    for row in read_rows(parts, malformed):
        stamp = _stamp(row.get("bin(1h)"))
        if stamp is None:
            continue
        key = stamp[:13] + ":00"
        hour = hours.setdefault(key, {})
        for field in ("invocations", "cold_starts", "billed_mb_ms"):
            hour[field] = hour.get(field, 0.0) + row.get(field, 0.0)
        peak = row.get("peak_used_mb")
        if peak is not None:
            hour["peak_used_mb"] = max(hour.get("peak_used_mb", 0.0), peak)
    return dict(sorted(hours.items()))
