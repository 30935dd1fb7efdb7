"""The Powertools-compatible Metrics write Powertools' EMF (real Powertools, side by side)."""

from __future__ import annotations

from _compat_helpers import run_both


def _blob_facts(blob):
    aws = blob["_aws"]
    assert isinstance(aws.pop("Timestamp"), int)
    return blob  # namespace, dimension sets, metric definitions, dimension values, metadata, values


def _same_emf(pt, lk):
    assert len(pt.emf) == len(lk.emf)
    for ours, theirs in zip(lk.emf, pt.emf, strict=True):
        ours, theirs = _blob_facts(ours), _blob_facts(theirs)
        assert list(ours) == list(theirs)  # the same top-level keys in the same order
        assert ours == theirs


def test_metrics_dimensions_metadata_cold_start_and_single_metric_match():
    pt, lk = run_both("metrics_basics", [{"booking_id": "b-1"}, {"booking_id": "b-2"}])
    _same_emf(pt, lk)
    assert pt.results == lk.results
    assert lk.results[0]["errors"] == [
        "MetricUnitError", "MetricValueError", "MetricResolutionError", "SchemaValidationError",
    ]
    cold = [b for b in lk.emf if "ColdStart" in b]
    assert len(cold) == 1 and cold[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["function_name", "service"]]
    assert len(lk.records) == 2  # and lambda_kit's record for each invocation


def test_more_than_100_metrics_are_split_as_powertools_splits_them():
    pt, lk = run_both("metrics_basics", [{"booking_id": "b-1", "many": 150}])
    _same_emf(pt, lk)
    assert max(len(b["_aws"]["CloudWatchMetrics"][0]["Metrics"]) for b in lk.emf) == 100


def test_metrics_disabled_by_environment_as_powertools():
    pt, lk = run_both("metrics_basics", [{"booking_id": "b-1"}], {"POWERTOOLS_METRICS_DISABLED": "true"})
    _same_emf(pt, lk)
    assert all("SuccessfulBooking" not in b for b in lk.emf)


def test_the_compatible_units_are_lambda_kits_cloudwatch_units():
    from lambda_kit import metrics
    from lambda_kit.compat import _metric_types

    assert metrics.UNITS == _metric_types.UNITS == {u.value for u in metrics.MetricUnit}
