# Written as Powertools' Logger docs teach ("Reusing Logger across your code",
# "Logging exceptions", "Clearing all state", "Removing additional keys").
import os

from aws_lambda_powertools import Logger

logger = Logger(service="payment", level=os.environ.get("HANDLER_LEVEL", "INFO"))
child = Logger(service="payment", child=True)


class PaymentError(Exception):
    pass


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    if event.get("first"):
        logger.append_keys(first_only=True, to_remove="x")
    logger.remove_keys(["to_remove"])
    child.append_keys(from_child="c")
    child.info("child line", step=1)
    logger.debug("debug line shown at DEBUG")
    logger.info("keys now", current=sorted(logger.get_current_keys()))
    try:
        raise PaymentError("card declined")
    except PaymentError:
        logger.exception("payment failed", extra={"order": "o-9"})
    try:
        {}["missing"]
    except KeyError as exc:
        logger.error("lookup failed", exc_info=exc)
    logger.critical("done", nested={"a": [1, 2, {"b": None}]})
    return child.name == "payment.logger_children"
