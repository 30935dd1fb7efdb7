"""An I/O-bound handler: it waits (a sleep stands in for a network call) and computes little.

Waiting needs no CPU, so its duration barely changes with memory, and the
smallest size is the cheapest: `lambda-kit tune examples/io_bound.py:handler`.
"""

import time

import lambda_kit  # noqa: F401  (first line: starts the import profiler when enabled)
from lambda_kit import instrument


@instrument(service="io-bound")
def handler(event, context):
    wait_ms = float(event.get("wait_ms", 50))
    time.sleep(wait_ms / 1000.0)
    return {"waited_ms": wait_ms}
