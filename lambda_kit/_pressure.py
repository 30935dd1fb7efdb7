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

#: [the highest peak seen (KiB), the invocation count that last raised it, the streak]:
#: ``record.finish`` reads the first item inline and calls ``note`` only when the peak
#: rose or is near the limit, so a warm invocation that holds steady costs a comparison
state = [0, 0, 0]


def _reset() -> None:
    state[:] = [0, 0, 0]


_state.register(__name__, _reset)


def note(call: Call, peak_kib: int, peak_mb: int) -> None:
    """Add the memory pressure keys that apply to ``call.notes``."""
    if peak_kib > state[0]:
        count = call.count
        # a rise right after the previous one continues the streak (the cold start's own
        # rise is no growth); any invocation in between that did not raise it ends it
        state[2] = state[2] + 1 if count > 1 and state[1] == count - 1 and state[2] else (
            1 if count > 1 else 0
        )
        state[0], state[1] = peak_kib, count
    streak = state[2] if state[1] == call.count else 0
    near = peak_mb * 10 >= call.function_memory_size * NEAR_LIMIT_TENTHS
    if near or streak >= GROWTH_STREAK:
        notes = call.notes if call.notes is not None else {}
        if near:
            notes["memory_near_limit"] = True
        if streak >= GROWTH_STREAK:
            notes["memory_growth_streak"] = streak
        call.notes = notes
