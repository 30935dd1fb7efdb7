"""A handler with a heavy import: the cold start pays for it once, warm invocations don't.

`lambda-kit demo` invokes it twice in one environment: the first REPORT shows
the Init Duration (mostly `heavy_sdk`'s import), the second shows none.
"""

import lambda_kit  # noqa: F401  (first line: starts the import profiler when enabled)
from lambda_kit import instrument

# isort: split
import heavy_sdk  # the heavy import, paid during INIT


@instrument(service="pricing")
def handler(event, context):
    prices = event.get("prices", [1.5, 2.25, 4.0])
    return {"median": heavy_sdk.median_price(prices), "count": len(prices)}
