"""LAMBDA_KIT_TIMEOUT_MARGIN_MS (and the argument) are bounded to 0..5000 ms: anything else
warns once and gives the default 50 ms, so no setting can turn successes into timeouts."""

from __future__ import annotations

import time
from typing import Any

import pytest
from _lk_helpers import Capture, FakeContext

from lambda_kit import _deadline, _problems, environment, instrument
from lambda_kit.instrument import DEFAULT_TIMEOUT_MARGIN_MS


class Remaining(FakeContext):
    def __init__(self, remaining_ms: float) -> None:
        super().__init__()
        self._deadline = time.time() * 1000 + remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return int(self._deadline - time.time() * 1000)


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raising=False)
    environment.reset()
    _problems.reset()
    yield
    _deadline.active.clear()
    environment.reset()


def _margin_of(handler: Any) -> float:
    return float(handler._lambda_kit_state._margin_ms)


def _status_of_a_fast_invocation(remaining_ms: float, **options: Any) -> str:
    out = Capture()
    handler = instrument(output=out, **options)(lambda e, c: "done")
    assert handler({}, Remaining(remaining_ms)) == "done"
    [record] = out.records
    return str(record["status"])


@pytest.mark.parametrize("raw", ["inf", "-inf", "nan", "100000", "5000.1", "-1", "garbage", "1e400"])
def test_a_bad_margin_warns_once_and_the_default_applies(
    raw: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raw)
    handler = instrument(output=Capture())(lambda e, c: None)
    assert _margin_of(handler) == DEFAULT_TIMEOUT_MARGIN_MS
    instrument(output=Capture())(lambda e, c: None)  # a second decorator: no second warning
    err = capsys.readouterr().err
    assert err.count("LAMBDA_KIT_TIMEOUT_MARGIN_MS") == 1
    assert f"using {DEFAULT_TIMEOUT_MARGIN_MS}" in err


@pytest.mark.parametrize("raw", ["inf", "100000"])
def test_a_huge_margin_does_not_turn_a_success_into_a_timeout(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3 s left, a handler that returns at once: with an unbounded margin this was a timeout
    monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raw)
    assert _status_of_a_fast_invocation(3000) == "success"


@pytest.mark.parametrize("raw", ["0", "50", "5000", " 120 "])
def test_a_margin_in_range_is_used(raw: str, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", raw)
    handler = instrument(output=Capture())(lambda e, c: None)
    assert _margin_of(handler) == float(raw)
    assert capsys.readouterr().err == ""


def test_zero_turns_the_timeout_record_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", "0")
    out = Capture()
    handler = instrument(output=out)(lambda e, c: time.sleep(0.2))
    handler({}, Remaining(100))  # past its deadline, but no watch
    assert out.records[0]["status"] == "success"


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 100_000, -1, "garbage", None])
def test_a_bad_margin_argument_warns_and_the_default_applies(
    value: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = instrument(output=Capture(), timeout_margin_ms=value)(lambda e, c: None)
    if value is None:  # None means "ask the environment variable": the default here
        assert _margin_of(handler) == DEFAULT_TIMEOUT_MARGIN_MS
        assert capsys.readouterr().err == ""
        return
    assert _margin_of(handler) == DEFAULT_TIMEOUT_MARGIN_MS
    assert "timeout_margin_ms=" in capsys.readouterr().err
