"""Calls examples/hello.py twice in one process, as Lambda reuses an execution environment."""

import hello


class Context:  # what the Lambda runtime passes; lambda-kit invoke builds a real one
    function_name = "hello"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:hello"
    memory_limit_in_mb = "512"
    def __init__(self, request_id):
        self.aws_request_id = request_id

hello.handler({"name": "Ada"}, Context("8f5d0c9e-0a4b-4c2e-9a51-2b1f0e7d3c11"))
hello.handler({"name": "Grace"}, Context("1c7e2a44-5d9f-4b3a-8e60-7a2c9d4f1b08"))
