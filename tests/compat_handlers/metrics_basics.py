# Written as Powertools' Metrics docs teach ("Adding metrics", "Adding dimensions",
# "Adding metadata", "Capturing cold start metric", "Single metric", default dimensions).
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import (
    MetricResolution,
    MetricUnit,
    SchemaValidationError,
    single_metric,
)

metrics = Metrics(namespace="ServerlessAirline", service="booking")
metrics.set_default_dimensions(environment="prod")


@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event, context):
    metrics.add_dimension(name="region", value="eu-west-1")
    metrics.add_metric(name="SuccessfulBooking", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="SuccessfulBooking", unit="Count", value=2)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=12.5, resolution=MetricResolution.High)
    metrics.add_metadata(key="booking_id", value=event["booking_id"])
    with single_metric(name="MySingleMetric", unit=MetricUnit.Count, value=1, namespace="Other",
                       default_dimensions={"flow": "single"}) as metric:
        metric.add_dimension(name="function_context", value="$LATEST")
    for i in range(event.get("many", 0)):  # past EMF's 100 metrics: flushed in parts
        metrics.add_metric(name=f"Metric{i}", unit="Count", value=i)
    shared = Metrics()  # state is shared by every instance
    errors = []
    for bad in (lambda: shared.add_metric(name="X", unit="Parsecs", value=1),
                lambda: shared.add_metric(name="X", unit="Count", value="one"),
                lambda: shared.add_metric(name="X", unit="Count", value=1, resolution=30),
                lambda: Metrics(namespace=None).serialize_metric_set(metrics={})):
        try:
            bad()
        except Exception as exc:
            errors.append(type(exc).__name__)
    return {"shared": sorted(shared.metric_set) == sorted(metrics.metric_set), "errors": errors,
            "is_schema": issubclass(SchemaValidationError, Exception)}
