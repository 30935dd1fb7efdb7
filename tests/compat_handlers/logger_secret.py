# A Powertools handler that logs a secret-looking key (lambda_kit redacts it by default).
from aws_lambda_powertools import Logger

logger = Logger(service="auth")


@logger.inject_lambda_context
def handler(event, context):
    logger.info("login", user="ana", api_token="tok-123", headers={"Authorization": "Bearer x"})
    return True
