"""The logger in fresh processes: cold start and request ids as Lambda would show
them, and what importing it costs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

HANDLER = """
import lambda_kit
from lambda_kit import instrument, logger

logger.info("init done")

class Context:
    def __init__(self, request_id):
        self.function_name = "orders-fn"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-fn"
        self.aws_request_id = request_id

@instrument(service="orders")
def handler(event, context):
    logger.append_keys(order_id=event["order_id"])
    logger.info("order received")
    logger.warning("slow payment provider", latency_ms=812)
    return {"ok": True}

for n in (1, 2):
    handler({"order_id": n}, Context(f"req-{n}"))
"""


def _run_handler(tmp_path: Path) -> list[dict[str, object]]:
    module = tmp_path / "app.py"
    module.write_text(HANDLER)
    proc = subprocess.run(
        [sys.executable, str(module)], capture_output=True, text=True, timeout=60, check=True
    )
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_a_fresh_process_logs_cold_then_warm_with_each_request_id(tmp_path):
    for _ in range(2):  # two fresh processes: each has its own cold start
        out = _run_handler(tmp_path)
        user = [x for x in out if x.get("type") != "invocation"]
        assert [x["message"] for x in user] == [
            "init done",
            "order received",
            "slow payment provider",
            "order received",
            "slow payment provider",
        ]
        assert "cold_start" not in user[0]  # init: no invocation yet
        assert [x["cold_start"] for x in user[1:]] == [True, True, False, False]
        assert [x["function_request_id"] for x in user[1:]] == ["req-1", "req-1", "req-2", "req-2"]
        assert [x["order_id"] for x in user[1:]] == [1, 1, 2, 2]
        records = [x for x in out if x.get("type") == "invocation"]
        assert [r["function_request_id"] for r in records] == ["req-1", "req-2"]
        assert [r["cold_start"] for r in records] == [True, False]


def test_importing_the_logger_loads_no_heavy_modules():
    code = textwrap.dedent("""
        import sys
        import lambda_kit  # the baseline: what @instrument needs is paid anyway
        before = set(sys.modules)
        from lambda_kit import logger
        logger.debug("below the level: nothing is written, nothing is loaded", a=1)
        heavy = {"logging", "datetime", "inspect", "asyncio", "traceback", "random", "re",
                 "json", "weakref", "typing", "orjson", "dataclasses", "importlib.metadata"}
        print(sorted(heavy & (set(sys.modules) - before)))
    """)
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_INITIALIZATION_TYPE"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    assert proc.stdout.splitlines()[-1] == "[]"


def test_lines_skip_orjson_until_something_imports_it_and_both_encoders_agree():
    code = textwrap.dedent("""
        import datetime, decimal, sys
        from lambda_kit import logger
        keys = dict(n=1, f=0.1, nan=float("nan"), tags={"a"}, big=2**70, when=datetime.date(2026, 11, 24),
                    price=decimal.Decimal("9.99"), nested={"k": [1, None, True]}, text="é\\n\\"")
        for _ in range(1500):  # no line count makes the logger import orjson itself
            logger.debug("below the level", **keys)
        logger.info("first", **keys)
        print("orjson" in sys.modules, file=sys.stderr)
        import orjson  # the application's own import: from now on lines use it
        logger.info("first", **keys)
        print("orjson" in sys.modules, file=sys.stderr)
    """)
    env = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_INITIALIZATION_TYPE"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    assert proc.stderr.split() == ["False", "True"]  # line 1: the stdlib encoder; line 2: orjson
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    first.pop("timestamp"), second.pop("timestamp")
    first.pop("location"), second.pop("location")
    assert first == second
    assert first["nan"] is None and first["tags"] == ["a"] and first["big"] == 2**70
    assert first["when"] == "2026-11-24" and first["price"] == "9.99"
    assert first["text"] == 'é\n"'


def test_provisioned_concurrency_loads_orjson_during_init():
    code = "import sys; from lambda_kit import logger; print('orjson' in sys.modules)"
    env = {**os.environ, "AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    assert proc.stdout.strip() == "True"
