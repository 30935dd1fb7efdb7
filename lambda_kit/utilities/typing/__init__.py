"""``LambdaContext``: the type of a handler's ``context`` argument, for annotations.

    from lambda_kit.utilities.typing import LambdaContext

    def handler(event: dict, context: LambdaContext) -> dict: ...

The attributes are those of the Lambda context object (AWS Lambda docs, "Using
the Lambda context object to retrieve Python function information"); the
runtime passes its own object, this class only describes it.
"""

from __future__ import annotations

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class LambdaContext:
    """What the Lambda runtime passes as ``context`` (described, never instantiated by it)."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    identity: Any
    client_context: Any

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        """Milliseconds left before the invocation times out."""
        return 0


__all__ = ["LambdaContext"]
