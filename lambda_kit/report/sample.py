"""One invocation as a log line tells it, and the minute it is dated by.

    from lambda_kit.report.sample import Sample, minute_of
    Sample(27.55, 28, 1024, 472).cold_start      # False
    minute_of("2024-06-17T17:23:55.826Z")        # "2024-06-17T17:23"
"""

from __future__ import annotations

import re

_TIMESTAMP = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})")


class Sample:
    """One invocation as a REPORT line (or record) tells it.

    ``billed_ms`` is what AWS billed (on SnapStart it already includes the
    Billed Restore Duration). ``reported_cost_usd`` is set for lambda_kit's own
    records, which carry their estimate.
    """

    __slots__ = (
        "architecture",
        "billed_ms",
        "billed_restore_ms",
        "duration_ms",
        "error_type",
        "function",
        "init_ms",
        "max_memory_mb",
        "memory_mb",
        "reported_cost_usd",
        "request_id",
        "restore_ms",
        "status",
        "timestamp",
    )

    def __init__(
        self,
        duration_ms: float,
        billed_ms: int,
        memory_mb: int,
        max_memory_mb: int,
        *,
        init_ms: float | None = None,
        restore_ms: float | None = None,
        billed_restore_ms: int | None = None,
        status: str = "success",
        error_type: str | None = None,
        request_id: str | None = None,
        function: str | None = None,
        timestamp: str | None = None,
        architecture: str | None = None,
        reported_cost_usd: float | None = None,
    ) -> None:
        self.duration_ms = duration_ms
        self.billed_ms = billed_ms
        self.memory_mb = memory_mb
        self.max_memory_mb = max_memory_mb
        self.init_ms = init_ms
        self.restore_ms = restore_ms
        self.billed_restore_ms = billed_restore_ms
        self.status = status
        self.error_type = error_type
        self.request_id = request_id
        self.function = function
        self.timestamp = timestamp
        self.architecture = architecture
        self.reported_cost_usd = reported_cost_usd

    @property
    def cold_start(self) -> bool:
        """A new execution environment: INIT ran, or a SnapStart snapshot was restored."""
        return self.init_ms is not None or self.restore_ms is not None

    @property
    def out_of_memory(self) -> bool:
        """The runtime ran out of memory (``Runtime.OutOfMemory``)."""
        return self.error_type is not None and "OutOfMemory" in self.error_type

    def __repr__(self) -> str:
        return f"Sample({', '.join(f'{k}={getattr(self, k)!r}' for k in self.__slots__)})"


def minute_of(text: str) -> str | None:
    """The first ``YYYY-MM-DD[T ]HH:MM`` in ``text``, as ``YYYY-MM-DDTHH:MM`` (or None)."""
    m = _TIMESTAMP.search(text)
    return f"{m.group(1)}T{m.group(2)}:{m.group(3)}" if m else None
