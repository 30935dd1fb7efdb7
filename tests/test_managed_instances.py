"""Lambda Managed Instances: detected, an invocation priced at its request, and
`lambda-kit cost --compare lmi` against on-demand."""

from __future__ import annotations

import pytest

from lambda_kit import billing, environment
from lambda_kit.cli import main
from lambda_kit.pricing import lmi


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AWS_LAMBDA_MAX_CONCURRENCY": "16"}, True),
        ({"AWS_LAMBDA_INITIALIZATION_TYPE": "lambda-managed-instances"}, True),
        ({"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}, False),
        ({"AWS_LAMBDA_MAX_CONCURRENCY": " "}, False),
    ],
)
def test_managed_instances_are_detected_from_lambdas_variables(monkeypatch, env, expected):
    monkeypatch.delenv("AWS_LAMBDA_MAX_CONCURRENCY", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert environment.managed_instances() is expected


def test_an_lmi_invocation_costs_the_request_whatever_it_ran():
    row = billing.prices("us-east-1")
    assert billing.managed_instances_cost_usd(row) == pytest.approx(0.20 / 1e6)


def compare(capsys, invocations: str, *extra: str) -> list[str]:
    code = main(["cost", "--memory", "1024", "--duration-ms", "120", "--invocations",
                 invocations, "--compare", "lmi", *extra])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    return out.splitlines()


def test_a_steady_high_volume_workload_is_cheaper_on_managed_instances(capsys):
    lines = compare(capsys, "3e8", "--instance-type", "m7g.xlarge", "--instances", "3")
    # on demand: 3.6e7 GB-s x $0.0000166667 + 300 x $0.20; LMI: 3 x $0.1632 x 1.15 x 730 h + $60
    assert lines[0].split("$")[1].split()[0] == "660.00"
    assert lines[1].split("$")[1].split()[0] == "471.02"
    assert lines[2].startswith("Managed Instances are cheaper")
    assert "205,509,189 invocations a month" in lines[2]


def test_a_small_workload_stays_cheaper_on_demand(capsys):
    lines = compare(capsys, "1e6", "--instance-usd-per-hour", "0.10")
    assert lines[2].startswith("on-demand is cheaper")
    assert "--instance-usd-per-hour" in lines[3]


@pytest.mark.parametrize(
    ("typed", "named"),
    [("m7g.xlarg", "m7g.xlarge"), ("c7g.8xlarge", "c7g.4xlarge"), ("z9.huge", "10 types, e.g.")],
)
def test_an_unknown_instance_type_names_the_close_ones(capsys, typed, named):
    code = main(["cost", "--memory", "1024", "--duration-ms", "1", "--invocations", "1",
                 "--compare", "lmi", "--instance-type", typed])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert f"no bundled price for instance type {typed!r} (close: " in err and named in err
    assert "--instance-prices FILE|URL" in err


def test_every_instance_price_names_its_source():
    for name, (_vcpus, _gib, usd, source) in lmi.INSTANCES.items():
        assert usd > 0 and "us-east-1" in source, name
