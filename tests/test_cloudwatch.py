"""`lambda-kit cloudwatch dashboard|alarms`: the metrics are the ones the EMF sink writes, the
template passes cfn-lint and reads back as YAML, and --apply creates them in moto."""

import json
import os
import shutil
import subprocess
import sys

import boto3
import pytest
import yaml
from _aws_helpers import FaultyLogs
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.cli import main
from lambda_kit.cloudwatch.alarms import alarm_definitions, template
from lambda_kit.cloudwatch.dashboard import dashboard_body
from lambda_kit.cloudwatch.metrics import Target
from lambda_kit.cloudwatch.yaml_out import to_yaml
from lambda_kit.sinks.emf import EmfSink

RECORD = {
    "service": "orders-api", "function_name": "orders", "cold_start": True, "duration_ms": 12.5,
    "billed_duration_ms": 13, "init_duration_ms": 300.0, "max_memory_used_mb": 80,
    "cost_usd": 1e-6, "status": "timeout", "function_request_id": "r1",
}


def run(capsys, *argv):
    code = main(["cloudwatch", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def emf_metrics():
    [doc] = EmfSink(namespace="shop").documents(RECORD)
    directive = doc["_aws"]["CloudWatchMetrics"][0]
    dims = {k: doc[k] for k in directive["Dimensions"][0]}
    return directive["Namespace"], {m["Name"] for m in directive["Metrics"]}, dims


def test_every_dashboard_metric_is_one_the_emf_sink_writes():
    namespace, names, dims = emf_metrics()
    body = dashboard_body(Target("orders", service="orders-api", namespace="shop"))
    assert len(body["widgets"]) >= 6
    seen = set()
    for widget in body["widgets"]:
        for line in widget["properties"].get("metrics", []):
            if "expression" in line[0]:
                continue
            assert line[0] == namespace and line[1] in names
            assert dict(zip(line[2:6:2], line[3:6:2], strict=True)) == dims
            seen.add(line[1])
    assert {"ColdStart", "Duration", "InitDuration", "EstimatedCost", "Errors", "Timeouts"} <= seen
    queries = [w["properties"]["query"] for w in body["widgets"] if w["type"] == "log"]
    assert all(q.startswith("SOURCE '/aws/lambda/orders'\n| filter type = \"invocation\"") for q in queries)
    assert any("init.phases.imports_ms" in q for q in queries)
    assert any("function_memory_size" in q for q in queries)
    assert any("reused" in q for q in queries)


def test_every_alarm_metric_is_one_the_emf_sink_writes():
    namespace, names, dims = emf_metrics()
    alarms = alarm_definitions(Target("orders", service="orders-api", namespace="shop"), budget_per_hour=2, memory_size_mb=1024)
    stats = [a for a in alarms if "MetricName" in a] + [m["MetricStat"] for a in alarms for m in a.get("Metrics", []) if "MetricStat" in m]
    for s in stats:
        metric = s.get("Metric", s)
        assert metric["Namespace"] == namespace and metric["MetricName"] in names
        assert {d["Name"]: d["Value"] for d in metric["Dimensions"]} == dims
    memory = next(a for a in alarms if a["MetricName" if "MetricName" in a else "AlarmName"] == "MaxMemoryUsed")
    assert memory["Threshold"] == pytest.approx(921.6)


def test_the_dashboard_is_printed_as_json(capsys):
    code, out, _ = run(capsys, "dashboard", "--function", "orders", "--region", "eu-west-1")
    body = json.loads(out)
    assert code == 0 and all(w["properties"]["region"] == "eu-west-1" for w in body["widgets"])


def test_dashboard_apply_puts_it(aws, capsys):
    code, out, err = run(capsys, "dashboard", "--function", "orders", "--apply")
    assert code == 0, err
    assert out == "dashboard lambda-kit-orders: 8 widgets put in us-east-1\n"
    got = boto3.client("cloudwatch").get_dashboard(DashboardName="lambda-kit-orders")
    assert json.loads(got["DashboardBody"]) == dashboard_body(Target("orders"))


def test_the_template_passes_cfn_lint_and_reads_back(capsys, tmp_path):
    path = tmp_path / "alarms.yaml"
    code, out, _ = run(capsys, "alarms", "--function", "orders", "--memory-size", "1769", "-o", str(path))
    assert code == 0 and out == f"{path}: 4 alarms, 3 saved queries\n"
    doc = yaml.safe_load(path.read_text())
    assert doc == template(Target("orders"), alarm_definitions(Target("orders"), budget_per_hour=1.0, memory_size_mb=1769))
    kinds = [r["Type"] for r in doc["Resources"].values()]
    assert kinds.count("AWS::CloudWatch::Alarm") == 4 and kinds.count("AWS::Logs::QueryDefinition") == 3
    lint = shutil.which("cfn-lint", path=os.path.dirname(sys.executable))
    done = subprocess.run([lint, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_cfn_lint_would_catch_a_broken_template(tmp_path):
    doc = template(Target("orders"), alarm_definitions(Target("orders"), budget_per_hour=1.0, memory_size_mb=1024))
    doc["Resources"]["TimeoutsAlarm"]["Properties"]["ComparisonOperator"] = "Bigger"
    path = tmp_path / "bad.yaml"
    path.write_text(to_yaml(doc))
    lint = shutil.which("cfn-lint", path=os.path.dirname(sys.executable))
    assert subprocess.run([lint, str(path)], capture_output=True).returncode != 0


def test_alarms_apply_creates_them_and_saves_the_queries(aws, capsys, monkeypatch):
    with FaultyLogs() as logs_api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", logs_api.url)  # moto has no PutQueryDefinition
        code, out, err = run(capsys, "alarms", "--function", "orders", "--memory-size", "512", "--budget-per-hour", "0.25", "--apply")
    assert code == 0, err
    alarms = {a["AlarmName"]: a for a in boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    assert set(alarms) == {f"lambda-kit-orders-{k}" for k in ("cost-per-hour", "timeouts", "memory", "cold-start-rate")}
    assert alarms["lambda-kit-orders-cost-per-hour"]["Threshold"] == 0.25
    assert alarms["lambda-kit-orders-memory"]["Threshold"] == pytest.approx(460.8)
    assert [m["Id"] for m in alarms["lambda-kit-orders-cold-start-rate"]["Metrics"]] == ["rate", "cold", "calls"]
    saved = [p for op, p in logs_api.calls if op == "PutQueryDefinition"]
    assert [p["name"] for p in saved] == [f"lambda-kit/orders/{k}" for k in ("report-totals", "report-hourly", "slowest-invocations")]
    assert all(p["logGroupNames"] == ["/aws/lambda/orders"] for p in saved)
    assert out.count("\n") == 7


def test_a_refused_put_query_definition_names_the_action(aws, capsys, monkeypatch):
    with FaultyLogs(deny=("PutQueryDefinition",)) as logs_api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", logs_api.url)
        code, _, err = run(capsys, "alarms", "--function", "orders", "--memory-size", "512", "--apply")
    assert code == 2 and "grant the IAM action logs:PutQueryDefinition" in err and err.count("\n") == 1


def test_an_html_error_page_becomes_one_line(aws, capsys, monkeypatch):
    with FaultyLogs(broken=("PutQueryDefinition",)) as logs_api:
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", logs_api.url)
        code, _, err = run(capsys, "alarms", "--function", "orders", "--memory-size", "512", "--apply")
    assert code == 2
    assert err == "lambda-kit cloudwatch: logs:PutQueryDefinition: the endpoint answered HTTP 500: 500 Internal Server Error Internal Server Error\n"


@pytest.mark.parametrize("argv,message", [
    (["--memory-size", "64"], "--memory-size must be between 128 and 10240 MB"),
    (["--memory-size", "512", "--budget-per-hour", "0"], "--budget-per-hour must be more than 0 (USD)"),
    (["--memory-size", "512", "--cold-start-pct", "120"], "--cold-start-pct must be between 0 and 100"),
])
def test_bad_alarm_options_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, "alarms", "--function", "orders", *argv)
    assert code == 2 and out == "" and err == f"lambda-kit cloudwatch: {message}\n"


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
values = st.recursive(
    st.one_of(text, st.integers(-10**9, 10**9), st.booleans(), st.floats(allow_nan=False, allow_infinity=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=80)
@given(st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True), values, min_size=1, max_size=5))
def test_yaml_out_reads_back_as_the_same_document(doc):
    assert yaml.safe_load(to_yaml(doc)) == doc


def _function_in_moto(name, memory):
    import io
    import zipfile

    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return 1\n")
    role = boto3.client("iam").create_role(
        RoleName="lambda-kit-test", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})
    )["Role"]["Arn"]
    boto3.client("lambda").create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
        Code={"ZipFile": package.getvalue()}, MemorySize=memory,
    )


def test_the_memory_size_is_asked_of_lambda_when_not_given(aws, capsys, tmp_path):
    _function_in_moto("orders", 1536)
    path = tmp_path / "alarms.yaml"
    code, _, err = run(capsys, "alarms", "--function", "orders", "-o", str(path))
    assert code == 0, err
    memory = yaml.safe_load(path.read_text())["Resources"]["MemoryAlarm"]["Properties"]
    assert memory["Threshold"] == pytest.approx(0.9 * 1536)


def test_an_unknown_function_without_memory_size_says_what_to_give(aws, capsys):
    code, out, err = run(capsys, "alarms", "--function", "nope")
    assert code == 2 and out == ""
    assert err.startswith("lambda-kit cloudwatch: lambda:GetFunctionConfiguration failed: ResourceNotFoundException")
    assert err.endswith("; or give --memory-size MB\n") and err.count("\n") == 1
