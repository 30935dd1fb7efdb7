"""A handler written for Powertools for AWS Lambda: Logger, Metrics and Tracer.

What `lambda-kit migrate --write` made of examples/powertools_app.py: the same
handler on lambda_kit (idempotency stays on Powertools).
"""

from lambda_kit import Logger, Metrics, Tracer
from lambda_kit.logging import correlation_paths
from lambda_kit.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent_function  # noqa: F401
from lambda_kit.utilities.typing import LambdaContext

logger = Logger(service="orders")
metrics = Metrics(namespace="Shop", service="orders")
tracer = Tracer(service="orders")


@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict, context: LambdaContext) -> dict:
    logger.info("order received", extra={"order_id": event.get("order_id")})
    metrics.add_metric(name="OrdersPlaced", unit=MetricUnit.Count, value=1)
    return {"statusCode": 200}
