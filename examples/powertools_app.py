"""A handler written for Powertools for AWS Lambda: Logger, Metrics and Tracer.

`lambda-kit migrate examples/powertools_app.py` shows the import change that
moves it to lambda_kit (examples/migrated_app.py is the result).
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import idempotent_function  # noqa: F401
from aws_lambda_powertools.utilities.typing import LambdaContext

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
