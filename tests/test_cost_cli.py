"""`lambda-kit cost`: the breakdown, the JSON shape, the sweep, and refused arguments."""

import json

import pytest

from lambda_kit.cli import main


def run(capsys, *argv):
    code = main(["cost", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, *argv):
    with pytest.raises(SystemExit) as exit_:
        main(["cost", *argv])
    assert exit_.value.code == 2
    return capsys.readouterr().err


def test_the_breakdown_shows_each_line_and_the_monthly_total(capsys):
    code, out, _ = run(
        capsys, "--memory", "1536", "--duration-ms", "120", "--invocations", "3e6", "--free-tier"
    )
    assert code == 0
    assert "requests after the free tier" in out and "$0.40" in out
    assert "compute, tier 1" in out and "$2.33" in out
    assert "total per month" in out and "$2.73" in out


def test_json_total_is_the_monthly_total_with_its_breakdown(capsys):
    _code, out, _ = run(
        capsys, "--memory", "1024", "--duration-ms", "2000", "--invocations", "7440000", "--json"
    )
    data = json.loads(out)
    assert round(data["total_usd"], 2) == 249.49
    assert round(data["breakdown"]["requests_usd"], 2) == 1.49
    assert data["breakdown"]["compute_tiers"][0]["tier"] == 1
    assert data["per_million_usd"] == pytest.approx(data["total_usd"] / 7.44)


def test_provisioned_invocations_pay_the_provisioned_duration_price(capsys):
    _code, out, _ = run(
        capsys,
        "--memory",
        "4096",
        "--duration-ms",
        "280",
        "--invocations",
        "2e6",
        "--provisioned",
        "7",
        "--hours",
        "24",
        "--json",
    )
    data = json.loads(out)
    assert round(data["total_usd"], 2) == 32.26
    assert data["breakdown"]["compute_usd"] == 0.0


def test_init_and_cold_start_rate_add_init_to_the_bill(capsys):
    _, out, _ = run(
        capsys,
        "--memory",
        "1024",
        "--duration-ms",
        "100",
        "--invocations",
        "1e6",
        "--init-ms",
        "500",
        "--cold-start-rate",
        "0.01",
        "--json",
    )
    assert json.loads(out)["breakdown"]["init_usd"] == pytest.approx(
        1e4 * 0.5 * 0.0000166667, abs=1e-6
    )


def test_a_date_before_august_2025_does_not_bill_init_of_zip_functions(capsys):
    _, out, _ = run(
        capsys,
        "--memory",
        "1024",
        "--duration-ms",
        "100",
        "--invocations",
        "1e6",
        "--init-ms",
        "500",
        "--cold-start-rate",
        "0.01",
        "--date",
        "2025-07-01",
        "--json",
    )
    data = json.loads(out)
    assert data["breakdown"]["init_usd"] == 0.0 and data["breakdown"]["init_billed"] is False


def test_memory_outside_lambdas_range_is_refused_with_the_range(capsys):
    assert "--memory must be between 128 and 10,240 MB (got 64)" in refused(
        capsys, "--memory", "64", "--duration-ms", "1", "--invocations", "1"
    )
    assert "between 128 and 10,240 MB (got 20000)" in refused(
        capsys, "--memory", "20000", "--duration-ms", "1", "--invocations", "1"
    )


def test_a_negative_duration_is_refused_with_the_range(capsys):
    assert "--duration-ms must be between 0 and 900,000 ms (got -5)" in refused(
        capsys, "--memory", "128", "--duration-ms", "-5", "--invocations", "1"
    )


def test_a_cold_start_rate_above_one_is_refused(capsys):
    assert "--cold-start-rate must be between 0 and 1" in refused(
        capsys,
        "--memory",
        "128",
        "--duration-ms",
        "5",
        "--invocations",
        "1",
        "--cold-start-rate",
        "2",
    )


def test_an_unknown_region_is_refused_naming_the_known_ones(capsys):
    code, _, err = run(
        capsys, "--memory", "128", "--duration-ms", "5", "--invocations", "1", "--region", "xx-1"
    )
    assert code == 2 and "us-east-1" in err


def test_the_sweep_names_the_cheapest_and_the_fastest(capsys):
    code, out, _ = run(
        capsys,
        "--memory",
        "1024",
        "--duration-ms",
        "200",
        "--invocations",
        "1e6",
        "--sweep",
        "--cpu-bound-fraction",
        "0.7",
    )
    assert code == 0
    assert "1,769 MB = 1 vCPU" in out
    assert "cheapest: 128 MB" in out
    assert "fastest:  1769 MB" in out
    assert "10240 MB" in out and "#" in out


def test_an_io_bound_sweep_finds_the_smallest_size_cheapest_and_no_size_faster(capsys):
    _, out, _ = run(
        capsys,
        "--memory",
        "1024",
        "--duration-ms",
        "200",
        "--invocations",
        "1e6",
        "--sweep",
        "--cpu-bound-fraction",
        "0",
        "--json",
    )
    data = json.loads(out)
    assert data["cheapest_memory_mb"] == 128
    assert {r["duration_ms"] for r in data["rows"]} == {200.0}


def test_a_fully_cpu_bound_sweep_costs_the_same_below_one_vcpu(capsys):
    _, out, _ = run(
        capsys,
        "--memory",
        "1024",
        "--duration-ms",
        "200",
        "--invocations",
        "1e6",
        "--sweep",
        "--cpu-bound-fraction",
        "1",
        "--json",
    )
    rows = {r["memory_mb"]: r for r in json.loads(out)["rows"]}
    # GB-s is constant when duration halves as memory doubles; only the rounding differs.
    assert rows[512]["total_usd"] == pytest.approx(rows[1024]["total_usd"], rel=1e-3)
    assert rows[2048]["total_usd"] > rows[1769]["total_usd"]
