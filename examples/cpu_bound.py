"""A CPU-bound handler: pure Python arithmetic, no I/O. Its duration follows its CPU share.

`lambda-kit tune examples/cpu_bound.py:handler --memory 256,1769` shows it: with
CPU in proportion to memory, 256 MB has a seventh of 1,769 MB's vCPU, and the
warm duration grows by about as much.
"""

import lambda_kit  # noqa: F401  (first line: starts the import profiler when enabled)
from lambda_kit import instrument


def _work(rounds: int) -> int:
    # a linear congruential walk: integer arithmetic only, nothing to wait for
    x = 1
    for _ in range(rounds):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
    return x


@instrument(service="cpu-bound")
def handler(event, context):
    rounds = int(event.get("rounds", 1_000_000))
    return {"rounds": rounds, "value": _work(rounds)}
