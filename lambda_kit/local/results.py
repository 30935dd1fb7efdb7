"""What ``run_environment`` returns: each invocation's result, and an init failure."""

from __future__ import annotations

from lambda_kit.local.lines import Report


class Result:
    """What one invocation returned and what its REPORT line said.

    ``status`` is ``success``, ``error`` or ``timeout``; ``payload`` the response
    (or error) body as the runtime posted it; ``logs`` the log lines from START
    to REPORT; ``init_duration_ms`` is set on a cold start only. ``worker`` is the pid
    of the runtime worker that ran it (Lambda Managed Instances), when it is known.
    """

    __slots__ = (
        "cold_start",
        "cost_usd",
        "environment",
        "error_type",
        "logs",
        "payload",
        "report",
        "worker",
    )

    def __init__(self, report: Report, payload: bytes, environment: int) -> None:
        self.report = report
        self.payload = payload
        self.environment = environment
        self.logs: list[str] = []
        self.cold_start = report.init_duration_ms is not None
        self.error_type = report.error_type
        self.cost_usd = 0.0
        self.worker: int | None = None

    @property
    def status(self) -> str:
        """``success``, ``error`` or ``timeout``."""
        return self.report.status

    @property
    def request_id(self) -> str:
        """The invocation's request id."""
        return self.report.request_id


class InitFailed(Exception):
    """The environment's init failed: ``error_type``, its payload and how long it took."""

    def __init__(self, error_type: str, payload: bytes, duration_ms: float, status: str) -> None:
        super().__init__(error_type)
        self.error_type = error_type
        self.payload = payload
        self.duration_ms = duration_ms
        self.status = status


class Run:
    """Everything ``run_environment`` saw: each invocation, and an init failure if any."""

    def __init__(self) -> None:
        self.results: list[Result] = []
        self.init_error: InitFailed | None = None
        self.environments = 0
        self.not_sent = 0
        self.cgroup_used: bool | None = None
        #: Lambda Managed Instances: worker processes per environment, and how many
        #: distinct workers took an event over the run
        self.concurrency: int | None = None
        self.workers = 0

    @property
    def ok(self) -> bool:
        """Every invocation succeeded."""
        return self.init_error is None and all(r.status == "success" for r in self.results)
