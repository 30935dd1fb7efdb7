"""``lambda-kit invoke --web`` end to end on examples/web, and ``lambda-kit event``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lk(*args, check=False):
    return subprocess.run([sys.executable, "-m", "lambda_kit", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=check)


def test_invoke_web_runs_the_example_cold_then_warm_with_lambda_lines(tmp_path):
    event = tmp_path / "e.json"
    event.write_text(_lk("event", "apigw-v2", "--path", "/quotes/3", check=True).stdout)
    out = _lk("invoke", "--web", "lambda_kit/examples/web/app.py:app", "--event", str(event), "-n", "2")
    assert out.returncode == 0, out.stderr
    payloads = [json.loads(x) for x in out.stdout.splitlines()]
    assert [p["statusCode"] for p in payloads] == [200, 200]
    assert json.loads(payloads[0]["body"])["n"] == 3 and payloads[0]["isBase64Encoded"] is False
    log = out.stderr.splitlines()
    assert log[0].startswith("INIT_START")
    reports = [x for x in log if x.startswith("REPORT")]
    assert len(reports) == 2 and "Init Duration" in reports[0] and "Init Duration" not in reports[1]
    records = [json.loads(x) for x in log if x.startswith('{"timestamp"') and '"invocation"' in x]
    assert [r["cold_start"] for r in records] == [True, False]
    assert records[0]["http_route"] == "/quotes/{n:int}"
    assert "readiness_wait_ms" in records[0]["init"]["phases"]
    # each record sits between its own START and END
    for rec in records:
        rid = rec["function_request_id"]
        start = log.index(next(x for x in log if x.startswith(f"START RequestId: {rid}")))
        end = log.index(f"END RequestId: {rid}")
        at = next(i for i, x in enumerate(log) if rid in x and '"type":"invocation"' in x)
        assert start < at < end


def test_invoke_web_streams_and_converts_v1_events(tmp_path):
    event = tmp_path / "e.json"
    event.write_text(_lk("event", "apigw-v1", "--path", "/stream", check=True).stdout)
    out = _lk("invoke", "--web", "lambda_kit/examples/web/app.py:app", "--event", str(event))
    assert out.returncode == 0, out.stderr
    (payload,) = [json.loads(x) for x in out.stdout.splitlines()]
    assert payload["body"].count("data: ") == 2 and "multiValueHeaders" in payload
    assert "transfer-encoding" not in payload["headers"]


def test_invoke_web_app_that_fails_to_import_is_an_init_error(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('no config')\napp = None\n")
    out = _lk("invoke", "--web", f"{bad}:app")
    assert out.returncode == 1
    assert "INIT_REPORT" in out.stderr and "Traceback" not in out.stderr.split("INIT_REPORT")[-1]


def test_event_cli_bad_input_is_one_line_and_exit_2(tmp_path):
    out = _lk("event", "apigw-v2", "--path", "nope")
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "must start with /" in out.stderr
    out = _lk("event", "alb", "--body", f"@{tmp_path}/missing")
    assert out.returncode == 2 and "cannot read body file" in out.stderr
    out = _lk("event", "apigw-v2", "--header", "nocolon")
    assert out.returncode == 2 and "NAME:VALUE" in out.stderr
