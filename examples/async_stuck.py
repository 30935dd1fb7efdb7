"""An async handler that times out while awaiting: its record says where (docs/instrument.md)."""

import asyncio
import json
import time

from lambda_kit import instrument


class Context:
    """What Lambda passes, with 300 ms left."""

    function_name = "orders"
    aws_request_id = "example-async"

    def __init__(self) -> None:
        self.deadline_ms = time.time() * 1000 + 300

    def get_remaining_time_in_millis(self) -> int:
        return int(self.deadline_ms - time.time() * 1000)


async def fetch_order(order_id: str) -> dict:
    await asyncio.sleep(0.5)  # a dependency that answers too late
    return {"id": order_id}


class Records(list):
    def write(self, line: str) -> None:
        self.append(json.loads(line))

    def flush(self) -> None:
        pass


records = Records()


@instrument(service="orders", output=records, timeout_margin_ms=100)
async def handler(event, context):
    return await fetch_order(event["id"])


asyncio.run(handler({"id": "o-1"}, Context()))
[record] = records
print(record["status"], "after", round(record["duration_ms"], -2), "ms")
for frame in record["timeout_stack"]:  # file:line in function, innermost first
    print(" ", frame.rsplit("/", 1)[-1])
