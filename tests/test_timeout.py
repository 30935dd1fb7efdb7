"""A record for invocations Lambda is about to kill at their deadline."""

from __future__ import annotations

import threading
import time

import pytest
from _lk_helpers import Capture, FakeContext

from lambda_kit import _problems, environment, instrument


class DeadlineContext(FakeContext):
    def __init__(self, remaining_ms: float) -> None:
        super().__init__()
        self._deadline = time.time() * 1000 + remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return int(self._deadline - time.time() * 1000)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    monkeypatch.delenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raising=False)
    environment.reset()
    _problems.reset()
    yield
    environment.reset()


def test_an_invocation_past_its_deadline_gets_one_timeout_record():
    out = Capture()
    wrapped = instrument(output=out, timeout_margin_ms=100)(lambda e, c: time.sleep(0.6) or "late")
    assert wrapped({}, DeadlineContext(400)) == "late"  # not killed here: the result still comes back
    [record] = out.records
    assert record["status"] == "timeout" and record["level"] == "ERROR"
    assert record["error_type"] == "Sandbox.Timedout"
    assert 250 <= record["duration_ms"] < 600
    # billed until the deadline (Lambda kills there), plus init on this cold start
    expected = 400 + record["init_duration_ms"]
    assert expected - 15 <= record["billed_duration_ms"] <= expected + 15


def test_the_timeout_record_comes_before_the_deadline():
    out = Capture()
    seen_at = []

    def handler(event, context):
        for _ in range(60):
            if out.getvalue():
                seen_at.append(context.get_remaining_time_in_millis())
                return
            time.sleep(0.01)

    instrument(output=out, timeout_margin_ms=100)(handler)({}, DeadlineContext(300))
    assert seen_at and 0 < seen_at[0] <= 110


def test_a_prompt_invocation_is_a_success_not_a_timeout():
    out = Capture()
    wrapped = instrument(output=out, timeout_margin_ms=100)(lambda e, c: "quick")
    for _ in range(3):
        assert wrapped({}, DeadlineContext(1000)) == "quick"
    time.sleep(0.3)  # past the first deadlines: nothing more is written
    assert [r["status"] for r in out.records] == ["success"] * 3


def test_margin_zero_turns_it_off():
    out = Capture()
    instrument(output=out, timeout_margin_ms=0)(lambda e, c: time.sleep(0.3))({}, DeadlineContext(200))
    assert [r["status"] for r in out.records] == ["success"]


def test_margin_from_the_environment(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", "0")
    out = Capture()
    instrument(output=out)(lambda e, c: time.sleep(0.3))({}, DeadlineContext(200))
    assert [r["status"] for r in out.records] == ["success"]


def test_bad_margin_variable_warns_and_keeps_the_default(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", "-5")
    out = Capture()
    instrument(output=out)(lambda e, c: None)({}, DeadlineContext(1000))
    assert "LAMBDA_KIT_TIMEOUT_MARGIN_MS='-5' must be >= 0.0" in capsys.readouterr().err


def test_a_context_without_a_deadline_is_not_watched():
    out = Capture()
    instrument(output=out, timeout_margin_ms=100)(lambda e, c: time.sleep(0.2))({}, None)
    assert [r["status"] for r in out.records] == ["success"]


def test_concurrent_invocations_are_watched_separately():
    out = Capture()
    wrapped = instrument(output=out, timeout_margin_ms=100)(lambda e, c: time.sleep(e["s"]))
    threads = [
        threading.Thread(target=wrapped, args=({"s": 0.5}, DeadlineContext(300))),
        threading.Thread(target=wrapped, args=({"s": 0.05}, DeadlineContext(3000))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["status"] for r in out.records) == ["success", "timeout"]
