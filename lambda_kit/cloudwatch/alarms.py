"""Alarms and saved Logs Insights queries for one function, as API calls or CloudFormation.

    defs = alarm_definitions(Target("orders"), budget_per_hour=0.5, memory_size_mb=1024)
    template(Target("orders"), defs)          # AWS::CloudWatch::Alarm + AWS::Logs::QueryDefinition

Each alarm is written once, in PutMetricAlarm's parameter names, which are also
the property names of AWS::CloudWatch::Alarm (CloudFormation User Guide), so the
template and ``--apply`` cannot drift apart:

* estimated cost per hour above a budget (EstimatedCost, Sum over 1 hour);
* any timeout (Timeouts, Sum over 5 minutes, > 0);
* memory used above 90 % of the memory size (MaxMemoryUsed, Maximum);
* cold-start rate above a share (metric math: ColdStart Sum / Duration SampleCount).
"""

from __future__ import annotations

from typing import Any

from lambda_kit.cloudwatch.metrics import Target
from lambda_kit.report import insights

MEMORY_SHARE = 0.90


def _name(t: Target, what: str) -> str:
    return f"lambda-kit-{t.function}-{what}"[:255]


def alarm_definitions(
    t: Target, *, budget_per_hour: float, memory_size_mb: int, cold_start_pct: float = 10.0
) -> list[dict[str, Any]]:
    """PutMetricAlarm parameters of the four alarms."""
    if budget_per_hour <= 0:
        raise ValueError("--budget-per-hour must be more than 0 (USD)")
    if not 128 <= memory_size_mb <= 10240:
        raise ValueError("--memory-size must be between 128 and 10240 MB")
    if not 0 < cold_start_pct <= 100:
        raise ValueError("--cold-start-pct must be between 0 and 100")
    single = {"Namespace": t.namespace, "Dimensions": t.dimensions(), "EvaluationPeriods": 1}
    return [
        {
            **single,
            "AlarmName": _name(t, "cost-per-hour"),
            "AlarmDescription": f"{t.function}: lambda_kit's estimated cost above "
            f"${budget_per_hour:g} in an hour",
            "MetricName": "EstimatedCost",
            "Statistic": "Sum",
            "Period": 3600,
            "Threshold": budget_per_hour,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        },
        {
            **single,
            "AlarmName": _name(t, "timeouts"),
            "AlarmDescription": f"{t.function}: an invocation timed out",
            "MetricName": "Timeouts",
            "Statistic": "Sum",
            "Period": 300,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        },
        {
            **single,
            "AlarmName": _name(t, "memory"),
            "AlarmDescription": f"{t.function}: memory used above {MEMORY_SHARE:.0%} of "
            f"{memory_size_mb} MB (Runtime.OutOfMemory is next)",
            "MetricName": "MaxMemoryUsed",
            "Statistic": "Maximum",
            "Period": 300,
            "Threshold": round(memory_size_mb * MEMORY_SHARE, 1),
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        },
        {
            "AlarmName": _name(t, "cold-start-rate"),
            "AlarmDescription": f"{t.function}: more than {cold_start_pct:g}% of invocations "
            "were cold starts in an hour",
            "EvaluationPeriods": 1,
            "Threshold": cold_start_pct,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "Metrics": [
                {
                    "Id": "rate",
                    "Expression": "100 * FILL(cold, 0) / calls",
                    "Label": "cold-start rate %",
                    "ReturnData": True,
                },
                {
                    "Id": "cold",
                    "MetricStat": t.metric_stat("ColdStart", "Sum", 3600),
                    "ReturnData": False,
                },
                {
                    "Id": "calls",
                    "MetricStat": t.metric_stat("Duration", "SampleCount", 3600),
                    "ReturnData": False,
                },
            ],
        },
    ]


def query_definitions(t: Target) -> list[dict[str, Any]]:
    """PutQueryDefinition parameters of the saved queries (the report's own queries)."""
    return [
        {
            "name": f"lambda-kit/{t.function}/report-totals",
            "queryString": insights.totals_query(),
            "logGroupNames": [t.log_group],
        },
        {
            "name": f"lambda-kit/{t.function}/report-hourly",
            "queryString": insights.hourly_query(),
            "logGroupNames": [t.log_group],
        },
        {
            "name": f"lambda-kit/{t.function}/slowest-invocations",
            "queryString": 'filter type = "invocation"\n'
            "| fields @timestamp, function_request_id, duration_ms, cold_start, cost_usd\n"
            "| sort duration_ms desc\n| limit 50",
            "logGroupNames": [t.log_group],
        },
    ]


def _logical_id(text: str) -> str:
    return "".join(
        part.capitalize() for part in text.replace("/", "-").split("-") if part.isalnum()
    )


def template(t: Target, alarms: list[dict[str, Any]]) -> dict[str, Any]:
    """The CloudFormation template holding the alarms and the saved queries."""
    resources: dict[str, Any] = {}
    for alarm in alarms:
        suffix = alarm["AlarmName"].removeprefix(f"lambda-kit-{t.function}-")
        resources[_logical_id(suffix) + "Alarm"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": alarm,
        }
    for query in query_definitions(t):
        resources[_logical_id(query["name"].rsplit("/", 1)[1]) + "Query"] = {
            "Type": "AWS::Logs::QueryDefinition",
            "Properties": {
                "Name": query["name"],
                "QueryString": query["queryString"],
                "LogGroupNames": query["logGroupNames"],
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"lambda-kit alarms and saved Logs Insights queries for {t.function}",
        "Resources": resources,
    }
