"""Lambda's payload limits for synchronous invocations, and how it words refusing them.

Sources: AWS Lambda developer guide, "Lambda quotas" (invocation payload, request and
response: 6 MB each, synchronous); the messages as Lambda returns them, seen in the
field: ``RequestEntityTooLargeException: Request must be smaller than 6291456 bytes for
the InvokeFunction operation`` (e.g. awslabs/aws-athena-query-federation#793) and
``Response payload size (9706999 bytes) exceeded maximum allowed payload size (6291556
bytes).`` with error type ``Function.ResponseSizeTooLarge``
(umihico/pythonista-chromeless#11; DataBiosphere/azul#7466).
"""

from __future__ import annotations

import json

#: the largest event the Invoke API accepts (6 MiB)
MAX_REQUEST_BYTES = 6_291_456
#: the largest response the Runtime API takes from the function (6 MiB + 100 bytes)
MAX_RESPONSE_BYTES = 6_291_556
RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge"


def request_too_large(size: int) -> str | None:
    """What the Invoke API says to an event of ``size`` bytes, or None when it fits.

    >>> request_too_large(7_000_000)[:62]
    'RequestEntityTooLargeException: Request must be smaller than 6'
    """
    if size <= MAX_REQUEST_BYTES:
        return None
    return (
        "RequestEntityTooLargeException: Request must be smaller than "
        f"{MAX_REQUEST_BYTES} bytes for the InvokeFunction operation"
    )


def response_too_large(size: int) -> bytes:
    """The invocation's error payload when the function answered with ``size`` bytes."""
    message = (
        f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({MAX_RESPONSE_BYTES} bytes)."
    )
    return json.dumps({"errorMessage": message, "errorType": RESPONSE_TOO_LARGE}).encode()
