"""lambda-kit tune without running a handler: the choice on synthetic results, the parsers,
the CPU quota arithmetic, the calibration workload."""

from __future__ import annotations

import hashlib
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.local.function import BadInput
from lambda_kit.tune import calibrate as cal
from lambda_kit.tune.choice import Candidate, choose
from lambda_kit.tune.cli import parse_memory_list
from lambda_kit.tune.cpu import Controller, CpuCap, find_controller, quota_us
from lambda_kit.tune.measure import percentile

# -- the choice ---------------------------------------------------------------------------


def test_cpu_bound_shape_cheapest_is_where_duration_falls_fastest():
    # duration halves while memory doubles (same cost) until 1769 MB, then flat
    c = [
        Candidate(128, 800.0, 2.0e-6),
        Candidate(256, 400.0, 2.0e-6),
        Candidate(1769, 58.0, 2.1e-6),
        Candidate(3008, 58.0, 3.0e-6),
    ]
    pick = choose(c)
    assert pick.cheapest == 256  # equal cost with 128: the faster wins
    assert pick.fastest == 1769  # equal speed with 3008: the cheaper wins
    assert pick.balanced == 1769
    assert pick.warnings == []
    assert set(pick.reasons) == {"cheapest", "fastest", "balanced"}
    assert all(r.endswith(".") and r.count(". ") == 0 for r in pick.reasons.values())


def test_equal_cost_and_speed_go_to_the_smaller_size():
    c = [Candidate(512, 100.0, 1e-6), Candidate(256, 100.0, 1e-6)]
    pick = choose(c)
    assert (pick.cheapest, pick.fastest, pick.balanced) == (256, 256, 256)


def test_durations_within_two_percent_count_as_equally_fast_and_the_cheaper_wins():
    c = [Candidate(1024, 50.5, 1.0e-6), Candidate(3008, 50.0, 2.9e-6)]
    assert choose(c).fastest == 1024
    c = [Candidate(1024, 52.0, 1.0e-6), Candidate(3008, 50.0, 2.9e-6)]
    assert choose(c).fastest == 3008  # 4 % slower is slower


def test_balanced_is_power_tunings_weighted_score():
    c = [
        Candidate(128, 1000.0, 1.0e-6),
        Candidate(512, 300.0, 1.5e-6),
        Candidate(2048, 100.0, 5.0e-6),
    ]
    # scores at w=0.5: 128: .5*.2+.5*1 = .6; 512: .5*.3+.5*.3 = .3; 2048: .5*1+.5*.1 = .55
    assert choose(c, 0.5).balanced == 512
    assert choose(c, 0.0).balanced == 2048  # all speed
    assert choose(c, 1.0).balanced == 128  # all cost
    with pytest.raises(ValueError, match=r"outside 0\.\.1"):
        choose(c, 1.5)


def test_failed_sizes_are_left_out_and_warned_about():
    c = [
        Candidate(128, 0.0, 0.0, "oom", "Runtime.OutOfMemory: signal: killed"),
        Candidate(256, 0.0, 0.0, "timeout", "Sandbox.Timedout: Task timed out after 3.00 seconds"),
        Candidate(1024, 80.0, 1.5e-6),
    ]
    pick = choose(c)
    assert (pick.cheapest, pick.fastest, pick.balanced) == (1024, 1024, 1024)
    assert pick.warnings == [
        "128 MB ran out of memory (Runtime.OutOfMemory: signal: killed): left out of the choice",
        "256 MB timed out (Sandbox.Timedout: Task timed out after 3.00 seconds): left out of the choice",
    ]
    assert "only size that ran cleanly" in pick.reasons["cheapest"]


def test_a_single_size_is_every_choice():
    pick = choose([Candidate(512, 20.0, 5e-7)])
    assert (pick.cheapest, pick.fastest, pick.balanced) == (512, 512, 512)


def test_all_sizes_failing_recommend_nothing():
    pick = choose([Candidate(128, 0.0, 0.0, "oom"), Candidate(256, 0.0, 0.0, "error", "boom")])
    assert (pick.cheapest, pick.fastest, pick.balanced) == (None, None, None)
    assert pick.reasons == {}
    assert pick.warnings[-1] == "no size ran cleanly: nothing to recommend"
    assert choose([]).warnings == ["no sizes were measured"]


# -- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("128,abc", "'abc' is not a whole number of MB"),
        ("64", "64 MB is outside Lambda's 128..10240 MB"),
        ("128,,256", "an empty size"),
        ("", "an empty size"),
        ("20000", "outside"),
        ("1.5e3", "not a whole number"),
    ],
)
def test_a_bad_memory_list_is_refused_with_the_reason(text, message):
    with pytest.raises(BadInput, match=message):
        parse_memory_list(text)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(128, 10240), min_size=1, max_size=8))
def test_a_valid_memory_list_parses_to_its_sorted_distinct_sizes(sizes):
    assert parse_memory_list(" , ".join(map(str, sizes))) == sorted(set(sizes))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20))
def test_any_text_parses_or_is_refused_as_bad_input(text):
    try:
        sizes = parse_memory_list(text)
    except BadInput:
        return
    assert sizes and all(128 <= s <= 10240 for s in sizes)


def test_percentiles_interpolate_between_ranks():
    assert percentile([], 50) is None
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([10.0, 20.0], 99) == pytest.approx(19.9)


# -- the CPU quota ---------------------------------------------------------------------------


def test_the_quota_is_memory_over_1769_capped_at_the_machines_cpus():
    assert quota_us(1769, 2) == 20_000  # one vCPU per 20 ms period
    assert quota_us(256, 2) == 2895  # 0.1447 vCPU
    assert quota_us(3538, 4) == 40_000
    assert quota_us(10240, 2) == 40_000  # Lambda would give 5.8 vCPUs; the machine has 2
    assert quota_us(128, 1) >= 1000  # the kernel's minimum


def test_no_cpu_controller_mounted_says_so(tmp_path):
    (tmp_path / "cgroup").write_text("0::/\n")
    (tmp_path / "mountinfo").write_text("22 1 0:21 / /proc rw - proc proc rw\n")
    controller, why = find_controller(str(tmp_path / "cgroup"), str(tmp_path / "mountinfo"))
    assert controller is None
    assert why == "no cgroup with the cpu controller is mounted here"


def test_the_v2_entry_shell_enters_the_cgroup_and_runs_the_command(tmp_path):
    # outside a lambda-kit memory cgroup, the runtime writes "0" to the cap's cgroup.procs
    (tmp_path / "cap").mkdir()
    cap = CpuCap(Controller(2, str(tmp_path), str(tmp_path)), str(tmp_path / "cap"), 2895)
    out = subprocess.run([*cap.wrap(), "echo", "ran"], capture_output=True, text=True, timeout=10)
    assert out.stdout == "ran\n"
    assert (tmp_path / "cap" / "cgroup.procs").read_text() == "0\n"


def test_a_cgroup_the_runtime_cannot_enter_fails_its_start_with_a_message(tmp_path):
    cap = CpuCap(Controller(1, str(tmp_path), str(tmp_path)), str(tmp_path / "missing"), 2895)
    out = subprocess.run([*cap.wrap(), "echo", "ran"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 97 and out.stdout == ""
    assert "lambda-kit tune: cannot enter the CPU cgroup" in out.stderr


# -- calibration -------------------------------------------------------------------------------


def test_the_reference_workload_is_chained_sha256_of_the_seed():
    once = hashlib.sha256(cal.SEED).digest()
    assert cal.workload(1) == once
    assert cal.workload(2) == hashlib.sha256(once).digest()


def test_calibration_compares_with_the_figure_for_this_python():
    c = cal.calibrate(rounds=1, iterations=20_000)
    assert c.local_ms > 0
    assert c.lambda_ms == cal.LAMBDA_MS.get((c.python, c.architecture))
    if c.lambda_ms is not None:
        assert c.lambda_over_local == pytest.approx(c.lambda_ms / c.local_ms)
        assert "at 1,769 MB" in c.sentence()
    else:
        assert "no published Lambda figure" in c.sentence()
