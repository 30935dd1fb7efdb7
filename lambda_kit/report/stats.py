"""Aggregating invocations in constant memory: counts, sums and a log histogram.

    from lambda_kit.report.stats import LogHistogram
    h = LogHistogram()
    for ms in (1.0, 2.0, 3.0, 100.0):
        h.add(ms)
    h.quantile(0.5)   # within 1 % of 2.0

Percentiles over a multi-GB log cannot keep every value. ``LogHistogram`` keeps
counts in buckets whose bounds grow geometrically by ``gamma = (1 + a) / (1 - a)``
and answers with the bucket's midpoint ``2 gamma^i / (gamma + 1)``: every answer is
within a relative error ``a`` (1 % by default) of a value of the right rank (the
DDSketch construction: Masson, Rim and Lee, VLDB 2019). Durations from 1 us to
15 minutes need about 1,100 buckets, whatever the number of invocations.
"""

from __future__ import annotations

import math
from collections import Counter

from lambda_kit.billing import billed_duration_ms, gb_s, tier_price
from lambda_kit.prices import Prices
from lambda_kit.report.parse import Sample


class LogHistogram:
    """Quantiles within relative error ``relative_accuracy``, in memory bounded by the value range.

    Values at or below ``min_value`` are counted in a bucket of their own and
    reported as 0.
    """

    __slots__ = (
        "_counts",
        "_gamma",
        "_ln_gamma",
        "count",
        "max",
        "min",
        "min_value",
        "relative_accuracy",
        "zeros",
    )

    def __init__(self, relative_accuracy: float = 0.01, min_value: float = 1e-3) -> None:
        if not 0 < relative_accuracy < 1:
            raise ValueError("relative_accuracy must be between 0 and 1")
        self.relative_accuracy = relative_accuracy
        self.min_value = min_value
        self._gamma = (1 + relative_accuracy) / (1 - relative_accuracy)
        self._ln_gamma = math.log(self._gamma)
        self._counts: dict[int, int] = {}
        self.zeros = 0
        self.count = 0
        self.min = math.inf
        self.max = -math.inf

    def add(self, value: float, count: int = 1) -> None:
        """Count ``count`` occurrences of one value (must be 0 or more)."""
        self.count += count
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value
        if value <= self.min_value:
            self.zeros += count
            return
        index = math.ceil(math.log(value) / self._ln_gamma)
        self._counts[index] = self._counts.get(index, 0) + count

    def counts(self) -> list[tuple[float, int]]:
        """``(value, count)`` per bucket in use, smallest first (the value is the bucket's
        answer, as :meth:`quantile` gives it)."""
        out = [(0.0, self.zeros)] if self.zeros else []
        for index in sorted(self._counts):
            estimate = 2.0 * self._gamma**index / (self._gamma + 1.0)
            out.append((min(max(estimate, self.min), self.max), self._counts[index]))
        return out

    @property
    def buckets(self) -> int:
        """How many buckets are in use (the memory this histogram holds)."""
        return len(self._counts) + (1 if self.zeros else 0)

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile (0-1) by nearest rank (the ceil(q*n)-th smallest value, as
        latency percentiles are usually given: p99 of 4 values is the largest);
        ``None`` when empty."""
        if self.count == 0:
            return None
        rank = max(1, math.ceil(q * self.count))
        seen = self.zeros
        if seen >= rank:
            return 0.0
        for index in sorted(self._counts):
            seen += self._counts[index]
            if seen >= rank:
                estimate = 2.0 * self._gamma**index / (self._gamma + 1.0)
                return min(max(estimate, self.min), self.max)
        return self.max

    def summary(self) -> dict[str, float | None]:
        """p50, p90, p99 and max, rounded to 0.01 ms."""

        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {
            "p50": r(self.quantile(0.50)),
            "p90": r(self.quantile(0.90)),
            "p99": r(self.quantile(0.99)),
            "max": r(self.max) if self.count else None,
        }


class Aggregate:
    """Everything ``lambda-kit report`` says about a set of invocations, kept in O(1) memory.

    Billed and recomputed durations are summed as whole MB-milliseconds (exact
    integers), and priced once when read: the figures do not depend on the order
    the invocations came in, so the fast reader (which counts distinct values)
    and the per-line reader print the same digits.
    """

    def __init__(self, prices: dict[str, Prices], *, init_billed: bool = True) -> None:
        self.prices = prices
        self.init_billed = init_billed
        self.invocations = 0
        self.cold_starts = 0
        self.timeouts = 0
        self.errors = 0
        self.out_of_memory = 0
        # architecture -> MB-ms as REPORT billed them, and as our own rule bills them
        self.billed_mb_ms: Counter[str] = Counter()
        self.own_mb_ms: Counter[str] = Counter()
        self.recorded_cost_usd = 0.0
        self.recorded = 0
        self.duration = LogHistogram()
        self.init = LogHistogram()
        self.restore = LogHistogram()
        self.memory_used = LogHistogram()
        self.peak_memory_mb = 0
        self.memory_sizes: Counter[int] = Counter()
        # per configured size: peak used and out-of-memory count (sizes are few: advice is per size)
        self.peak_by_size: dict[int, int] = {}
        self.oom_by_size: Counter[int] = Counter()
        # architecture -> invocations (each one request)
        self.architectures: Counter[str] = Counter()
        self.first: str | None = None
        self.last: str | None = None

    def own_billed_ms(self, s: Sample) -> int:
        """Our own billing rule on the raw durations, to compare with what REPORT billed."""
        return billed_duration_ms(
            s.duration_ms,
            s.init_ms if s.restore_ms is None else None,
            init_billed=self.init_billed,
            billed_restore_ms=s.billed_restore_ms if s.restore_ms is not None else None,
        )

    def charge(
        self, arch: str, memory_mb: int, billed_ms: int, own_ms: int, count: int = 1
    ) -> None:
        """The billing facts of ``count`` invocations of ``memory_mb`` (one home for them)."""
        self.billed_mb_ms[arch] += count * memory_mb * billed_ms
        self.own_mb_ms[arch] += count * memory_mb * own_ms

    def _usd(self, mb_ms: Counter[str]) -> float:
        # request charge + compute at the first volume tier, per architecture
        total = 0.0
        for arch, requests in sorted(self.architectures.items()):
            p = self.prices[arch]
            total += requests * p.request_usd + gb_s(mb_ms[arch], 1) * tier_price(p)
        return total

    @property
    def billed_gb_s(self) -> float:
        """GB-s as REPORT billed them."""
        return gb_s(sum(self.billed_mb_ms.values()), 1)

    @property
    def cost_usd(self) -> float:
        """What the invocations cost as billed (requests + compute, first tier)."""
        return self._usd(self.billed_mb_ms)

    @property
    def recomputed_cost_usd(self) -> float:
        """The same with our own billing rule applied to the raw durations."""
        return self._usd(self.own_mb_ms)

    def add(self, s: Sample, architecture: str) -> None:
        """Count one invocation; ``architecture`` is used when the sample does not say."""
        arch = s.architecture if s.architecture in self.prices else architecture
        self.invocations += 1
        self.cold_starts += s.cold_start
        if s.status == "timeout":
            self.timeouts += 1
        elif s.status != "success":
            self.errors += 1
        self.out_of_memory += s.out_of_memory
        self.charge(arch, s.memory_mb, s.billed_ms, self.own_billed_ms(s))
        if s.reported_cost_usd is not None:
            self.recorded_cost_usd += s.reported_cost_usd
            self.recorded += 1
        self.duration.add(s.duration_ms)
        if s.init_ms is not None:
            self.init.add(s.init_ms)
        if s.restore_ms is not None:
            self.restore.add(s.restore_ms)
        self.add_memory(s.memory_mb, s.max_memory_mb)
        if s.out_of_memory:
            self.oom_by_size[s.memory_mb] += 1
        self.architectures[arch] += 1
        if s.timestamp is not None:
            self.seen_at(s.timestamp, s.timestamp)

    def add_memory(self, memory_mb: int, max_memory_mb: int, count: int = 1) -> None:
        """``count`` invocations of ``memory_mb`` that peaked at ``max_memory_mb``."""
        self.memory_used.add(float(max_memory_mb), count)
        if max_memory_mb > self.peak_memory_mb:
            self.peak_memory_mb = max_memory_mb
        self.memory_sizes[memory_mb] += count
        if max_memory_mb > self.peak_by_size.get(memory_mb, -1):
            self.peak_by_size[memory_mb] = max_memory_mb

    def seen_at(self, first: str, last: str) -> None:
        """Widen the time span to ``first`` .. ``last`` (``YYYY-MM-DDTHH:MM``)."""
        if self.first is None or first < self.first:
            self.first = first
        if self.last is None or last > self.last:
            self.last = last

    @property
    def memory_size_mb(self) -> int:
        """The memory size most invocations ran with (the larger one on a tie, so the answer
        does not depend on the order the invocations were read in)."""
        if not self.memory_sizes:
            return 0
        return max(self.memory_sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]
