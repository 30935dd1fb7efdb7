"""The deployed example: an order handler under @instrument, logging with lambda_kit's logger.

The layer provides lambda_kit (and wrapt, orjson); this folder holds only the handler.
"""

import lambda_kit  # first line: starts the import profiler on Lambda
from lambda_kit import instrument, logger


@instrument(service="orders")
def handler(event, context):
    order_id = event.get("order_id", "unknown")
    logger.info("order received", order_id=order_id)
    return {"statusCode": 200, "body": f"order {order_id} accepted"}


__all__ = ["handler", "lambda_kit"]
