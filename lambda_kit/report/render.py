"""The report's two faces: one JSON object, or a page of text.

data = summary(aggregate)          # JSON-ready dict
print_text(data, "2 input(s), ...")
"""

from __future__ import annotations

import sys
from typing import Any

from lambda_kit.report.advice import recommend
from lambda_kit.report.stats import Aggregate


def summary(agg: Aggregate) -> dict[str, Any]:
    """The JSON form of one aggregate (totals, percentiles, memory, recommendation)."""
    n = agg.invocations
    out: dict[str, Any] = {
        "invocations": n,
        "cold_starts": agg.cold_starts,
        "cold_start_rate": round(agg.cold_starts / n, 6) if n else 0.0,
        "timeouts": agg.timeouts,
        "errors": agg.errors,
        "out_of_memory": agg.out_of_memory,
        "billed_gb_s": round(agg.billed_gb_s, 6),
        "cost_usd": round(agg.cost_usd, 12),
        "cost_per_invocation_usd": agg.cost_usd / n if n else 0.0,
        "cost_per_million_usd": round(agg.cost_usd / n * 1e6, 6) if n else 0.0,
        "recomputed_cost_usd": round(agg.recomputed_cost_usd, 12),
        "duration_ms": agg.duration.summary(),
        "init_duration_ms": agg.init.summary(),
        "memory_size_mb": agg.memory_size_mb,
        "max_memory_used_mb": {"peak": agg.peak_memory_mb, **agg.memory_used.summary()},
        "peak_at_memory_size_mb": agg.peak_by_size.get(agg.memory_size_mb, 0),
        "first": agg.first,
        "last": agg.last,
    }
    if agg.restore.count:
        out["restore_duration_ms"] = agg.restore.summary()
    if agg.recorded:
        out["recorded_cost_usd"] = round(agg.recorded_cost_usd, 12)
    if n:
        out["recommendation"] = recommend(agg)
    return out


def _ms(h: dict[str, float | None]) -> str:
    return "  ".join(f"{k} {v:,.2f}" if v is not None else f"{k} -" for k, v in h.items())


def print_text(s: dict[str, Any], title: str) -> None:
    """The summary :func:`summary` made, as the text ``lambda-kit report`` prints."""
    w = sys.stdout.write
    n = s["invocations"]
    w(f"{title}\n")
    if s.get("unreadable"):
        w("  partial            a file stopped early (see stderr): figures up to there\n")
    elif s.get("partial"):
        w("  partial            interrupted: the figures cover what was read before\n")
    if s.get("approximate"):
        w(
            f"  approximate        {', '.join(s['approximate'])} (merged from several "
            "queries or memory sizes)\n"
        )
    w(
        f"  invocations        {n:,}   cold starts {s['cold_starts']:,} "
        f"({s['cold_start_rate']:.2%})\n"
    )
    w(f"  duration ms        {_ms(s['duration_ms'])}\n")
    if s["cold_starts"]:
        w(f"  init duration ms   {_ms(s['init_duration_ms'])}\n")
    if "restore_duration_ms" in s:
        w(f"  restore ms         {_ms(s['restore_duration_ms'])}\n")
    w(f"  billed GB-s        {s['billed_gb_s']:,.3f}\n")
    w(
        f"  cost (as billed)   ${s['cost_usd']:.6f} total, "
        f"${s['cost_per_million_usd']:,.4f} per million, "
        f"${s['cost_per_invocation_usd']:.10f} per invocation\n"
    )
    w(
        f"  cost (our rules)   ${s['recomputed_cost_usd']:.6f} total "
        "(1 ms rounding, INIT billed on cold starts)\n"
    )
    if "recorded_cost_usd" in s:
        w(f"  cost (recorded)    ${s['recorded_cost_usd']:.6f} total, from lambda_kit's records\n")
    size = s["memory_size_mb"]
    peak = s["peak_at_memory_size_mb"]
    if size:
        others = " (most used of several sizes)" if s["max_memory_used_mb"]["peak"] != peak else ""
        w(
            f"  memory             {size} MB configured{others}, peak {peak} MB used "
            f"({peak / size:.0%}), headroom {1 - peak / size:.0%}\n"
        )
    w(
        f"  timeouts {s['timeouts']:,}   errors {s['errors']:,}   "
        f"out of memory {s['out_of_memory']:,}\n"
    )
    rec = s.get("recommendation")
    if rec:
        w(f"  recommendation     {rec['action']} memory: {rec['recommended_mb']} MB\n")
        for reason in rec["reasons"]:
            w(f"    - {reason}\n")
