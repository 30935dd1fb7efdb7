"""Any context object gives a correct record: mocks, lists, dicts, broken getters."""

from __future__ import annotations

import time
from typing import Any
from unittest.mock import MagicMock, Mock

import pytest
from _lk_helpers import Capture, FakeContext

from lambda_kit import _deadline, _problems, environment, instrument


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("LAMBDA_KIT_TIMEOUT_MARGIN_MS", "AWS_LAMBDA_FUNCTION_NAME",
                 "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "LAMBDA_KIT_SERVICE"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    environment.reset()
    _problems.reset()
    yield
    _deadline.active.clear()
    environment.reset()


def _run(context: Any, sleep_s: float = 0.0, n: int = 1) -> tuple[list[Any], list[dict[str, Any]]]:
    out = Capture()

    @instrument(output=out, service="orders")
    def handler(event: Any, ctx: Any) -> Any:
        time.sleep(sleep_s)
        return {"n": event}

    results = [handler(i, context) for i in range(n)]
    return results, out.records


def test_a_magicmock_context_gives_a_success_record_with_the_real_duration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    results, records = _run(MagicMock(), sleep_s=0.3)
    assert results == [{"n": 0}]
    [record] = records
    assert record["status"] == "success" and record["level"] == "INFO"
    assert record["duration_ms"] >= 300
    assert "error_type" not in record
    # no MagicMock's repr in the record: what the mock does not really have is left out
    assert "MagicMock" not in str(record)
    assert record["function_name"] is None and record["function_request_id"] is None
    assert record["function_memory_size"] == 128  # Lambda's default, not the mock's
    err = capsys.readouterr().err
    assert err.count("context.get_remaining_time_in_millis()") == 1  # the deadline: one warning


def test_a_mock_context_warns_once_over_many_invocations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, records = _run(MagicMock(), n=5)
    assert [r["status"] for r in records] == ["success"] * 5
    assert capsys.readouterr().err.count("context.get_remaining_time_in_millis()") == 1


def test_a_mock_with_the_attributes_set_gives_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    context = MagicMock()
    context.function_name = "orders-fn"
    context.aws_request_id = "req-7"
    context.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:orders-fn"
    context.memory_limit_in_mb = 1024
    context.function_version = "3"
    context.get_remaining_time_in_millis.return_value = 30_000
    _, [record] = _run(context)
    assert record["function_name"] == "orders-fn"
    assert record["function_request_id"] == "req-7"
    assert record["function_memory_size"] == 1024
    assert record["function_version"] == "3"
    assert record["status"] == "success"
    assert capsys.readouterr().err == ""


class ListsAndDicts:
    function_name = ["orders"]
    function_version = {"v": 1}
    invoked_function_arn = {"arn": "x"}
    aws_request_id = ["req"]
    memory_limit_in_mb = [512]
    _epoch_deadline_time_in_ms = [1]

    def get_remaining_time_in_millis(self) -> Any:
        return {"ms": 3000}


def test_attributes_that_are_lists_or_dicts_keep_the_record() -> None:
    results, records = _run(ListsAndDicts(), n=2)
    assert results == [{"n": 0}, {"n": 1}]
    assert [r["status"] for r in records] == ["success", "success"]
    assert records[0]["function_name"] is None
    assert records[0]["function_memory_size"] == 128


class RaisingContext:
    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"no {name}")


def test_a_context_whose_attributes_raise_keeps_the_record() -> None:
    results, [record] = _run(RaisingContext())
    assert results == [{"n": 0}]
    assert record["status"] == "success"


@pytest.mark.parametrize(
    "remaining",
    [float("nan"), float("inf"), "3000", None, True, -5.0, 10**400],
)
def test_a_deadline_that_is_not_a_usable_number_is_ignored_with_one_warning(
    remaining: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    context = FakeContext()
    context.get_remaining_time_in_millis = lambda: remaining  # type: ignore[method-assign]
    _, records = _run(context, n=2)
    assert [r["status"] for r in records] == ["success", "success"]
    assert capsys.readouterr().err.count("context.get_remaining_time_in_millis()") == 1


def test_a_float_deadline_still_works() -> None:
    context = FakeContext()
    context.get_remaining_time_in_millis = lambda: 50.5  # type: ignore[method-assign]
    out = Capture()
    handler = instrument(output=out, timeout_margin_ms=40)(lambda e, c: time.sleep(0.3))
    handler({}, context)
    assert out.records[0]["status"] == "timeout"


def test_a_plain_mock_context_is_fine_too() -> None:
    _, [record] = _run(Mock(spec=[]))  # no attributes at all
    assert record["status"] == "success"
