"""CloudWatch EMF: what @instrument(metrics=True) writes, checked against the specification."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema
import pytest
from _emf_helpers import VALIDATOR, assert_valid_emf
from _sinks_helpers import Context, fresh_environment

from lambda_kit import instrument, metrics
from lambda_kit.sinks.emf import EmfSink


def emf_lines(text: str) -> list[dict[str, Any]]:
    return [assert_valid_emf(line) for line in text.splitlines() if '"_aws"' in line]


def metric_names(doc: dict[str, Any]) -> list[str]:
    return [m["Name"] for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "LAMBDA_KIT_METRICS",
        "LAMBDA_KIT_METRICS_NAMESPACE",
        "POWERTOOLS_METRICS_NAMESPACE",
    ):
        monkeypatch.delenv(name, raising=False)
    fresh_environment()
    metrics.clear()


def run(handler: Any, event: Any = None, request_id: str = "req-1") -> Any:
    return handler(event or {}, Context(request_id))


# -- what one invocation writes ----------------------------------------------------------
def test_metrics_true_writes_one_valid_emf_line_after_the_record() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> str:
        return "ok"

    assert run(handler) == "ok"
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert json.loads(lines[0])["message"] == "invocation"
    assert_valid_emf(lines[1])


def test_cold_start_line_has_coldstart_and_init_duration() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler)
    (doc,) = emf_lines(out.getvalue())
    assert doc["ColdStart"] == 1
    assert doc["InitDuration"] > 0
    assert {
        "Duration",
        "BilledDuration",
        "MaxMemoryUsed",
        "EstimatedCost",
        "Errors",
        "Timeouts",
    } <= set(metric_names(doc))


def test_warm_start_line_has_no_coldstart_nor_init_duration() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler)
    run(handler, request_id="req-2")
    warm = emf_lines(out.getvalue())[1]
    assert "ColdStart" not in metric_names(warm) and "ColdStart" not in warm
    assert "InitDuration" not in metric_names(warm)
    assert warm["Duration"] >= 0


def test_metric_values_are_the_records_values() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler)
    record, doc = (json.loads(line) for line in out.getvalue().splitlines())
    assert doc["Duration"] == record["duration_ms"]
    assert doc["BilledDuration"] == record["billed_duration_ms"]
    assert doc["MaxMemoryUsed"] == record["max_memory_used_mb"]
    assert doc["EstimatedCost"] == record["cost_usd"]
    units = {m["Name"]: m["Unit"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units["Duration"] == "Milliseconds" and units["MaxMemoryUsed"] == "Megabytes"


def test_dimensions_are_service_and_function_name_never_the_request_id() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler, request_id="req-42")
    (doc,) = emf_lines(out.getvalue())
    assert doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service", "function_name"]]
    assert (doc["service"], doc["function_name"]) == ("orders", "orders")
    assert doc["function_request_id"] == "req-42"  # a plain member, for Logs Insights


def test_errors_is_one_when_the_handler_raises_and_the_exception_goes_through() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        raise KeyError("id")

    with pytest.raises(KeyError):
        run(handler)
    (doc,) = emf_lines(out.getvalue())
    assert (doc["Errors"], doc["Timeouts"]) == (1, 0)


def test_timeouts_is_one_for_a_record_that_timed_out() -> None:
    docs = EmfSink(namespace="orders").documents(
        {"service": "orders", "function_name": "f", "status": "timeout", "duration_ms": 3000.0}
    )
    assert (docs[0]["Errors"], docs[0]["Timeouts"]) == (0, 1)


# -- namespace -------------------------------------------------------------------------
def test_namespace_argument_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_KIT_METRICS_NAMESPACE", "FromEnv")
    assert EmfSink(namespace="Shop").namespace == "Shop"


def test_namespace_from_lambda_kit_then_powertools_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Powertools")
    assert EmfSink().namespace == "Powertools"
    monkeypatch.setenv("LAMBDA_KIT_METRICS_NAMESPACE", "Kit")
    assert EmfSink().namespace == "Kit"


def test_bad_namespace_is_reported_and_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    assert EmfSink(namespace="AWS/Lambda").namespace == "lambda_kit"
    assert "namespace 'AWS/Lambda' is not a CloudWatch namespace" in capsys.readouterr().err


def test_environment_variable_turns_metrics_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_KIT_METRICS", "1")
    monkeypatch.setenv("LAMBDA_KIT_METRICS_NAMESPACE", "Shop")
    out = io.StringIO()

    @instrument(service="orders", output=out)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler)
    (doc,) = emf_lines(out.getvalue())
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Shop"


def test_metrics_argument_false_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_KIT_METRICS", "1")
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=False)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler)
    assert emf_lines(out.getvalue()) == []


# -- user metrics ---------------------------------------------------------------------------
def test_user_metrics_go_out_with_the_record() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        metrics.add("OrdersPlaced", 1, "Count")
        metrics.add("BasketValue", 42.5)
        metrics.add("BasketValue", 7)

    run(handler)
    (doc,) = emf_lines(out.getvalue())
    assert doc["OrdersPlaced"] == 1
    assert doc["BasketValue"] == [42.5, 7]
    units = {m["Name"]: m["Unit"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert (units["OrdersPlaced"], units["BasketValue"]) == ("Count", "None")


def test_user_metrics_do_not_leak_into_the_next_invocation() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        if event.get("add"):
            metrics.add("OrdersPlaced", 1, "Count")

    run(handler, {"add": True})
    run(handler, {"add": False})
    first, second = emf_lines(out.getvalue())
    assert "OrdersPlaced" in first and "OrdersPlaced" not in second


def test_high_resolution_metric_has_storage_resolution_one() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        metrics.add("QueueDepth", 3, "Count", resolution=1)

    run(handler)
    (doc,) = emf_lines(out.getvalue())
    (definition,) = [
        m for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"] if m["Name"] == "QueueDepth"
    ]
    assert definition == {"Name": "QueueDepth", "Unit": "Count", "StorageResolution": 1}


def test_bad_unit_is_reported_and_written_as_none(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> str:
        metrics.add("Latency", 5, "ms")
        return "ok"

    assert run(handler) == "ok"
    (doc,) = emf_lines(out.getvalue())
    units = {m["Name"]: m["Unit"] for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert units["Latency"] == "None"
    assert "unit 'ms' for 'Latency' is not a CloudWatch unit" in capsys.readouterr().err


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "12", None, True])
def test_value_that_is_not_a_finite_number_is_reported_and_left_out(
    value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> str:
        metrics.add("Weird", value)
        return "ok"

    assert run(handler) == "ok"
    (doc,) = emf_lines(out.getvalue())
    assert "Weird" not in doc
    assert "is not a finite number" in capsys.readouterr().err


def test_user_metric_named_like_a_dimension_is_renamed_not_lost(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        metrics.add("service", 3)

    run(handler)
    (doc,) = emf_lines(out.getvalue())
    assert doc["service"] == "orders" and doc["service_"] == 3
    assert "taken by a dimension or property" in capsys.readouterr().err


def test_metrics_added_with_metrics_off_are_reported_and_dropped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out)
    def plain(event: Any, context: Any) -> None:
        metrics.add("OrdersPlaced", 1, "Count")

    run(plain)
    run(plain, request_id="req-2")
    assert "metrics added but not written (OrdersPlaced)" in capsys.readouterr().err
    assert metrics.take() == {}  # each invocation's values went with it: nothing lingers


def test_metrics_added_during_init_go_out_with_the_first_invocation() -> None:
    metrics.add("ConfigLoaded", 1, "Count")  # module code, before any invocation
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        return None

    run(handler)
    (doc,) = emf_lines(out.getvalue())
    assert doc["ConfigLoaded"] == 1


# -- the specification's limits ------------------------------------------------------------
def test_more_than_100_metrics_split_into_lines_of_at_most_100() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        for i in range(150):
            metrics.add(f"U{i:03d}", i, "Count")

    run(handler)
    docs = emf_lines(out.getvalue())
    assert len(docs) == 2
    names = [n for d in docs for n in metric_names(d) if n.startswith("U")]
    assert sorted(names) == [f"U{i:03d}" for i in range(150)]
    assert all(d[f"U{i:03d}"] == i for i in range(150) for d in docs if f"U{i:03d}" in d)


def test_more_than_100_values_continue_in_the_next_line() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        for i in range(250):
            metrics.add("Size", i, "Bytes")

    run(handler)
    docs = emf_lines(out.getvalue())
    chunks = [d["Size"] for d in docs if "Size" in d]
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert [v for c in chunks for v in c] == list(range(250))


def test_lines_that_would_pass_256_kb_are_split_and_nothing_is_lost() -> None:
    user = [
        (f"{'m' * 200}{i:03d}", "Count", 60, [1.0000000001 * j for j in range(100)])
        for i in range(100)
    ]
    lines = EmfSink(namespace="orders").lines({"service": "s", "function_name": "f"}, user)
    assert len(lines) > 1  # 100 metrics x 100 values does not fit one event
    docs = [assert_valid_emf(line) for line in lines]
    written = {n for d in docs for n in metric_names(d)}
    assert {name for name, *_ in user} <= written
    assert all(d[name] == values for name, _, _, values in user for d in docs if name in d)


def test_schema_rejects_a_directive_with_101_metrics() -> None:
    doc = {
        "_aws": {
            "Timestamp": 1,
            "CloudWatchMetrics": [
                {
                    "Namespace": "n",
                    "Dimensions": [[]],
                    "Metrics": [{"Name": f"m{i}"} for i in range(101)],
                }
            ],
        }
    }
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(doc)


def test_schema_rejects_31_dimensions_and_an_unknown_unit() -> None:
    base = {"Namespace": "n", "Metrics": [{"Name": "m", "Unit": "Count"}]}
    too_many = {**base, "Dimensions": [[f"d{i}" for i in range(31)]]}
    bad_unit = {**base, "Dimensions": [[]], "Metrics": [{"Name": "m", "Unit": "ms"}]}
    for directive in (too_many, bad_unit):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate({"_aws": {"Timestamp": 1, "CloudWatchMetrics": [directive]}})


@pytest.mark.parametrize("name", ["", "   ", "x" * 256, None])
def test_bad_metric_name_is_reported_and_refused(
    name: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics.add(name, 1)
    assert metrics.take() == {}
    assert "must be a non-empty string of at most 255 characters" in capsys.readouterr().err


def test_one_invocation_holds_at_most_10000_values(capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(10_005):
        metrics.add("Hits", i % 7, "Count")
    assert len(metrics.take()["Hits"][2]) == 10_000
    assert "more than 10000 values in one invocation" in capsys.readouterr().err
