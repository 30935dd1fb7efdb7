"""OpenTelemetry: one span per invocation, a child span from the handler (docs/opentelemetry.md).

Needs opentelemetry-sdk besides lambda_kit's otel extra (opentelemetry-api).
"""

import lambda_kit  # noqa: F401  (first line of the handler module)

# isort: split
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

from lambda_kit import instrument


# the application chooses the SDK and the exporter (OTLP in production); this prints
def one_line(span):
    parent = f"{span.parent.span_id:016x}" if span.parent else None
    return (f"{span.name} kind={span.kind.name} trace={span.context.trace_id:032x} "
            f"span={span.context.span_id:016x} parent={parent}\n  {dict(span.attributes)}\n")


provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(formatter=one_line)))
trace.set_tracer_provider(provider)
tracer = trace.get_tracer("orders")


@instrument(service="orders", otel=True)
def handler(event, context):
    with tracer.start_as_current_span("save order"):  # a child of the invocation span
        return {"statusCode": 201}


if __name__ == "__main__":
    class Context:
        function_name = "orders"
        function_version = "3"
        invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"
        memory_limit_in_mb = "512"
        aws_request_id = "0f1e2d3c-0000-4000-8000-000000000001"
        log_stream_name = "2026/11/24/[3]4f1c0d2b9e8a"

    event = {  # an API Gateway request that carries a W3C trace context
        "httpMethod": "POST", "resource": "/orders", "path": "/orders",
        "headers": {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    }
    handler(event, Context())
