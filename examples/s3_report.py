"""A handler with real dependencies, to see where its cold start goes.

    lambda-kit imports examples/s3_report.py
"""

import lambda_kit  # noqa: F401, I001  (first: starts the import profiler on Lambda)

import boto3
import requests
from lambda_kit import instrument

# created once per execution environment, at init, and reused by every invocation
s3 = boto3.client("s3", region_name="us-east-1")


@instrument(service="s3-report")
def handler(event, context):
    if event.get("notify"):
        requests.post(event["notify"], json={"bucket": event["bucket"]}, timeout=2)
    return {"bucket": event.get("bucket"), "client": s3.meta.service_model.service_name}
