# Written as Powertools' Logger docs teach ("Capturing Lambda context info",
# "Setting a Correlation ID", "Logging incoming event", "Appending additional keys").
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(service="payment")
logger.info("module loaded")


@logger.inject_lambda_context(log_event=True, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    logger.info("Collecting payment", extra={"amount": event.get("amount")})
    logger.debug("not shown at INFO")
    logger.info({"operation": "collect_payment", "charge_id": "ch_AZFlk2345C0"})
    logger.info("order %s of %d", "o-1", 3, order_total=42.5)
    logger.info('{"already": "json"}')
    logger.append_keys(payment_id=event.get("payment_id"))
    logger.warning("payment pending", retry=False)
    with logger.append_context_keys(request_path="/pay"):
        logger.info("scoped")
    logger.info("after scope")
    return {"statusCode": 200, "correlation_id": logger.get_correlation_id()}
