"""Sampling, redaction, limits and bad values (docs/logger.md)."""

import sys

from lambda_kit import get_logger

# redaction: on by default, recursive; add patterns, or turn it off explicitly
log = get_logger("demo", service="payments", redact_keys=[r"^card_number$"])
log.info("charge", card_number="4111 1111 1111 1111", request={"headers": {"Cookie": "s=1"}})
get_logger("raw", service="payments", redact=False).info("debugging", password="hunter2")

# a line over the limit (256 KB by default) is cut to fit and says so
get_logger("small", service="payments", max_line_bytes=1024).info("big", body="x" * 5000)

# values orjson cannot write become their str()
log.info("odd values", amount=__import__("decimal").Decimal("9.99"), ids={3}, big=2**70)

# debug sampling: a rate of 1 samples every invocation
get_logger("sampled", service="payments", sample_rate=1.0).debug("sampled detail")

# a closed stdout loses the line, not the handler
sys.stdout = None
get_logger("closed", service="payments").info("nowhere to go")
sys.stdout = sys.__stdout__
print("still running")
