"""An optional sink that cannot be set up is reported once and left off; the handler
module still imports, the handler still runs, and the record is still written."""

from __future__ import annotations

import json

import pytest
from _lk_helpers import run_python

HANDLER_MODULE = """
from lambda_kit import instrument

@instrument(service="orders")
def handler(event, context):
    return {"ok": event["n"]}

@instrument(service="orders")   # a second decorated handler: no second warning
def other(event, context):
    return event

print(json.dumps(handler({"n": 1}, None)))
print(json.dumps(handler({"n": 2}, None)))
"""


@pytest.mark.parametrize("address", ["garbage", "127.0.0.1:notaport", "::::"])
def test_a_bad_xray_daemon_address_does_not_break_the_import(address: str) -> None:
    done = run_python(
        "import json\n" + HANDLER_MODULE,
        env={"LAMBDA_KIT_XRAY": "1", "AWS_XRAY_DAEMON_ADDRESS": address},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    records = [json.loads(line) for line in lines if line.startswith('{"timestamp"')]
    results = [json.loads(line) for line in lines if not line.startswith('{"timestamp"')]
    assert results == [{"ok": 1}, {"ok": 2}]
    assert [r["status"] for r in records] == ["success", "success"]
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("lambda_kit: X-Ray is on but could not be set up")
    assert "going on without X-Ray" in errors[0]
    assert "Traceback" not in done.stderr


def test_the_other_sinks_stay_on_when_one_fails() -> None:
    done = run_python(
        "import json\n" + HANDLER_MODULE,
        env={
            "LAMBDA_KIT_XRAY": "1",
            "AWS_XRAY_DAEMON_ADDRESS": "garbage",
            "LAMBDA_KIT_METRICS": "1",
            "LAMBDA_KIT_METRICS_NAMESPACE": "Orders",
        },
    )
    assert done.returncode == 0, done.stderr
    emf = [json.loads(line) for line in done.stdout.splitlines() if '"_aws"' in line]
    assert len(emf) == 2  # one EMF line per invocation: metrics still on
    assert done.stderr.count("lambda_kit:") == 1
