"""An instrumented handler that logs: structured lines with the Lambda context, one record.

    lambda-kit invoke examples/orders.py:handler --event examples/order_event.json -n 2
"""

import lambda_kit  # noqa: F401  (first line: starts the import profiler on Lambda)
from lambda_kit import instrument, logger

logger.set_keys(team="checkout")  # every line of this environment


@instrument(service="orders")
def handler(event, context):
    logger.append_keys(order_id=event.get("order_id"))  # this invocation's lines only
    logger.info("order received", items=len(event.get("items", [])), password="hunter2")
    try:
        total = sum(item["price"] * item["qty"] for item in event["items"])
    except (KeyError, TypeError):
        logger.exception("order is malformed")
        return {"statusCode": 400}
    logger.debug("computed total", total=total)  # below the default level: not written
    return {"statusCode": 200, "total": total}
