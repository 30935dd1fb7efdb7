"""Runs examples/s3_report.py as Lambda would: import the handler's module, invoke it twice.

    AWS_LAMBDA_FUNCTION_NAME=s3-report _HANDLER=s3_report.handler python examples/run_s3_report.py
"""

import importlib

module = importlib.import_module("s3_report")  # what the runtime client does at init
for _ in range(2):
    module.handler({"bucket": "reports"}, None)
