"""Every line our code writes in a real `lambda-kit invoke` run is one JSON object."""

from __future__ import annotations

import json
import os

from lambda_kit.local import run_environment

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")
PLATFORM = ("INIT_START", "START ", "END ", "REPORT ", "INIT_REPORT")


def test_every_line_of_an_invoke_run_parses_as_json():
    lines: list[str] = []
    good = json.dumps({"order_id": "o-1", "items": [{"price": 2.5, "qty": 2}]})
    bad = json.dumps({"order_id": "o-2", "items": [{"price": 1}]})
    run = run_environment(f"{EXAMPLES}/orders.py:handler", [good, bad, good], log=lines.append)
    assert [r.status for r in run.results] == ["success"] * 3
    ours = [line for line in lines if line.strip() and not line.startswith(PLATFORM)]
    parsed = [json.loads(line) for line in ours]  # raises on any line that is not JSON
    assert all(isinstance(p, dict) for p in parsed)

    records = [p for p in parsed if p.get("type") == "invocation"]
    logs = [p for p in parsed if "type" not in p]
    assert [r["cold_start"] for r in records] == [True, False, False]
    assert "init" in records[0]  # the import profiler ran on this Lambda-like start
    # each log line carries its invocation's request id, cold start and keys
    request_ids = [r["function_request_id"] for r in records]
    received = [p for p in logs if p["message"] == "order received"]
    assert [p["function_request_id"] for p in received] == request_ids
    assert [p["cold_start"] for p in received] == [True, False, False]
    assert [p["order_id"] for p in received] == ["o-1", "o-2", "o-1"]
    assert all(p["team"] == "checkout" and p["service"] == "orders" for p in received)
    assert all(p["password"] == "***" for p in received)
    [malformed] = [p for p in logs if p["message"] == "order is malformed"]
    assert malformed["level"] == "ERROR" and malformed["exception_name"] == "KeyError"
    assert malformed["function_request_id"] == request_ids[1]
    assert not any(p["message"] == "computed total" for p in logs)
