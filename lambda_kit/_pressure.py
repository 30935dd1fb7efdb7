"""Memory pressure, as two optional keys of the invocation record.

    memory_near_limit     true when the peak reached 90% of the memory size: an
                          out-of-memory kill is near
    memory_growth_streak  how many warm invocations in a row raised the peak, once
                          there are 5: a leak, which pays GB-s on every invocation
                          and ends in an OOM kill

The peak is the process's (``ru_maxrss``, the figure of REPORT's Max Memory Used), so
it only rises; a warm environment that holds steady stops raising it after its first
few invocations. The streak is compared in KiB, so a leak of a few hundred KB per
invocation shows too. ``lambda_kit.record.finish`` calls ``note`` once per invocation.
"""

from __future__ import annotations

from lambda_kit import _state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lambda_kit._current import Call

#: ``memory_near_limit`` when the peak reaches this share of the memory size (tenths)
NEAR_LIMIT_TENTHS = 9
#: ``memory_growth_streak`` once this many warm invocations in a row raised the peak
GROWTH_STREAK = 5

# the peak (KiB) after the last invocation, and the warm invocations in a row that raised it
_last_peak_kib = 0
_streak = 0


def _reset() -> None:
    global _last_peak_kib, _streak
    _last_peak_kib = _streak = 0


_state.register(__name__, _reset)


def note(call: Call, peak_kib: int, peak_mb: int) -> None:
    """Add the memory pressure keys that apply to ``call.notes`` (usually none)."""
    global _last_peak_kib, _streak
    streak = _streak = _streak + 1 if peak_kib > _last_peak_kib and call.count > 1 else 0
    _last_peak_kib = peak_kib
    near = peak_mb * 10 >= call.function_memory_size * NEAR_LIMIT_TENTHS
    if near or streak >= GROWTH_STREAK:
        notes = call.notes if call.notes is not None else {}
        if near:
            notes["memory_near_limit"] = True
        if streak >= GROWTH_STREAK:
            notes["memory_growth_streak"] = streak
        call.notes = notes
