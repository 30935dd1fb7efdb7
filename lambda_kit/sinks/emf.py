"""CloudWatch Embedded Metric Format: the invocation record as CloudWatch metrics.

One JSON line per invocation (more only past EMF's limits) that CloudWatch Logs
turns into metrics, with no API call and nothing to flush: on Lambda, a line on
stdout is enough.

Metrics (namespace from ``namespace=``, ``LAMBDA_KIT_METRICS_NAMESPACE``,
``POWERTOOLS_METRICS_NAMESPACE``, else ``lambda_kit``), with the dimensions
``service`` and ``function_name`` (never the request id: a dimension value
creates a metric, and one per request would be costly):

========================  ==============  =========================================
``ColdStart``             Count           1, on cold starts only
``Duration``              Milliseconds    ``duration_ms``
``BilledDuration``        Milliseconds    ``billed_duration_ms``
``InitDuration``          Milliseconds    ``init_duration_ms``, first invocation only
``MaxMemoryUsed``         Megabytes       ``max_memory_used_mb``
``EstimatedCost``         None            ``cost_usd`` (US dollars)
``Errors``                Count           1 when the handler raised, else 0
``Timeouts``              Count           1 when it timed out, else 0
========================  ==============  =========================================

plus the user's ``lambda_kit.metrics.add(...)``. The request id and trace id
ride along as plain members, for Logs Insights.

Limits, from the EMF specification (docs.aws.amazon.com/AmazonCloudWatch/latest/
monitoring/CloudWatch_Embedded_Metric_Format_Specification.html): at most 100
metric definitions per directive, 30 dimension keys per dimension set, 100
values per metric array, and an event of at most 256 KB (CloudWatch Logs'
event size; a larger line is dropped). Past a limit this sink splits into more
lines; it never writes a line CloudWatch would drop.
"""

from __future__ import annotations

import json
import os
import re
import time

from lambda_kit import _hooks, settings
from lambda_kit._output import LineWriter
from lambda_kit._problems import problem

# typing costs ~3 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

    from lambda_kit.sinks.protocol import StartEvent

MAX_METRICS = 100
MAX_DIMENSIONS = 30  # per dimension set; lambda_kit writes 2 (service, function_name)
MAX_VALUES = 100
MAX_EVENT_BYTES = 256 * 1024
MAX_DIMENSION_VALUE = 1024  # CloudWatch Dimension.Value
DEFAULT_NAMESPACE = "lambda_kit"

# CloudWatch namespaces: 1..255 ASCII letters, digits and . - _ / # : space, not "AWS/"
_NAMESPACE = re.compile(r"[A-Za-z0-9.\-_/#: ]{1,255}")

#: record key -> (metric name, unit); written when the record has the key
_FROM_RECORD = (
    ("duration_ms", "Duration", "Milliseconds"),
    ("billed_duration_ms", "BilledDuration", "Milliseconds"),
    ("init_duration_ms", "InitDuration", "Milliseconds"),
    ("max_memory_used_mb", "MaxMemoryUsed", "Megabytes"),
    ("cost_usd", "EstimatedCost", "None"),
)
_DIMENSIONS = ("service", "function_name")
_PROPERTIES = ("function_request_id", "xray_trace_id")

Metric = tuple[str, str, int, list[float]]  # name, unit, storage resolution, values

#: the sink that wrote the last invocation's metrics and that invocation's dimensions.
#: Lambda's own figures for an invocation arrive after it (the platform extension,
#: docs/platform.md) and go out through this sink: its namespace, dimensions, output.
last_used: tuple[EmfSink, dict[str, str]] | None = None


def resolve_namespace(namespace: str | None) -> str:
    """The namespace to use: the argument, then the environment, then ``lambda_kit``."""
    value = (
        namespace
        or settings.first_set(settings.METRICS_NAMESPACE, settings.POWERTOOLS_METRICS_NAMESPACE)
        or DEFAULT_NAMESPACE
    )
    if not _NAMESPACE.fullmatch(value) or value.startswith("AWS/") or not value.strip():
        problem(
            f"metrics namespace {value!r} is not a CloudWatch namespace (1-255 characters "
            f"of A-Z a-z 0-9 . - _ / # : space, not starting with 'AWS/'); "
            f"using {DEFAULT_NAMESPACE!r}"
        )
        return DEFAULT_NAMESPACE
    return value


def _dimension_value(key: str, value: Any) -> str | None:
    if value is None:
        return None
    text = str(value)
    if not text.strip() or not text.isascii():
        problem(
            f"EMF dimension {key}={text!r} must be non-empty ASCII; leaving it out",
            key=f"emf-dim:{key}",
        )
        return None
    if len(text) > MAX_DIMENSION_VALUE:
        problem(
            f"EMF dimension {key} is longer than {MAX_DIMENSION_VALUE} characters; truncating",
            key=f"emf-dim-long:{key}",
        )
        return text[:MAX_DIMENSION_VALUE]
    return text


class EmfSink:
    """Writes each invocation record as CloudWatch EMF line(s).

    ``output`` is where lines go, as for the JSON line sink (default stdout).

    >>> sink = EmfSink(namespace="orders")
    >>> sink(record)  # doctest: +SKIP
    """

    __slots__ = ("_dims", "_directives", "_writer", "namespace")

    #: the invocation's user metrics (``lambda_kit.metrics.add``) are kept for this sink
    takes_metrics = True

    def __init__(
        self,
        namespace: str | None = None,
        output: str | os.PathLike[str] | IO[Any] | None = None,
    ) -> None:
        self.namespace = resolve_namespace(namespace)
        self._dims: dict[tuple[Any, Any], dict[str, str]] = {}
        self._directives: dict[tuple[Any, ...], str] = {}
        # where the record goes, the same way: one write per line, in order with it
        self._writer = LineWriter(output)

    def __repr__(self) -> str:
        return f"EmfSink(namespace={self.namespace!r})"

    def __call__(self, record: dict[str, Any], user: list[Metric] | None = None) -> None:
        """Write the record's EMF line(s), with ``user`` metrics if given."""
        for line in self.lines(record, user):
            self._writer.write(line)

    # -- as a sink that follows the invocation: its user metrics are on the start event
    def start(self, call: StartEvent) -> StartEvent:
        """Keep the invocation: its user metrics are known at its end."""
        return call

    def finish(
        self, call: StartEvent, record: dict[str, Any] | None, exc: BaseException | None
    ) -> None:
        """Write the record's EMF line(s) with the metrics the invocation added."""
        if record is None:
            return
        bag = call.metrics
        user = [(n, unit, res, values) for n, (unit, res, values) in bag.items()] if bag else None
        call.metrics = None  # written: a second finish (never expected) writes them once
        self(record, user)

    # -- building the documents (pure: easy to test) ---------------------------------
    def documents(
        self, record: dict[str, Any], user: list[Metric] | None = None, now_ms: int | None = None
    ) -> list[dict[str, Any]]:
        """The EMF documents for one record and the user's metrics (parsed back: for tests)."""
        return [json.loads(line) for line in self.lines(record, user, now_ms)]

    def lines(
        self, record: dict[str, Any], user: list[Metric] | None = None, now_ms: int | None = None
    ) -> list[bytes]:
        """The EMF lines for one record and the user's metrics, within the limits."""
        global last_used
        key = (record.get("service"), record.get("function_name"))
        dims = self._dims.get(key)
        if dims is None:
            dims = {}
            for name, value in zip(_DIMENSIONS, key, strict=True):
                checked = _dimension_value(name, value)
                if checked is not None:
                    dims[name] = checked
            if len(self._dims) > 64:
                self._dims.clear()
            self._dims[key] = dims
        last_used = (self, dims)
        props = {k: record[k] for k in _PROPERTIES if record.get(k) is not None}
        metrics: list[Metric] = []
        if record.get("cold_start"):
            metrics.append(("ColdStart", "Count", 60, [1]))
        for field, name, unit in _FROM_RECORD:
            value = record.get(field)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                metrics.append((name, unit, 60, [value]))
        status = record.get("status")
        metrics.append(("Errors", "Count", 60, [1 if status == "error" else 0]))
        metrics.append(("Timeouts", "Count", 60, [1 if status == "timeout" else 0]))
        if user:
            reserved = {"_aws", *dims, *props}
            for metric in user:
                if metric[0] in reserved:
                    problem(
                        f"metric name {metric[0]!r} is taken by a dimension or property; "
                        f"writing it as {metric[0] + '_'!r}",
                        key=f"emf-reserved:{metric[0]}",
                    )
                    metric = (metric[0] + "_", *metric[1:])
                metrics.append(metric)
        return self.metric_lines(metrics, dims, props, now_ms)

    def metric_lines(
        self,
        metrics: list[Metric],
        dims: dict[str, str],
        props: dict[str, Any],
        now_ms: int | None = None,
    ) -> list[bytes]:
        """EMF lines for ``metrics`` (name, unit, resolution, values) with the dimensions
        ``dims`` (already checked: the ones ``last_used`` holds) and the plain members
        ``props``, in this sink's namespace, within the limits. ``now_ms``: the
        metrics' time (epoch ms), default now.

        >>> sink.metric_lines([("PlatformDuration", "Milliseconds", 60, [2.5])],
        ...                   {"service": "orders"}, {})  # doctest: +SKIP
        """
        timestamp = now_ms if now_ms is not None else time.time_ns() // 1_000_000
        lines: list[bytes] = []
        for group in _pack(metrics):
            lines.extend(self._fit(group, dims, props, timestamp))
        return lines

    def write_metrics(
        self,
        metrics: list[Metric],
        dims: dict[str, str],
        props: dict[str, Any],
        now_ms: int | None = None,
    ) -> int:
        """Write ``metric_lines(...)`` where this sink writes; the number of lines."""
        lines = self.metric_lines(metrics, dims, props, now_ms)
        for line in lines:
            self._writer.write(line)
        return len(lines)

    def _line(
        self, group: list[Metric], dims: dict[str, str], props: dict[str, Any], timestamp: int
    ) -> bytes:
        # the directive depends only on the metrics' names and units: encoded once per shape
        shape = (tuple(dims), tuple(m[:3] for m in group))
        directive = self._directives.get(shape)
        if directive is None:
            definitions = []
            for name, unit, resolution, _ in group:
                definition: dict[str, Any] = {"Name": name, "Unit": unit}
                if resolution == 1:
                    definition["StorageResolution"] = 1
                definitions.append(definition)
            directive = _encode(
                [{"Namespace": self.namespace, "Dimensions": [list(dims)], "Metrics": definitions}]
            )
            if len(self._directives) > 256:
                self._directives.clear()
            self._directives[shape] = directive
        members: dict[str, Any] = dict(dims)
        for name, _, _, values in group:
            members[name] = values[0] if len(values) == 1 else values
        members.update(props)
        body = _encode(members)
        head = f'{{"_aws":{{"Timestamp":{timestamp},"CloudWatchMetrics":{directive}}}'
        return f"{head},{body[1:]}\n".encode()

    def _fit(
        self, group: list[Metric], dims: dict[str, str], props: dict[str, Any], timestamp: int
    ) -> list[bytes]:
        """One line, or several when it would pass the event size limit."""
        line = self._line(group, dims, props, timestamp)
        if len(group) == 1 or len(line) <= MAX_EVENT_BYTES:
            return [line]
        half = len(group) // 2
        return self._fit(group[:half], dims, props, timestamp) + self._fit(
            group[half:], dims, props, timestamp
        )


def _reset() -> None:
    global last_used
    last_used = None


_hooks.register_reset(__name__, _reset)

# stdlib json: the Lambda runtime client has imported it already, so it costs no cold-start
# time (orjson would cost ~10 ms, see lambda_kit/_output.py); a value JSON cannot hold is
# written as its str() rather than failing the line
_encode = json.JSONEncoder(separators=(",", ":"), default=str, check_circular=False).encode


def _pack(metrics: list[Metric]) -> list[list[Metric]]:
    """Metrics in groups that each make one valid directive.

    A group holds at most ``MAX_METRICS`` metrics, each name once (a root member can
    only hold one value or array), each with at most ``MAX_VALUES`` values; a metric
    with more values continues in the next group.
    """
    if (
        len(metrics) <= MAX_METRICS
        and all(len(m[3]) <= MAX_VALUES for m in metrics)
        and len({m[0] for m in metrics}) == len(metrics)
    ):
        return [metrics]  # the usual case: everything fits one directive
    groups: list[list[Metric]] = []
    names: list[set[str]] = []
    for name, unit, resolution, values in metrics:
        for i in range(0, len(values), MAX_VALUES):
            chunk = (name, unit, resolution, values[i : i + MAX_VALUES])
            for group, seen in zip(groups, names, strict=True):
                if name not in seen and len(group) < MAX_METRICS:
                    group.append(chunk)
                    seen.add(name)
                    break
            else:
                groups.append([chunk])
                names.append({name})
    return groups


__all__ = ["DEFAULT_NAMESPACE", "EmfSink", "resolve_namespace"]
