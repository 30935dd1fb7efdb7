"""``Metrics`` as Powertools for AWS Lambda (Python) writes them: its own EMF blobs.

    from lambda_kit.metrics import Metrics, MetricUnit   # was: aws_lambda_powertools.metrics
    metrics = Metrics(namespace="Orders", service="payment")

    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event, context):
        metrics.add_dimension(name="env", value="prod")
        metrics.add_metric(name="OrderPlaced", unit=MetricUnit.Count, value=1)

prints Powertools' EMF: one blob per flush with the dimension set (the user's
dimensions, then ``service``) and any extra sets from ``add_dimensions``,
metadata at the top level, values as lists of floats; the ColdStart metric in
a blob of its own with ``function_name`` and ``service``; a flush every 100
metrics or 100 values of one metric. State is shared by every ``Metrics()``
(``metric_set``, ``dimension_set``, ``metadata_set``, ``default_dimensions``)
as Powertools shares it. These blobs are separate from lambda_kit's own record
EMF (``@instrument(metrics=True)``); both can be on.

Sources: Powertools Metrics docs ("Adding metrics", "Adding dimensions",
"Adding metadata", "Capturing cold start metric", "Single metric", "Flushing
metrics", "Environment variables") and the CloudWatch EMF specification
(docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
"""

from __future__ import annotations

import os
import time
import warnings

from lambda_kit import settings
from lambda_kit._current import current
from lambda_kit._output import LineWriter
from lambda_kit.compat._metric_types import (
    MAX_DIMENSIONS,
    MAX_METRICS,
    MetricNameError,
    MetricResolutionError,
    MetricUnitError,
    MetricValueError,
    SchemaValidationError,
    metrics_disabled,
    resolution_value,
    unit_value,
)
from lambda_kit.log._fields import stdlib_line

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

    from lambda_kit.compat._metric_enums import MetricResolution, MetricUnit

NAMESPACE_VARIABLE = settings.POWERTOOLS_METRICS_NAMESPACE
SERVICE_VARIABLE = settings.POWERTOOLS_SERVICE_NAME
FUNCTION_NAME_VARIABLE = settings.POWERTOOLS_METRICS_FUNCTION_NAME

_out = LineWriter()
_NUMBERS = (int, float)
_cold = [os.environ.get(settings.INITIALIZATION_TYPE) != "provisioned-concurrency"]


def _print(blob: dict[str, Any]) -> None:
    _out.write(stdlib_line(blob))


class EMFBlob:
    """One set of metrics, dimensions and metadata, and its EMF form (Powertools'
    ``AmazonCloudWatchEMFProvider``: ``single_metric`` uses one of its own)."""

    def __init__(
        self,
        namespace: str | None = None,
        service: str | None = None,
        metric_set: dict[str, Any] | None = None,
        dimension_set: dict[str, str] | None = None,
        metadata_set: dict[str, Any] | None = None,
        default_dimensions: dict[str, Any] | None = None,
        function_name: str | None = None,
    ) -> None:
        self.metric_set: dict[str, Any] = {} if metric_set is None else metric_set
        self.dimension_set: dict[str, str] = {} if dimension_set is None else dimension_set
        self.metadata_set: dict[str, Any] = {} if metadata_set is None else metadata_set
        self.default_dimensions: dict[str, Any] = (
            {} if default_dimensions is None else default_dimensions
        )
        self.namespace = namespace or os.environ.get(NAMESPACE_VARIABLE)
        self.service = service or os.environ.get(SERVICE_VARIABLE)
        self.function_name = function_name
        self.timestamp: int | None = None
        self.dimension_sets: list[dict[str, str]] = []
        for name, value in self.default_dimensions.items():
            self.dimension_set[name] = value if isinstance(value, str) else str(value)

    def add_metric(
        self,
        name: str,
        unit: MetricUnit | str,
        value: float,
        resolution: MetricResolution | int = 60,
    ) -> None:
        """Add ``value`` to metric ``name`` (raises Powertools' errors on bad input)."""
        name = name.strip()
        if not 1 <= len(name) <= 255:
            raise MetricNameError("The metric name should be between 1 and 255 characters")
        if not isinstance(value, _NUMBERS) and not _is_number(value):
            raise MetricValueError(f"{value} is not a valid number")
        unit_text = unit_value(unit)
        res = (
            resolution
            if resolution == 60 and type(resolution) is int
            else resolution_value(resolution)
        )
        metric = self.metric_set.get(name)
        if metric is None:
            metric = self.metric_set[name] = {
                "Unit": unit_text,
                "StorageResolution": res,
                "Value": [],
            }
        else:
            metric["Unit"] = unit_text
            metric["StorageResolution"] = res
        values = metric["Value"]
        values.append(float(value))
        if len(self.metric_set) == MAX_METRICS or len(values) == MAX_METRICS:
            _print(self.serialize_metric_set())  # EMF takes at most 100: publish what is held
            self.metric_set.clear()

    def add_dimension(self, name: str, value: str) -> None:
        """Add a dimension to the metrics' dimension set (at most 29)."""
        if len(self.dimension_set) == MAX_DIMENSIONS:
            raise SchemaValidationError(
                f"Maximum number of dimensions exceeded ({MAX_DIMENSIONS}): "
                f"Unable to add dimension {name}."
            )
        value = value if isinstance(value, str) else str(value)
        if not name.strip() or not value.strip():
            warnings.warn(
                f"The dimension {name} doesn't meet the requirements and won't be added. "
                "Ensure the dimension name and value are non-empty strings",
                stacklevel=2,
            )
            return
        self.dimension_set[name] = value

    def add_dimensions(self, **dimensions: str) -> None:
        """Add a further dimension set (its own array in ``Dimensions``)."""
        clean = {str(k): str(v) for k, v in dimensions.items() if str(k).strip() and str(v).strip()}
        if not clean:
            warnings.warn("Empty dimensions dictionary provided", stacklevel=2)
            return
        names = set(self.dimension_set).union(*self.dimension_sets, clean)
        if len(names) > MAX_DIMENSIONS:
            raise SchemaValidationError(f"Maximum dimensions ({MAX_DIMENSIONS}) exceeded")
        self.dimension_sets.append({**self.default_dimensions, **clean})

    def add_metadata(self, key: str, value: Any) -> None:
        """A top-level key of the blob: searchable in the logs, not a metric dimension."""
        self.metadata_set[key if isinstance(key, str) else str(key)] = value

    def set_timestamp(self, timestamp: int) -> None:
        """The blob's time, epoch milliseconds (a datetime is converted)."""
        stamp = getattr(timestamp, "timestamp", None)
        self.timestamp = int(stamp() * 1000) if callable(stamp) else int(timestamp)

    def serialize_metric_set(
        self,
        metrics: dict[str, Any] | None = None,
        dimensions: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The EMF blob of what is held (raises ``SchemaValidationError`` when empty
        or without a namespace)."""
        metrics = self.metric_set if metrics is None else metrics
        dimensions = self.dimension_set if dimensions is None else dimensions
        metadata = self.metadata_set if metadata is None else metadata
        if self.service and not self.dimension_set.get("service"):
            self.add_dimension("service", self.service)
        if not metrics:
            raise SchemaValidationError("Must contain at least one metric.")
        if self.namespace is None:
            raise SchemaValidationError("Must contain a metric namespace.")
        definitions = []
        values = {}
        for name, metric in metrics.items():
            definition = {"Name": name, "Unit": metric.get("Unit", "")}
            if metric.get("StorageResolution", 60) == 1:
                definition["StorageResolution"] = 1
            definitions.append(definition)
            values[name] = metric.get("Value", 0)
        arrays = [list(dimensions)]
        every = dict(dimensions)
        for extra in self.dimension_sets:
            every.update(extra)
            arrays.append(list(extra))
        aws = {
            "Timestamp": self.timestamp or int(time.time() * 1000),
            "CloudWatchMetrics": [
                {"Namespace": self.namespace, "Dimensions": arrays, "Metrics": definitions}
            ],
        }
        return {"_aws": aws, **every, **metadata, **values}

    def clear_metrics(self) -> None:
        """Forget metrics, dimensions and metadata; the default dimensions come back."""
        self.metric_set.clear()
        self.dimension_set.clear()
        self.dimension_sets.clear()
        self.metadata_set.clear()
        for name, value in self.default_dimensions.items():
            self.add_dimension(name, value)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        """Print what is held as one EMF blob, then clear it."""
        if not raise_on_empty_metrics and not self.metric_set:
            warnings.warn(
                "No application metrics to publish. The cold-start metric may be published if "
                "enabled. If application metrics should never be empty, consider using "
                "'raise_on_empty_metrics'",
                stacklevel=2,
            )
        elif not metrics_disabled():
            _print(self.serialize_metric_set())
            self.clear_metrics()


def _is_number(value: Any) -> bool:
    import numbers  # only for values that are not int/float (Decimal, numpy scalars)

    return isinstance(value, numbers.Number)


class Metrics(EMFBlob):
    """Powertools' ``Metrics``: every instance shares one metric, dimension and metadata set."""

    _metrics: dict[str, Any] = {}
    _dimensions: dict[str, str] = {}
    _metadata: dict[str, Any] = {}
    _default_dimensions: dict[str, Any] = {}

    def __init__(
        self,
        service: str | None = None,
        namespace: str | None = None,
        provider: Any = None,
        function_name: str | None = None,
    ) -> None:
        super().__init__(
            namespace,
            service,
            Metrics._metrics,
            Metrics._dimensions,
            Metrics._metadata,
            Metrics._default_dimensions,
            function_name,
        )
        self.provider = self if provider is None else provider

    def set_default_dimensions(self, **dimensions: Any) -> None:
        """Dimensions on every blob, across invocations."""
        for name, value in dimensions.items():
            self.add_dimension(name, value)
        self.default_dimensions.update(dimensions)

    def clear_default_dimensions(self) -> None:
        """Forget the default dimensions."""
        self.default_dimensions.clear()

    def add_cold_start_metric(self, context: Any) -> None:
        """The ColdStart blob: ``function_name`` and ``service`` dimensions."""
        name = (
            self.function_name
            or os.environ.get(FUNCTION_NAME_VARIABLE)
            or getattr(context, "function_name", None)
        )
        with single_metric(
            name="ColdStart", unit="Count", value=1, namespace=self.namespace
        ) as metric:
            metric.add_dimension(name="function_name", value=str(name))
            if self.service:
                metric.add_dimension(name="service", value=str(self.service))

    def log_metrics(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        capture_cold_start_metric: bool = False,
        raise_on_empty_metrics: bool = False,
        default_dimensions: dict[str, str] | None = None,
    ) -> Any:
        """Flush the metrics after each invocation (and the ColdStart metric once)."""
        if lambda_handler is None:
            return lambda handler: self.log_metrics(
                handler, capture_cold_start_metric, raise_on_empty_metrics, default_dimensions
            )
        if default_dimensions:
            self.set_default_dimensions(**default_dimensions)
        from lambda_kit.compat import one_record

        def layer(handler: Callable[..., Any]) -> Callable[..., Any]:
            import functools  # decoration time only

            @functools.wraps(handler)
            def decorate(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
                try:
                    response = handler(event, context, *args, **kwargs)
                    if capture_cold_start_metric:
                        self._cold_start(context)
                finally:
                    self.flush_metrics(raise_on_empty_metrics=raise_on_empty_metrics)
                return response

            return decorate

        return one_record(lambda_handler, layer, self.service)

    def _cold_start(self, context: Any) -> None:
        inv = current.get()  # lambda_kit's record and this metric agree on the cold start
        cold = inv.cold_start if inv is not None else _cold[0]
        _cold[0] = False
        if cold:
            self.add_cold_start_metric(context)


class SingleMetric(EMFBlob):
    """One metric with its own dimensions (``single_metric``); one ``add_metric`` only."""

    def add_metric(
        self,
        name: str,
        unit: MetricUnit | str,
        value: float,
        resolution: MetricResolution | int = 60,
    ) -> None:
        """Set the metric (a second call is ignored with a warning, as Powertools does)."""
        if self.metric_set:
            warnings.warn(f"Metric {name} not added: single_metric takes one metric", stacklevel=2)
            return
        super().add_metric(name, unit, value, resolution)


import contextlib  # noqa: E402 (after the classes: only single_metric needs it)


@contextlib.contextmanager
def single_metric(
    name: str,
    unit: MetricUnit | str,
    value: float,
    resolution: MetricResolution | int = 60,
    namespace: str | None = None,
    default_dimensions: dict[str, str] | None = None,
) -> Iterator[SingleMetric]:
    """A blob of its own for one metric, printed when the ``with`` block ends.

    with single_metric(name="Retry", unit=MetricUnit.Count, value=1, namespace="Orders") as m:
        m.add_dimension(name="reason", value="timeout")
    """
    blob: dict[str, Any] | None = None
    try:
        metric = SingleMetric(namespace=namespace)
        metric.add_metric(name=name, unit=unit, value=value, resolution=resolution)
        for dim, dim_value in (default_dimensions or {}).items():
            metric.add_dimension(name=dim, value=dim_value)
        yield metric
        blob = metric.serialize_metric_set()
    finally:
        _print(blob)  # type: ignore[arg-type]  # null when the block raised, as Powertools


EphemeralMetrics = EMFBlob


def __getattr__(name: str) -> Any:
    # the enums are made on first use (see lambda_kit.compat._metric_types)
    if name in ("MetricUnit", "MetricResolution"):
        from lambda_kit.compat import _metric_enums

        return getattr(_metric_enums, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EphemeralMetrics",
    "MetricNameError",
    "MetricResolution",
    "MetricResolutionError",
    "MetricUnit",
    "MetricUnitError",
    "MetricValueError",
    "Metrics",
    "SchemaValidationError",
    "single_metric",
]
