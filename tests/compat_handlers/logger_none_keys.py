# Keys whose value is None, as Powertools' formatter treats them (left out of the line;
# a key appended as None and given a value later keeps its place in the line).
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger(service="payment")  # sampling_rate: None, so never on a line


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    logger.append_keys(tenant=None, order_id=None, region="eu")
    logger.info("both None keys left out")
    logger.info("order given by the call", order_id="o-1", extra={"amount": 3})
    with logger.append_context_keys(tenant="t-1"):
        logger.info("tenant given by the scope")
    logger.info("a None value of the call left out too", note=None)
    logger.append_keys(order_id="o-2")
    logger.info("order appended after all")
    logger.append_keys(order_id=None)
    logger.info("and None again")
    logger.remove_keys(["region"])
    logger.info("region removed", region=None)
    return {"ok": True}
