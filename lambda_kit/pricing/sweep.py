"""Price one workload across memory sizes under a stated CPU-scaling assumption.

    from lambda_kit.pricing.sweep import sweep
    rows = sweep(Workload(memory_mb=1024, duration_ms=200, invocations=1e6),
                 cpu_bound_fraction=0.8)
    min(rows, key=lambda r: r.bill.total_usd).memory_mb

The assumption (the same one AWS documents for the resource model): Lambda gives a
function CPU in proportion to its memory, and 1,769 MB is one full vCPU. Of the
measured duration at the measured memory, ``cpu_bound_fraction`` scales inversely
with CPU share; the rest (waiting on the network, on disk) does not change. A
single-threaded handler cannot use more than one vCPU, so by default the CPU share
stops growing at 1,769 MB (``max_vcpus`` lifts that for multi-threaded code).
This is a model, not a measurement: AWS Lambda Power Tuning runs the function at
each size for real.
"""

from __future__ import annotations

from typing import NamedTuple

from lambda_kit.prices import Prices
from lambda_kit.pricing.model import Bill, Workload, project_month

#: memory that buys one full vCPU (AWS Lambda developer guide, "Configuring memory")
MB_PER_VCPU = 1769
#: the sizes the sweep prices: Lambda's range, 128 to 10,240 MB
SWEEP_MEMORY_MB = (128, 256, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 6144, 8192, 10240)


class SweepRow(NamedTuple):
    """One memory size: its estimated duration and its month's bill."""

    memory_mb: int
    duration_ms: float
    bill: Bill


def vcpus(memory_mb: float, max_vcpus: float = 1.0) -> float:
    """CPU share at ``memory_mb``, capped at what the code can use.

    >>> vcpus(1769), vcpus(3538), vcpus(3538, max_vcpus=2)
    (1.0, 1.0, 2.0)
    """
    return min(memory_mb / MB_PER_VCPU, max_vcpus)


def scaled_duration_ms(
    duration_ms: float,
    from_mb: float,
    to_mb: float,
    cpu_bound_fraction: float,
    max_vcpus: float = 1.0,
) -> float:
    """Estimated duration at ``to_mb`` of a run measured at ``from_mb``.

    >>> scaled_duration_ms(100, 1024, 512, 1.0)
    200.0
    >>> scaled_duration_ms(100, 1024, 512, 0.0)
    100.0
    """
    ratio = vcpus(from_mb, max_vcpus) / vcpus(to_mb, max_vcpus)
    return duration_ms * ((1.0 - cpu_bound_fraction) + cpu_bound_fraction * ratio)


def sweep(
    work: Workload,
    prices: Prices | None = None,
    *,
    cpu_bound_fraction: float = 1.0,
    max_vcpus: float = 1.0,
    free_tier: bool = False,
    memory_sizes: tuple[int, ...] = SWEEP_MEMORY_MB,
) -> list[SweepRow]:
    """The month's bill of ``work`` at each of ``memory_sizes``.

    INIT time is scaled like the handler's duration (it is mostly CPU-bound
    import and setup work); ``cpu_bound_fraction`` applies to both.
    """
    rows: list[SweepRow] = []
    sizes = sorted(set(memory_sizes) | {work.memory_mb})
    for mb in sizes:
        duration = scaled_duration_ms(
            work.duration_ms, work.memory_mb, mb, cpu_bound_fraction, max_vcpus
        )
        init = scaled_duration_ms(work.init_ms, work.memory_mb, mb, cpu_bound_fraction, max_vcpus)
        at = work._replace(memory_mb=mb, duration_ms=duration, init_ms=init)
        rows.append(SweepRow(mb, duration, project_month(at, prices, free_tier=free_tier)))
    return rows
