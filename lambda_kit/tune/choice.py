"""Which size to pick: the cheapest, the fastest and a balanced one, each with its reason.

    from lambda_kit.tune.choice import Candidate, choose
    pick = choose([Candidate(128, 410.0, 1.1e-6), Candidate(1024, 52.0, 1.1e-6)])
    pick.cheapest, pick.fastest, pick.balanced    # 1024, 1024, 1024

Only sizes that ran cleanly are candidates; a size that ran out of memory, timed
out or failed is left out and named in a warning.

* cheapest: the lowest mean cost per warm invocation; on equal cost the faster wins.
* fastest: the lowest median (p50) warm duration. Durations within ``SPEED_TIE``
  (2 %) of the fastest count as equally fast (a local measurement is that noisy),
  and among those the cheapest wins.
* balanced: AWS Lambda Power Tuning's "balanced" strategy: the smallest
  ``w * cost / max cost + (1 - w) * duration / max duration`` over the candidates,
  with ``w`` = ``balanced_weight`` (0 = fastest, 1 = cheapest; Power Tuning's
  default is 0.5). Source: alexcasalboni/aws-lambda-power-tuning,
  ``lambda/analyzer.js`` (``findBalanced``, ``defaultBalancedWeight``).

Remaining ties go to the smaller size (less memory for the same result).
"""

from __future__ import annotations

from typing import NamedTuple

SPEED_TIE = 0.02
DEFAULT_BALANCED_WEIGHT = 0.5


class Candidate(NamedTuple):
    """One size as the choice sees it."""

    memory_mb: int
    duration_ms: float  # warm p50
    cost_usd: float  # mean per warm invocation
    failure: str | None = None  # "oom", "timeout", "init_error", "error"
    failure_message: str = ""


class Choice(NamedTuple):
    """The three picks (None when no size ran cleanly), their reasons, and warnings."""

    cheapest: int | None
    fastest: int | None
    balanced: int | None
    balanced_weight: float
    reasons: dict[str, str]
    warnings: list[str]


_FAILURES = {
    "oom": "ran out of memory",
    "timeout": "timed out",
    "init_error": "failed in INIT",
    "error": "raised an error",
}


def choose(candidates: list[Candidate], balanced_weight: float = DEFAULT_BALANCED_WEIGHT) -> Choice:
    """Pick from ``candidates``; see the module docstring for the rules."""
    if not 0.0 <= balanced_weight <= 1.0:
        raise ValueError(f"balanced weight {balanced_weight} is outside 0..1")
    warnings = [_warning(c) for c in candidates if c.failure is not None]
    ok = [c for c in candidates if c.failure is None]
    if not ok:
        if candidates:
            warnings.append("no size ran cleanly: nothing to recommend")
        else:
            warnings.append("no sizes were measured")
        return Choice(None, None, None, balanced_weight, {}, warnings)
    cheapest = min(ok, key=lambda c: (c.cost_usd, c.duration_ms, c.memory_mb))
    best_ms = min(c.duration_ms for c in ok)
    fast_enough = [c for c in ok if c.duration_ms <= best_ms * (1.0 + SPEED_TIE)]
    fastest = min(fast_enough, key=lambda c: (c.cost_usd, c.duration_ms, c.memory_mb))
    max_cost = max(c.cost_usd for c in ok) or 1.0
    max_ms = max(c.duration_ms for c in ok) or 1.0

    def score(c: Candidate) -> float:
        return balanced_weight * c.cost_usd / max_cost + (1 - balanced_weight) * (
            c.duration_ms / max_ms
        )

    balanced = min(ok, key=lambda c: (round(score(c), 12), c.memory_mb))
    reasons = {
        "cheapest": _cheapest_reason(cheapest, ok),
        "fastest": _fastest_reason(fastest, best_ms, ok),
        "balanced": _balanced_reason(balanced, cheapest, fastest, balanced_weight, ok),
    }
    return Choice(
        cheapest.memory_mb,
        fastest.memory_mb,
        balanced.memory_mb,
        balanced_weight,
        reasons,
        warnings,
    )


def _warning(c: Candidate) -> str:
    what = _FAILURES.get(c.failure or "", c.failure or "failed")
    detail = f" ({c.failure_message})" if c.failure_message else ""
    return f"{c.memory_mb} MB {what}{detail}: left out of the choice"


def _per_million(usd: float) -> str:
    return f"${usd * 1e6:,.4f} per million"


def _cheapest_reason(c: Candidate, ok: list[Candidate]) -> str:
    if len(ok) == 1:
        return f"{c.memory_mb} MB is the only size that ran cleanly ({_per_million(c.cost_usd)})."
    return (
        f"{c.memory_mb} MB costs the least, {_per_million(c.cost_usd)} at a p50 of "
        f"{c.duration_ms:,.1f} ms, of the {len(ok)} sizes that ran cleanly."
    )


def _fastest_reason(c: Candidate, best_ms: float, ok: list[Candidate]) -> str:
    if len(ok) == 1:
        return f"{c.memory_mb} MB is the only size that ran cleanly (p50 {c.duration_ms:,.1f} ms)."
    if c.duration_ms > best_ms:
        return (
            f"{c.memory_mb} MB runs within {SPEED_TIE:.0%} of the fastest p50 ({best_ms:,.1f} ms) "
            f"and is the cheapest of those that do, at {c.duration_ms:,.1f} ms."
        )
    return f"{c.memory_mb} MB has the lowest p50 warm duration, {c.duration_ms:,.1f} ms."


def _balanced_reason(
    c: Candidate, cheapest: Candidate, fastest: Candidate, w: float, ok: list[Candidate]
) -> str:
    formula = f"{w:g} x cost/max + {1 - w:g} x duration/max (Power Tuning's balanced score)"
    if len(ok) == 1:
        return f"{c.memory_mb} MB is the only size that ran cleanly."
    cost_x = c.cost_usd / cheapest.cost_usd if cheapest.cost_usd else 1.0
    speed_x = c.duration_ms / fastest.duration_ms if fastest.duration_ms else 1.0
    return (
        f"{c.memory_mb} MB has the lowest {formula}: {cost_x:.2f}x the cheapest's cost "
        f"at {speed_x:.2f}x the fastest's p50."
    )
