"""The process start behind init_duration_ms: within its 10 ms clock tick, to the
exec wrapper's microsecond stamp or the main thread's scheduled time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lambda_kit import environment

WRAPPER = Path(environment.__file__).parent / "imports" / "exec_wrapper.sh"
TICK_NS = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
PROBE = "from lambda_kit import environment as e; print(e._process_start_ns())"


def test_the_age_is_clamped_into_the_start_tick(monkeypatch):
    monkeypatch.delenv(environment.START_STAMP_ENV, raising=False)
    now = time.time_ns()
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid(), now, 3 * TICK_NS))
    assert environment._age_in_tick(TICK_NS, 2 * TICK_NS, now) == 2 * TICK_NS
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid(), now, 1))
    assert environment._age_in_tick(TICK_NS, 2 * TICK_NS, now) == TICK_NS


def test_the_scheduled_time_read_at_import_ages_with_the_wall_clock(monkeypatch):
    monkeypatch.delenv(environment.START_STAMP_ENV, raising=False)
    now = time.time_ns()
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid(), now - 4_000_000, 11_000_000))
    assert environment._age_in_tick(0, 10 * TICK_NS, now) == 15_000_000


def test_another_process_reading_is_not_used_the_tick_midpoint_is(monkeypatch):
    monkeypatch.delenv(environment.START_STAMP_ENV, raising=False)
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid() + 1, 0, 123))
    assert environment._age_in_tick(TICK_NS, 3 * TICK_NS, time.time_ns()) == 2 * TICK_NS


def test_the_older_of_the_stamp_and_the_scheduled_time_wins(monkeypatch):
    now = time.time_ns()
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid(), now, 14_000_000))
    monkeypatch.setenv(environment.START_STAMP_ENV, f"{(now - 12_000_000) / 1e9:.6f}")
    assert environment._age_in_tick(10_000_000, 20_000_000, now) == 14_000_000
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid(), now, 11_000_000))
    assert abs(environment._age_in_tick(10_000_000, 20_000_000, now) - 12_000_000) < 2_000


def test_a_stamp_inside_the_tick_wins_and_a_stale_one_is_ignored(monkeypatch):
    now = time.time_ns()
    monkeypatch.setattr(environment, "_AT_IMPORT", (os.getpid(), now, None))
    monkeypatch.setenv(environment.START_STAMP_ENV, f"{(now - 12_345_000) / 1e9:.6f}")
    assert abs(environment._age_in_tick(10_000_000, 20_000_000, now) - 12_345_000) < 2_000
    monkeypatch.setenv(environment.START_STAMP_ENV, f"{(now - 3600 * 10**9) / 1e9:.6f}")
    assert environment._age_in_tick(10_000_000, 20_000_000, now) == 15_000_000
    monkeypatch.setenv(environment.START_STAMP_ENV, "not-a-time")
    assert environment._age_in_tick(10_000_000, 20_000_000, now) == 15_000_000


def test_a_process_start_is_never_after_now_nor_a_tick_before_its_spawn():
    before = time.time_ns()
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    start = int(done.stdout)
    assert before - 2 * TICK_NS <= start <= time.time_ns()


@pytest.mark.skipif(shutil.which("bash") is None, reason="the stamp needs bash's EPOCHREALTIME")
def test_the_exec_wrapper_stamps_the_start_to_the_microsecond_under_bash():
    probe = PROBE + "; import os; print(os.environ['LAMBDA_KIT_START_EPOCH'])"
    env = {**os.environ, "LAMBDA_KIT_PROFILE_IMPORTS": "0"}
    done = subprocess.run(
        ["bash", str(WRAPPER), sys.executable, "-c", probe], capture_output=True, text=True, env=env
    )
    start, stamp = done.stdout.split()
    stamp_ns = float(stamp.replace(",", ".")) * 1e9
    # bash stamps once it runs: the process started at most a tick before that
    assert stamp_ns - TICK_NS <= int(start) <= stamp_ns + 2_000, done.stderr


def test_a_forked_child_reads_its_own_start_not_its_parents():
    read, write = os.pipe()
    forked = time.time_ns()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.write(write, str(environment._process_start_ns()).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    child_start = int(os.read(read, 64))
    os.close(read)
    os.close(write)
    assert child_start >= forked - TICK_NS
