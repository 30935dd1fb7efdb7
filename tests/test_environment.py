"""Execution-environment facts: cold/warm, init types, proactive init, init duration, memory."""

from __future__ import annotations

import time

import pytest
from _lk_helpers import Capture, FakeContext, json_lines, run_python

from lambda_kit import _problems, environment, instrument, settings


@pytest.fixture(autouse=True)
def _fresh_environment(monkeypatch):
    for name in (
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "LAMBDA_KIT_PROACTIVE_INIT_MS",
    ):
        monkeypatch.delenv(name, raising=False)
    environment.reset()
    _problems.reset()
    yield
    environment.reset()


def _records(n=2, ctx=None, before_first=None):
    out = Capture()
    wrapped = instrument(output=out)(lambda e, c: None)
    if before_first:
        before_first()
    for _ in range(n):
        wrapped({}, ctx or FakeContext())
    return out.records


def test_first_invocation_is_cold_and_the_next_are_warm():
    records = _records(3)
    assert [r["cold_start"] for r in records] == [True, False, False]
    assert [r["invocation_count"] for r in records] == [1, 2, 3]
    assert all(r["init_type"] == "on-demand" for r in records)


def test_init_duration_only_on_the_first_invocation():
    first, second = _records(2)
    assert first["init_duration_ms"] > 0
    assert "init_duration_ms" not in second


def test_each_invocation_has_its_own_request_id():
    out = Capture()
    wrapped = instrument(output=out)(lambda e, c: None)
    wrapped({}, FakeContext(request_id="a"))
    wrapped({}, FakeContext(request_id="b"))
    assert [r["function_request_id"] for r in out.records] == ["a", "b"]


@pytest.mark.parametrize("init_type", ["provisioned-concurrency", "snap-start"])
def test_pre_initialised_environments_are_never_cold(monkeypatch, init_type):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", init_type)
    records = _records(2)
    assert [r["cold_start"] for r in records] == [False, False]
    assert {r["init_type"] for r in records} == {init_type}
    assert records[0]["invocation_count"] == 1


def test_provisioned_concurrency_does_not_bill_init_to_the_invocation(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")
    first, _ = _records(2)
    assert first["billed_duration_ms"] < first["duration_ms"] + 1.01


def test_snap_start_reports_no_init_duration(monkeypatch):
    # the process started before the snapshot; its age is not an init duration
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    first, _ = _records(2)
    assert "init_duration_ms" not in first


def test_unknown_init_type_warns_and_counts_as_on_demand(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "warm-pool")
    first, _ = _records(2)
    assert first["init_type"] == "on-demand" and first["cold_start"] is True
    assert "AWS_LAMBDA_INITIALIZATION_TYPE='warm-pool'" in capsys.readouterr().err


def test_a_first_invocation_long_after_init_is_a_proactive_init(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_PROACTIVE_INIT_MS", "50")
    first, second = _records(2, before_first=lambda: time.sleep(0.15))
    assert first["proactive_init"] is True and first["cold_start"] is False
    assert second["proactive_init"] is False
    # init ended when the handler module was loaded, not when the request came
    assert first["billed_duration_ms"] < first["duration_ms"] + 1.01


def test_a_prompt_first_invocation_is_not_proactive(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_PROACTIVE_INIT_MS", "10000")
    first, _ = _records(2, before_first=lambda: time.sleep(0.05))
    assert first["proactive_init"] is False and first["cold_start"] is True


def test_init_end_marked_by_the_profiler_is_used(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_PROACTIVE_INIT_MS", "50")

    def mark():
        environment.mark_init_end()
        time.sleep(0.12)

    first, _ = _records(2, before_first=mark)
    assert first["proactive_init"] is True
    env = environment.get()
    expected = (env.init_end_ns - env.process_start_ns) / 1e6
    assert first["init_duration_ms"] == pytest.approx(expected, abs=0.01)


def test_bad_proactive_threshold_warns_and_uses_the_default(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_KIT_PROACTIVE_INIT_MS", "soon")
    _records(1)
    assert environment.get().proactive_threshold_ms == environment.DEFAULT_PROACTIVE_THRESHOLD_MS
    assert "LAMBDA_KIT_PROACTIVE_INIT_MS='soon' is not a number" in capsys.readouterr().err


def test_init_duration_counts_from_process_start_not_from_import():
    # the interpreter idles 300 ms before lambda_kit is even imported
    code = (
        "import time; time.sleep(0.3)\n"
        "from lambda_kit import instrument\n"
        "h = instrument(lambda e, c: None)\n"
        "h({}, None)\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    [record] = json_lines(proc.stdout)
    assert record["init_duration_ms"] >= 300
    assert record["init_duration_ms"] < 5000


def test_memory_size_from_context_then_environment(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "3008")
    assert environment.memory_size_mb(FakeContext(memory="1769")) == 1769
    assert environment.memory_size_mb(None) == 3008


def test_bad_memory_variable_warns_once_and_defaults_to_128(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "abc")
    records = _records(2, ctx=FakeContext(memory=None))
    assert [r["function_memory_size"] for r in records] == [128, 128]
    err = capsys.readouterr().err
    assert err.count("AWS_LAMBDA_FUNCTION_MEMORY_SIZE='abc' is not an integer; using 128") == 1


def test_memory_outside_lambdas_range_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "99999")
    assert environment.memory_size_mb(None) == 128
    assert "outside 128..10240" in capsys.readouterr().err


def test_bad_context_memory_falls_back_to_the_environment(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
    assert environment.memory_size_mb(FakeContext(memory="lots")) == 256
    assert "memory_limit_in_mb='lots'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("machine", "expected"),
    [("aarch64", "arm64"), ("arm64", "arm64"), ("x86_64", "x86_64"), ("AMD64", "x86_64")],
)
def test_architecture_uses_lambdas_names(monkeypatch, machine, expected):
    class Uname:
        pass

    uname = Uname()
    uname.machine = machine  # type: ignore[attr-defined]
    monkeypatch.setattr(environment.os, "uname", lambda: uname)
    assert environment.architecture() == expected


def test_region_from_aws_region(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert environment.region() == "eu-west-1"


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("TRUE", True)])
def test_boolean_variables(monkeypatch, raw, expected):
    monkeypatch.setenv("LAMBDA_KIT_X", raw)
    assert settings.env_flag("LAMBDA_KIT_X", not expected) is expected


def test_bad_boolean_variable_warns_and_keeps_the_default(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_KIT_X", "maybe")
    assert settings.env_flag("LAMBDA_KIT_X", True) is True
    assert "LAMBDA_KIT_X='maybe' is not a boolean" in capsys.readouterr().err


def test_peak_memory_tracks_what_the_process_held():
    code = (
        "from lambda_kit import instrument\n"
        "def handler(e, c):\n"
        "    block = bytearray(120 * 1024 * 1024)\n"
        "    block[::4096] = b'x' * len(block[::4096])\n"
        "h = instrument(handler)\n"
        "h({}, None)\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    [record] = json_lines(proc.stdout)
    assert record["max_memory_used_mb"] >= 120


def test_a_forked_child_is_a_new_environment():
    code = (
        "import os, sys\n"
        "from lambda_kit import instrument\n"
        "h = instrument(lambda e, c: None)\n"
        "h({}, None)\n"
        "sys.stdout.flush()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    h({}, None); sys.stdout.flush(); os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
        "h({}, None)\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    counts = sorted(r["invocation_count"] for r in json_lines(proc.stdout))
    assert counts == [1, 1, 2]


def test_peak_memory_is_the_handlers_not_the_spawners():
    # the parent holds 300 MB, then starts the runtime by vfork/exec (subprocess does):
    # Linux hands the parent's peak to the child's ru_maxrss; the record must not report it
    code = (
        "import subprocess, sys, json, os\n"
        "block = bytearray(300 * 1024 * 1024)\n"
        "block[::4096] = b'x' * len(block[::4096])\n"
        "child = 'from lambda_kit import instrument\\nh = instrument(lambda e, c: None)\\nh({}, None)\\nh({}, None)'\n"
        "out = subprocess.run([sys.executable, '-c', child], capture_output=True, text=True, env=os.environ)\n"
        "print(out.stdout, end='')\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    records = json_lines(proc.stdout)
    assert len(records) == 2
    assert all(r["max_memory_used_mb"] < 150 for r in records), records
