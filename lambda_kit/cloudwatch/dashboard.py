"""The CloudWatch dashboard of one function: what ``lambda-kit cloudwatch dashboard`` prints.

    body = dashboard_body(Target("orders", region="eu-west-1"))
    json.dumps(body)      # the DashboardBody of PutDashboard

Widgets (CloudWatch dashboard body structure: ``widgets`` with ``type`` metric or
log, ``x``/``y``/``width``/``height`` on a 24-column grid, ``properties``): cold-
start rate (metric math over ColdStart and the count of Duration), init p50/p99,
init phases (Logs Insights over the records), duration p50/p99, estimated cost per
hour, errors and timeouts, max memory used against the memory size (records) and
connection reuse outcomes (records).
"""

from __future__ import annotations

from typing import Any

from lambda_kit.cloudwatch.metrics import Target, records_query

HALF, HEIGHT = 12, 6


def _metric_widget(
    t: Target, title: str, metrics: list[Any], *, period: int = 300, unit: str | None = None
) -> dict[str, Any]:
    props: dict[str, Any] = {
        "title": title,
        "region": t.region,
        "view": "timeSeries",
        "stacked": False,
        "period": period,
        "metrics": metrics,
    }
    if unit:
        props["yAxis"] = {"left": {"label": unit, "showUnits": False}}
    return {"type": "metric", "properties": props}


def _log_widget(t: Target, title: str, query: str, view: str = "timeSeries") -> dict[str, Any]:
    # a log widget names its log groups with SOURCE, one line before the query
    source = f"SOURCE '{t.log_group}'\n| " + query
    return {
        "type": "log",
        "properties": {"title": title, "region": t.region, "view": view, "query": source},
    }


def widgets(t: Target) -> list[dict[str, Any]]:
    """The widgets, in reading order (placed by :func:`dashboard_body`)."""
    cold_rate = [
        [{"expression": "100 * FILL(m1, 0) / m2", "label": "cold-start rate %", "id": "e1"}],
        t.metric("ColdStart", "Sum", id="m1", visible=False),
        t.metric("Duration", "SampleCount", id="m2", visible=False),
    ]
    return [
        _metric_widget(t, "Cold-start rate (%)", cold_rate, unit="%"),
        _metric_widget(
            t,
            "Estimated cost per hour (USD, lambda_kit's estimate)",
            [t.metric("EstimatedCost", "Sum", label="USD per hour")],
            period=3600,
        ),
        _metric_widget(
            t,
            "Init duration p50 / p99 (ms)",
            [
                t.metric("InitDuration", "p50", label="p50"),
                t.metric("InitDuration", "p99", label="p99"),
            ],
            unit="ms",
        ),
        _log_widget(
            t,
            "Init phases, mean (ms, cold starts)",
            records_query(
                "| filter ispresent(init.phases.imports_ms)\n"
                "| stats avg(init.phases.runtime_ms) as runtime_ms,"
                " avg(init.phases.imports_ms) as imports_ms,"
                " avg(init.phases.module_code_ms) as module_code_ms by bin(1h)"
            ),
        ),
        _metric_widget(
            t,
            "Duration p50 / p99 (ms)",
            [
                t.metric("Duration", "p50", label="p50"),
                t.metric("Duration", "p99", label="p99"),
            ],
            unit="ms",
        ),
        _metric_widget(
            t,
            "Errors and timeouts",
            [
                t.metric("Errors", "Sum", label="errors"),
                t.metric("Timeouts", "Sum", label="timeouts"),
            ],
        ),
        _log_widget(
            t,
            "Max memory used against the memory size (MB)",
            records_query(
                "| stats max(max_memory_used_mb) as max_used_mb,"
                " max(function_memory_size) as memory_size_mb by bin(5m)"
            ),
        ),
        _log_widget(
            t,
            "Connection reuse outcomes",
            records_query(
                '| parse @message /"state": ?"(?<state>created|reused|reconnected|failed)"/\n'
                "| filter ispresent(state)\n"
                "| stats count(*) as connections by state, bin(1h)"
            ),
            view="bar",
        ),
    ]


def dashboard_body(t: Target) -> dict[str, Any]:
    """The whole DashboardBody: the widgets two to a row."""
    placed = []
    for i, widget in enumerate(widgets(t)):
        placed.append(
            {**widget, "x": (i % 2) * HALF, "y": (i // 2) * HEIGHT, "width": HALF, "height": HEIGHT}
        )
    return {"start": "-PT24H", "periodOverride": "inherit", "widgets": placed}


def dashboard_name(t: Target) -> str:
    """A valid dashboard name (letters, digits, - and _; up to 255)."""
    clean = "".join(c if c.isalnum() or c in "-_" else "-" for c in t.function)
    return f"lambda-kit-{clean}"[:255]
