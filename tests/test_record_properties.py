"""Property tests of the invocation record: whatever the context holds, the record is one
line of strict JSON (no NaN or Infinity) that reads back as the record the sinks saw."""

from __future__ import annotations

import io
import json
import math
from typing import Any
from unittest.mock import MagicMock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_kit import _deadline, _problems, environment, instrument
from lambda_kit._current import text
from lambda_kit.record import KEYS, to_json_line

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
    st.binary(max_size=20),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
) | st.builds(MagicMock) | st.builds(object)

CONTEXT_ATTRIBUTES = ("function_name", "function_version", "invoked_function_arn",
                      "aws_request_id", "memory_limit_in_mb")  # fmt: skip


def _strict(raw: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(raw, parse_constant=refuse)


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    environment.reset()
    _problems.reset()
    yield
    _deadline.active.clear()
    environment.reset()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.fixed_dictionaries({name: values for name in CONTEXT_ATTRIBUTES}), st.booleans())
def test_any_context_gives_one_strict_json_line_that_round_trips(
    attributes: dict[str, Any], with_sink: bool
) -> None:
    context = type("Context", (), {})()
    for name, value in attributes.items():
        setattr(context, name, value)
    seen: list[dict[str, Any]] = []
    out = io.BytesIO()
    sinks = [seen.append] if with_sink else []
    handler = instrument(output=out, service="orders", sinks=sinks)(lambda e, c: "ok")
    assert handler({}, context) == "ok"
    [raw] = out.getvalue().splitlines(keepends=True)
    record = _strict(raw)
    assert [KEYS.index(k) for k in record] == sorted(KEYS.index(k) for k in record)
    assert record["status"] == "success"
    # a string is kept, anything else is its text or nothing (text()); no name at all
    # falls back to the environment's (unset here)
    assert record["function_name"] == (text(attributes["function_name"]) or None)
    for key, attribute in (("function_request_id", "aws_request_id"),
                           ("function_arn", "invoked_function_arn")):  # fmt: skip
        value = attributes[attribute]
        assert record[key] == (value if value is None or type(value) is str else text(value))
    if with_sink:
        [built] = seen
        assert to_json_line(built) == raw  # the dict and the line are the same record
        assert _strict(to_json_line(built)) == record


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), values, max_size=6))
def test_to_json_line_of_any_extra_keys_is_strict_json(extra: dict[str, Any]) -> None:
    record = {"timestamp": "2026-11-24T01:02:03.456Z", "level": "INFO", **extra}
    raw = to_json_line(record)
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    parsed = _strict(raw)
    assert list(parsed)[:2] == ["timestamp", "level"] and set(parsed) == set(record)
    for k, v in extra.items():
        if isinstance(v, float) and math.isfinite(v) and k in parsed and k not in KEYS:
            assert parsed[k] == v
