"""A handler that raises: the record says status "error" and the exception passes through."""

import lambda_kit  # noqa: F401
from lambda_kit import instrument


class OrderNotFound(Exception):
    pass


@instrument(service="orders")
def handler(event, context):
    raise OrderNotFound(f"no order {event.get('order_id')!r}")
