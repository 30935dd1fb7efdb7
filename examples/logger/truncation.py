"""A line over the limit (docs/logger.md, "Lines over the limit").

The lines go to a buffer; each is printed with its size, long strings shortened
here (by this script, not by the logger) so that the page stays readable.
"""

import io
import json

from lambda_kit import get_logger

buf = io.StringIO()
log = get_logger("truncation-demo", service="orders", max_line_bytes=1024, output=buf)

# 40 keys of 100 characters: about 4.5 KB, four times the 1 KB limit of this logger
log.info("many keys", **{f"item_{i}": "x" * 100 for i in range(40)})
# one value too big for the line: cut, and the small keys stay
log.info("big body", order_id=42, body="y" * 5000)

for line in buf.getvalue().splitlines():
    fields = json.loads(line)
    short = {k: v[:6] + "..." + v[-16:] if isinstance(v, str) and len(v) > 40 else v
             for k, v in fields.items()}
    print(f"{len(line.encode())} bytes:", json.dumps(short))
