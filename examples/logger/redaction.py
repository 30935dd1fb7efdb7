"""What lambda_kit's logger redacts (docs/logger.md, "What redaction covers")."""

from lambda_kit import get_logger

log = get_logger("redaction-demo", service="payments")

# keys in any case and spelling: privateKey, x-api-key, pwd, client_secret...
log.info("keys", privateKey="k", **{"x-api-key": "k"}, pwd="p", client_secret="s", user="ana")
# header pairs, as lists or (name, value) tuples
log.info("headers", headers=[["Authorization", "Basic dXNlcjpwYXNz"], ["Accept", "*/*"]])
# secrets inside strings: a DSN's password, a bearer token, a JWT; also in the message
log.info(
    "connecting to postgresql://app:hunter2@db.internal:5432/orders",
    upstream="Bearer abc123",
    id_token="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEifQ.c2lnbmF0dXJl",
)
# a dict passed as the message
log.info({"action": "login", "password": "hunter2"})
