"""The smallest instrumented handler: one JSON record per invocation on stdout."""

import lambda_kit  # noqa: F401  (first line: starts the import profiler when enabled)
from lambda_kit import instrument


@instrument(service="hello")
def handler(event, context):
    name = event.get("name", "world")
    return {"statusCode": 200, "body": f"hello, {name}"}
