"""What the dashboard and the alarms read: lambda_kit's EMF metrics and JSON records.

    target = Target("orders")
    target.metric("Duration", "p99")     # a dashboard metric line

The metric names, their unit and the dimensions (``service``, ``function_name``)
are the ones :mod:`lambda_kit.sinks.emf` writes; the namespace is the one it
resolves (``LAMBDA_KIT_METRICS_NAMESPACE`` / ``POWERTOOLS_METRICS_NAMESPACE``, else
``lambda_kit``). What EMF does not carry (memory size, init phases, connection
outcomes) comes from the records through Logs Insights.
"""

from __future__ import annotations

from typing import Any

#: metrics written by lambda_kit.sinks.emf (name -> unit)
EMF_METRICS = {
    "ColdStart": "Count",
    "Duration": "Milliseconds",
    "BilledDuration": "Milliseconds",
    "InitDuration": "Milliseconds",
    "MaxMemoryUsed": "Megabytes",
    "EstimatedCost": "None",
    "Errors": "Count",
    "Timeouts": "Count",
}


class Target:
    """One function: its name, service, log group, metrics namespace and region."""

    def __init__(
        self,
        function: str,
        *,
        service: str | None = None,
        namespace: str | None = None,
        log_group: str | None = None,
        region: str = "us-east-1",
    ) -> None:
        from lambda_kit.sinks.emf import resolve_namespace

        if not function or len(function) > 140:
            raise ValueError("--function must be a Lambda function name (1-140 characters)")
        self.function = function
        # the record's service defaults to the function name (see docs/instrument.md)
        self.service = service or function
        self.namespace = resolve_namespace(namespace)
        self.log_group = log_group or f"/aws/lambda/{function}"
        self.region = region

    def dimensions(self) -> list[dict[str, str]]:
        """The EMF dimension set, as PutMetricAlarm and CloudFormation spell it."""
        return [
            {"Name": "service", "Value": self.service},
            {"Name": "function_name", "Value": self.function},
        ]

    def metric(self, name: str, stat: str, **options: Any) -> list[Any]:
        """A dashboard ``metrics`` line: [namespace, name, dim, value, ..., {options}]."""
        if name not in EMF_METRICS:
            raise KeyError(name)
        line: list[Any] = [
            self.namespace,
            name,
            "service",
            self.service,
            "function_name",
            self.function,
        ]
        line.append({"stat": stat, **options})
        return line

    def metric_stat(self, name: str, stat: str, period: int) -> dict[str, Any]:
        """A ``MetricStat`` for alarm metric math."""
        return {
            "Metric": {
                "Namespace": self.namespace,
                "MetricName": name,
                "Dimensions": self.dimensions(),
            },
            "Period": period,
            "Stat": stat,
        }


def records_query(body: str) -> str:
    """A Logs Insights query over lambda_kit's invocation records."""
    return 'filter type = "invocation"\n' + body
