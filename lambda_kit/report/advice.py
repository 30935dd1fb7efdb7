"""The memory recommendation of ``lambda-kit report``, with its reasoning.

    advice = recommend(aggregate)
    advice["action"], advice["recommended_mb"], advice["reasons"]

The rule, in words: keep at least 25 % headroom above the peak memory used
(``Max Memory Used`` is the environment's peak, and a run that exceeds the size is
killed with ``Runtime.OutOfMemory``); round up to 64 MB; suggest less memory only
when that saves at least 20 % of the GB-s. Less memory also means less CPU
(Lambda gives CPU in proportion to memory, 1,769 MB = one vCPU): a compute-bound
function gets slower by up to the same factor, which can eat the saving. The
advice says so, and points at ``lambda-kit cost --sweep`` to see the trade-off.
"""

from __future__ import annotations

import math
from typing import Any

from lambda_kit.pricing.sweep import MB_PER_VCPU
from lambda_kit.report.stats import Aggregate

#: headroom to keep above the peak memory used
HEADROOM = 0.25
#: suggest a smaller size only when it saves at least this share of GB-s
MIN_SAVING = 0.20
#: at or above this share of the size, memory is tight
TIGHT = 0.90


def _round_up_64(mb: float) -> int:
    return max(128, min(10240, int(math.ceil(mb / 64.0) * 64)))


def recommend(agg: Aggregate) -> dict[str, Any]:
    """``{"action": keep|reduce|increase, "current_mb", "recommended_mb", "reasons": [...]}``."""
    size = agg.memory_size_mb
    peak = agg.peak_by_size.get(size, 0)
    oom = agg.oom_by_size.get(size, 0)
    reasons: list[str] = []
    if len(agg.memory_sizes) > 1:
        sizes = ", ".join(f"{mb} MB" for mb in sorted(agg.memory_sizes))
        reasons.append(
            f"the input ran with several memory sizes ({sizes}); advice is for the most used, "
            f"{size} MB (--group-by function separates functions)"
        )
    target = _round_up_64(peak / (1.0 - HEADROOM))
    used = peak / size if size else 0.0
    advice: dict[str, Any] = {
        "current_mb": size,
        "peak_used_mb": peak,
        "headroom_pct": round((1 - used) * 100, 1),
    }
    if oom or used >= TIGHT:
        recommended = _round_up_64(max(target, size * 1.5 if oom else target))
        if recommended <= size:
            recommended = _round_up_64(size + 64)
        why = (
            f"{oom} invocation(s) ran out of memory"
            if oom
            else f"peak memory used is {used:.0%} of {size} MB"
        )
        reasons.append(f"{why}: raise memory to {recommended} MB to keep {HEADROOM:.0%} headroom")
        advice.update(action="increase", recommended_mb=recommended)
    elif target <= size * (1.0 - MIN_SAVING):
        saving = 1.0 - target / size
        reasons.append(
            f"peak memory used is {peak} MB of {size} MB ({used:.0%}); {target} MB keeps "
            f"{HEADROOM:.0%} headroom above the peak and cuts GB-s by {saving:.0%} "
            "at the same duration"
        )
        slower = min(size, MB_PER_VCPU) / min(target, MB_PER_VCPU)
        reasons.append(
            f"CPU scales with memory ({MB_PER_VCPU:,} MB = 1 vCPU): {target} MB gets "
            f"{target / MB_PER_VCPU:.2f} vCPU instead of {size / MB_PER_VCPU:.2f}. "
            "A compute-bound, "
            f"single-threaded handler would run up to {slower:.1f}x longer"
            + (", which cancels the saving" if slower >= 1.0 / (1.0 - saving) - 1e-9 else "")
            + "; one that mostly waits on I/O keeps the saving. See "
            "`lambda-kit cost --sweep --cpu-bound-fraction F`."
        )
        advice.update(
            action="reduce", recommended_mb=target, estimated_saving_pct=round(saving * 100, 1)
        )
    else:
        if used > 1.0 - HEADROOM:
            reasons.append(
                f"peak memory used is {peak} MB of {size} MB ({used:.0%}): it fits, with less than "
                f"{HEADROOM:.0%} headroom; {target} MB would restore it"
            )
        else:
            reasons.append(
                f"peak memory used is {peak} MB of {size} MB ({used:.0%}): the size fits"
            )
        advice.update(action="keep", recommended_mb=size)
    if agg.architectures.get("x86_64") and not agg.architectures.get("arm64"):
        reasons.append(
            "on arm64 the GB-s price is 20% lower (us-east-1), if the code and its "
            "native dependencies run there"
        )
    advice["reasons"] = reasons
    return advice
