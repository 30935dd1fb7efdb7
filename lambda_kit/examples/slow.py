"""A handler that outlives its timeout: Lambda kills the environment, the next start is cold."""

import time

import lambda_kit  # noqa: F401
from lambda_kit import instrument


@instrument(service="reports")
def handler(event, context):
    # waits longer than the function's timeout (`lambda-kit invoke --timeout 1`)
    print(f"building the report; {context.get_remaining_time_in_millis()} ms left")
    time.sleep(float(event.get("sleep_s", 5)))
    return {"done": True}
