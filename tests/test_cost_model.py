"""The Lambda price model, one rule at a time, and AWS's worked examples to the cent."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambda_kit import billing as cost
from lambda_kit.pricing import (
    Workload,
    compute_usd_by_tier,
    gb_s,
    init_is_billed,
    prices_for,
    project_month,
    provisioned_seconds,
    region_names,
    request_usd,
    storage_usd,
)
from lambda_kit.pricing.model import billed_ms

X86 = prices_for("us-east-1", "x86_64")
ARM = prices_for("us-east-1", "arm64")


def test_requests_cost_twenty_cents_per_million():
    assert request_usd(1_000_000, X86) == pytest.approx(0.20)


def test_free_requests_are_subtracted_and_never_go_negative():
    assert request_usd(3_000_000, X86, free_requests=1_000_000) == pytest.approx(0.40)
    assert request_usd(10, X86, free_requests=1_000_000) == 0.0


def test_a_gigabyte_is_1024_megabytes():
    assert gb_s(1024, 1000) == 1.0
    assert gb_s(1536, 120) == pytest.approx(0.18)


def test_duration_is_billed_in_whole_milliseconds_rounded_up():
    assert billed_ms(27.55) == 28
    assert billed_ms(28.0) == 28
    assert billed_ms(0.2) == 1


def test_first_tier_prices_match_the_table_in_the_issue():
    assert [p for _, p in X86.tiers] == [0.0000166667, 0.0000150000, 0.0000133334]
    assert [p for _, p in ARM.tiers] == [0.0000133334, 0.0000120001, 0.0000106667]
    assert [u for u, _ in X86.tiers[:2]] == [6e9, 15e9]
    assert [u for u, _ in ARM.tiers[:2]] == [7.5e9, 18.75e9]


def test_a_month_crosses_the_x86_tiers_in_order():
    charges = compute_usd_by_tier(20e9, X86)
    assert [(c.tier, c.gb_s) for c in charges] == [(1, 6e9), (2, 9e9), (3, 5e9)]
    assert sum(c.usd for c in charges) == pytest.approx(
        6e9 * 0.0000166667 + 9e9 * 0.000015 + 5e9 * 0.0000133334
    )


def test_arm64_tiers_break_at_7_5_and_18_75_billion():
    charges = compute_usd_by_tier(20e9, ARM)
    assert [c.gb_s for c in charges] == [7.5e9, 11.25e9, pytest.approx(1.25e9)]


def test_volume_already_used_this_month_moves_the_workload_into_a_lower_tier():
    [charge] = compute_usd_by_tier(1000, X86, already_gb_s=7e9)
    assert charge.tier == 2
    assert charge.usd == pytest.approx(1000 * 0.000015)


def test_init_is_billed_for_on_demand_zip_functions_from_august_2025():
    assert not init_is_billed("2025-07-31")
    assert init_is_billed("2025-08-01")


def test_init_was_always_billed_for_images_custom_runtimes_and_provisioned():
    assert init_is_billed("2024-01-01", package_type="image")
    assert init_is_billed("2024-01-01", custom_runtime=True)
    assert init_is_billed("2024-01-01", provisioned=True)


def test_init_time_of_cold_starts_is_billed_as_duration():
    warm = project_month(Workload(memory_mb=1024, duration_ms=100, invocations=1000))
    cold = project_month(
        Workload(
            memory_mb=1024, duration_ms=100, invocations=1000, init_ms=500, cold_start_rate=0.1
        )
    )
    assert cold.billed_gb_s - warm.billed_gb_s == pytest.approx(100 * 0.5)
    assert cold.init_usd == pytest.approx(50 * 0.0000166667)


def test_the_init_switch_turns_init_billing_off():
    off = project_month(
        Workload(
            memory_mb=1024,
            duration_ms=100,
            invocations=1000,
            init_ms=500,
            cold_start_rate=0.1,
            init_billed=False,
        )
    )
    assert off.init_usd == 0.0
    assert off.billed_gb_s == pytest.approx(100.0)


def test_ephemeral_storage_is_free_up_to_512_mb():
    assert storage_usd(512, 1e9, X86) == 0.0
    assert storage_usd(1536, 1000, X86) == pytest.approx(1 * 0.0000000309)


def test_provisioned_concurrency_is_billed_in_five_minute_steps():
    assert provisioned_seconds(8) == 28_800
    assert provisioned_seconds(1 / 60) == 300
    assert provisioned_seconds(301 / 3600) == 600


def test_provisioned_prices_by_architecture():
    assert (X86.provisioned_gb_s_usd, X86.provisioned_duration_gb_s_usd) == (
        0.0000041667,
        0.0000097222,
    )
    assert (ARM.provisioned_gb_s_usd, ARM.provisioned_duration_gb_s_usd) == (
        0.0000033334,
        0.0000077778,
    )


def test_the_free_tier_is_off_by_default():
    bill = project_month(Workload(memory_mb=128, duration_ms=10, invocations=1000))
    assert bill.total_usd > 0


def test_the_free_tier_covers_a_small_workload_entirely():
    bill = project_month(Workload(memory_mb=128, duration_ms=10, invocations=1000), free_tier=True)
    assert bill.total_usd == 0.0


def test_every_region_row_names_its_source():
    for region in region_names():
        for arch in ("x86_64", "arm64"):
            row = prices_for(region, arch)
            assert row.source and "read 2026" in row.source


def test_regional_lower_tiers_are_ten_and_twenty_percent_off():
    row = prices_for("af-south-1", "x86_64")
    assert [p for _, p in row.tiers] == [0.0000221, 0.00001989, 0.00001768]


def test_an_unknown_region_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="us-east-1"):
        prices_for("mars-north-1")


def test_private_pricing_from_the_environment(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_PRICE_GB_S_USD", "0.00001")
    monkeypatch.setenv("LAMBDA_KIT_PRICE_REQUEST_USD_PER_MILLION", "0.1")
    row = prices_for()
    assert row.tiers == ((math.inf, 0.00001),)
    assert row.request_usd == pytest.approx(0.1 / 1e6)


def test_private_pricing_arguments_beat_the_environment(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_PRICE_GB_S_USD", "0.00001")
    assert prices_for(gb_s_usd=0.00002).tiers == ((math.inf, 0.00002),)


def test_a_bad_private_price_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_PRICE_GB_S_USD", "cheap")
    with pytest.raises(ValueError, match="LAMBDA_KIT_PRICE_GB_S_USD='cheap' is not a number"):
        prices_for()


def test_the_fast_per_invocation_estimate_uses_the_same_prices_as_the_model():
    for row in (X86, ARM):
        assert cost.prices(None, row.architecture) == row
        expected = row.request_usd + 1024 / 1024 * 1.0 * row.tiers[0][1]
        assert cost.invocation_cost_usd(1024, 1000, row.architecture) == expected


def test_a_single_invocation_is_priced_at_the_tier_of_the_months_volume():
    tier1 = cost.invocation_cost_usd(1024, 1000)
    tier3 = cost.invocation_cost_usd(1024, 1000, month_gb_s=16e9)
    assert tier1 == pytest.approx(0.2e-6 + 0.0000166667)
    assert tier3 == pytest.approx(0.2e-6 + 0.0000133334)


# AWS's worked examples, https://aws.amazon.com/lambda/pricing/ (US East, N. Virginia;
# page text read 2026-11). Each line is rounded to the cent as the page does.
def _cents(x):
    return round(x + 1e-9, 2)


def test_aws_example_mobile_backend_costs_2_73():
    # "Example 1: Mobile application backend": 3M requests, 120 ms, 1536 MB, x86, free tier.
    bill = project_month(Workload(memory_mb=1536, duration_ms=120, invocations=3e6), free_tier=True)
    assert (_cents(bill.compute_usd), _cents(bill.requests_usd)) == (2.33, 0.40)
    assert _cents(bill.total_usd) == 2.73


def test_aws_example_streaming_telemetry_costs_249_49():
    # "Example 2: Enriching streaming telemetry": 7.44M requests, 2 s, 1024 MB, x86, no free tier.
    bill = project_month(Workload(memory_mb=1024, duration_ms=2000, invocations=7_440_000))
    assert (_cents(bill.requests_usd), _cents(bill.compute_usd)) == (1.49, 248.00)
    assert _cents(bill.total_usd) == 249.49


def test_aws_example_bert_with_ephemeral_storage_costs_106_41():
    # "Example 3: Performing ML on customer support tickets": 6M, 280 ms, 4096 MB, 2048 MB storage.
    bill = project_month(
        Workload(memory_mb=4096, duration_ms=280, invocations=6e6, storage_mb=2048), free_tier=True
    )
    assert (_cents(bill.compute_usd), _cents(bill.requests_usd), _cents(bill.storage_usd)) == (
        105.33,
        1.00,
        0.08,
    )
    assert _cents(bill.total_usd) == 106.41


def test_aws_provisioned_example_mobile_launch_costs_19_96():
    # Provisioned Concurrency "Example 1: Mobile application launch": PC 100 for 8 hours,
    # 500,000 requests at 100 ms on it, 2.5M at 120 ms on demand, 1536 MB, free tier.
    bill = project_month(
        Workload(
            memory_mb=1536,
            duration_ms=120,
            invocations=3e6,
            provisioned=100,
            provisioned_hours=8,
            provisioned_invocations=500_000,
            provisioned_duration_ms=100,
        ),
        free_tier=True,
    )
    lines = (
        bill.provisioned_usd,
        bill.requests_usd,
        bill.provisioned_duration_usd,
        bill.compute_usd,
    )
    assert tuple(_cents(x) for x in lines) == (18.00, 0.40, 0.73, 0.83)
    assert _cents(bill.total_usd) == 19.96


def test_aws_provisioned_example_cyber_monday_costs_32_26():
    # Provisioned Concurrency "Example 2": PC 7 for 24 hours, 2M requests at 280 ms, 4096 MB.
    bill = project_month(
        Workload(
            memory_mb=4096, duration_ms=280, invocations=2e6, provisioned=7, provisioned_hours=24
        )
    )
    assert (_cents(bill.provisioned_usd), _cents(bill.provisioned_duration_usd)) == (10.08, 21.78)
    assert _cents(bill.total_usd) == 32.26


def test_aws_durable_functions_example_arm64_compute_costs_421_34():
    # "Lambda Durable Functions Pricing" example: 2M invocations of 16 s (32 s per claim),
    # 1 GB arm64, free tier.
    bill = project_month(
        Workload(memory_mb=1024, duration_ms=16_000, invocations=2e6, architecture="arm64"),
        free_tier=True,
    )
    assert (_cents(bill.compute_usd), _cents(bill.requests_usd)) == (421.34, 0.20)


def test_aws_esm_example_sqs_compute_and_requests_cost_506():
    # "Provisioned Mode for ESM" Example 2 (Lambda lines only): 30M requests, 1 s, 1024 MB.
    bill = project_month(Workload(memory_mb=1024, duration_ms=1000, invocations=30e6))
    assert (_cents(bill.compute_usd), _cents(bill.requests_usd)) == (500.00, 6.00)


def test_aws_streaming_example_compute_and_requests():
    # "Lambda HTTP Response Stream Pricing" example (Lambda lines only):
    # 3M, 500 ms, 1536 MB, free tier.
    bill = project_month(Workload(memory_mb=1536, duration_ms=500, invocations=3e6), free_tier=True)
    assert (_cents(bill.compute_usd), _cents(bill.requests_usd)) == (30.83, 0.40)


# Properties
memories = st.integers(min_value=128, max_value=10240)
durations = st.floats(min_value=0, max_value=900_000, allow_nan=False)
counts = st.floats(min_value=0, max_value=1e10, allow_nan=False)


@given(memories, memories, durations, counts, st.sampled_from(["x86_64", "arm64"]))
def test_cost_never_falls_when_memory_grows(m1, m2, duration, n, arch):
    lo, hi = sorted((m1, m2))
    a = project_month(
        Workload(memory_mb=lo, duration_ms=duration, invocations=n, architecture=arch)
    )
    b = project_month(
        Workload(memory_mb=hi, duration_ms=duration, invocations=n, architecture=arch)
    )
    assert a.total_usd <= b.total_usd * (1 + 1e-12)


@given(memories, durations, durations, counts)
def test_cost_never_falls_when_duration_grows(memory, d1, d2, n):
    lo, hi = sorted((d1, d2))
    a = project_month(Workload(memory_mb=memory, duration_ms=lo, invocations=n))
    b = project_month(Workload(memory_mb=memory, duration_ms=hi, invocations=n))
    assert a.total_usd <= b.total_usd * (1 + 1e-12)


@given(
    st.floats(min_value=0, max_value=1e11),
    st.floats(min_value=0, max_value=1e11),
    st.sampled_from([X86, ARM]),
)
def test_tiers_never_raise_a_price(volume, already, prices):
    tiered = sum(c.usd for c in compute_usd_by_tier(volume, prices, already_gb_s=already))
    assert tiered <= volume * prices.tiers[0][1] * (1 + 1e-12)
    assert all(
        c.usd_per_gb_s <= prices.tiers[0][1]
        for c in compute_usd_by_tier(volume, prices, already_gb_s=already)
    )


@given(st.floats(min_value=0, max_value=1e11), st.floats(min_value=0, max_value=1e11))
def test_tiered_compute_cost_never_falls_as_volume_grows(v1, v2):
    lo, hi = sorted((v1, v2))
    a = sum(c.usd for c in compute_usd_by_tier(lo, X86))
    b = sum(c.usd for c in compute_usd_by_tier(hi, X86))
    assert a <= b * (1 + 1e-12)


def test_import_lambda_kit_loads_neither_the_price_model_nor_the_report_reader():
    import subprocess
    import sys

    code = (
        "import sys, lambda_kit; print(sorted(m for m in sys.modules if m.startswith("
        "('lambda_kit.pricing', 'lambda_kit.report', 'lambda_kit.pricing.cli'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # the record prices its invocations from lambda_kit.prices, the one price table
    assert out.stdout.strip() == "[]"
