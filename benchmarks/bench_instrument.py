"""Per-invocation overhead of @instrument against a bare handler and Powertools, in one run.

Every variant writes what it writes to a file: lambda_kit its record, Powertools
its log line and its EMF metrics line. ``make bench`` prints each overhead over
the bare handler and the ratio lambda_kit / Powertools.
Target: under 5 us per invocation and at most 0.1x the Powertools setup below.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys

import pytest

from lambda_kit import environment, instrument


def _handler(event, context):
    return {"statusCode": 200, "body": event["id"]}


@pytest.fixture
def sink_file(tmp_path):
    path = tmp_path / "out.jsonl"
    yield str(path)
    assert path.exists() or True  # the bare handler writes nothing


@pytest.mark.benchmark(group="invocation")
def test_bare_handler(benchmark, lambda_context):
    benchmark.extra_info.update(role="baseline", case="bare handler")
    event = {"id": "42"}
    assert benchmark(_handler, event, lambda_context)["body"] == "42"


@pytest.mark.benchmark(group="invocation")
def test_lambda_kit_instrument_app_imported_orjson(benchmark, lambda_context, sink_file):
    # the application imported orjson itself: the record is still lambda_kit's own line
    import orjson  # noqa: F401

    benchmark.extra_info.update(role="subject", case="lambda_kit @instrument, app imported orjson")
    environment.reset()
    handler = instrument(service="bench", output=sink_file)(_handler)
    event = {"id": "42"}
    handler(event, lambda_context)  # the cold start is not what this measures
    assert benchmark(handler, event, lambda_context)["body"] == "42"
    with open(sink_file) as f:
        assert f.readline().startswith('{"timestamp"')
    environment.reset()


@pytest.mark.benchmark(group="invocation")
def test_lambda_kit_instrument_default(benchmark, lambda_context, sink_file):
    # the default: lambda_kit never imports orjson itself (a cold-start cost); the
    # record is written by lambda_kit.record's own template
    benchmark.extra_info.update(role="subject", case="lambda_kit @instrument")
    environment.reset()
    handler = instrument(service="bench", output=sink_file)(_handler)
    orjson = sys.modules.pop("orjson", None)  # as if nothing had imported it
    try:
        handler({"id": "1"}, lambda_context)
        assert benchmark(handler, {"id": "42"}, lambda_context)["body"] == "42"
    finally:
        if orjson is not None:
            sys.modules["orjson"] = orjson
    environment.reset()


@pytest.mark.benchmark(group="invocation")
def test_powertools_logger_and_metrics(benchmark, lambda_context, sink_file, monkeypatch):
    benchmark.extra_info.update(role="reference", case="Powertools Logger+Metrics")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "bench")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Bench")
    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    out = open(sink_file, "a")  # noqa: SIM115
    logger = Logger(service="bench", logger_handler=logging.StreamHandler(out))
    metrics = Metrics(namespace="Bench", service="bench")

    @metrics.log_metrics(capture_cold_start_metric=True)
    @logger.inject_lambda_context
    def handler(event, context):
        logger.info("order received")
        metrics.add_metric(name="Orders", unit=MetricUnit.Count, value=1)
        return _handler(event, context)

    event = {"id": "42"}
    with contextlib.redirect_stdout(out):  # Metrics prints its EMF line to stdout
        handler(event, lambda_context)
        assert benchmark(handler, event, lambda_context)["body"] == "42"
    out.close()
    assert os.path.getsize(sink_file) > 0
