"""The record's cost_usd at the function's region, the fallback said in the record, and
a Managed Instances invocation priced at its request."""

from __future__ import annotations

import json

import pytest
from _lk_helpers import run_python

from lambda_kit import billing

CODE = """
import json, sys
from lambda_kit import instrument
from _lk_helpers import FakeContext

@instrument(service="s")
def handler(event, context):
    return 1

for _ in range(2):
    handler({}, FakeContext(memory="1024"))
"""


def records(env: dict[str, str]) -> tuple[list[dict[str, object]], str]:
    done = run_python(
        "import sys; sys.path.insert(0, 'tests')\n" + CODE,
        env={"LAMBDA_KIT_PRICES_FILE": "off", **env},
    )
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.startswith("{")]
    return [r for r in lines if r.get("type") == "invocation"], done.stderr


def _expected(region: str, billed_ms: int) -> float:
    row, _ = billing.function_prices(region)
    return round(billing.invocation_cost_usd(1024, billed_ms, row=row), 12)


def test_the_cost_uses_the_functions_region():
    recs, err = records({"AWS_REGION": "ap-east-1"})
    assert len(recs) == 2, err
    for r in recs:
        assert r["cost_usd"] == _expected("ap-east-1", r["billed_duration_ms"])
        assert "price_region" not in r
    assert recs[1]["cost_usd"] > _expected("us-east-1", recs[1]["billed_duration_ms"])


def test_an_unknown_region_is_priced_at_us_east_1_and_the_record_says_so():
    recs, err = records({"AWS_REGION": "xx-moon-1"})
    assert [r["price_region"] for r in recs] == ["us-east-1", "us-east-1"]
    assert all(r["cost_usd"] == _expected("us-east-1", r["billed_duration_ms"]) for r in recs)
    assert err.count("no prices for region 'xx-moon-1'") == 1


@pytest.mark.parametrize(
    "env",
    [
        {"AWS_LAMBDA_MAX_CONCURRENCY": "4"},
        {"AWS_LAMBDA_INITIALIZATION_TYPE": "lambda-managed-instances"},
    ],
)
def test_a_managed_instances_invocation_costs_its_request(env):
    recs, err = records({"AWS_REGION": "eu-south-1", **env})
    assert len(recs) == 2, err
    request = billing.prices("eu-south-1").request_usd
    assert [r["cost_usd"] for r in recs] == [round(request, 12)] * 2
    assert [r["invocation_count"] for r in recs] == [1, 2]  # per process
