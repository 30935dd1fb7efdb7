"""``lambda-kit demo``: the bundled example handlers, invoked in this process."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import uuid


class _Context:
    """A Lambda context like the runtime's, for in-process demo runs."""

    def __init__(self, name: str, memory_mb: int) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.memory_limit_in_mb = str(memory_mb)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "demo"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--examples", default=None, help="folder of example handlers")


def run(args: argparse.Namespace) -> int:
    folder = args.examples or os.path.join(os.getcwd(), "examples")
    sys.path.insert(0, folder)
    module = importlib.import_module("hello")
    for i in range(2):
        print(f"--- invocation {i + 1} of examples/hello.py", flush=True)
        module.handler({"name": "demo"}, _Context("hello", 512))
    return 0
