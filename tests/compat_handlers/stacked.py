# All three Powertools decorators, stacked as their docs show, with lambda_kit's
# @instrument inside them (or, with STACK=outside, outside them).
import os

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="orders")
metrics = Metrics(namespace="Shop", service="orders")
tracer = Tracer(service="orders")


def body(event, context):
    logger.info("placing", order=event["order"])
    metrics.add_metric(name="Orders", unit="Count", value=1)
    return {"ok": True}


if os.environ.get("STACK") == "instrument-inside":
    from lambda_kit import instrument

    handler = tracer.capture_lambda_handler(
        logger.inject_lambda_context(metrics.log_metrics(instrument(service="orders")(body)))
    )
elif os.environ.get("STACK") == "instrument-outside":
    from lambda_kit import instrument

    handler = instrument(service="orders")(
        tracer.capture_lambda_handler(logger.inject_lambda_context(metrics.log_metrics(body)))
    )
else:
    handler = tracer.capture_lambda_handler(logger.inject_lambda_context(metrics.log_metrics(body)))
