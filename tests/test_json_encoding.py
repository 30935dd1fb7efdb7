"""The record's JSON writer: valid RFC 8259 JSON for every value it may meet."""

from __future__ import annotations

import enum
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lambda_kit._output import dumps, string
from lambda_kit.record import KEYS
from lambda_kit.record import to_json_line as record_line


def _record(**overrides):
    base = {
        "timestamp": "2026-11-24T01:02:03.456Z",
        "level": "INFO",
        "message": "invocation",
        "type": "invocation",
        "service": "orders",
        "function_name": "orders-fn",
        "function_version": "$LATEST",
        "function_arn": "arn:aws:lambda:us-east-1:123456789012:function:orders-fn",
        "function_memory_size": 512,
        "init_type": "on-demand",
        "architecture": "x86_64",
        "function_request_id": "c6af9ac6-7b61-11e6-9a41-93e812345678",
        "cold_start": False,
        "proactive_init": False,
        "invocation_count": 12,
        "duration_ms": 1.234,
        "billed_duration_ms": 2,
        "max_memory_used_mb": 45,
        "cost_usd": 3.68e-07,
        "status": "success",
    }
    base.update(overrides)
    return base


def test_a_record_round_trips_through_json():
    record = _record()
    assert json.loads(record_line(record)) == record


def test_the_line_ends_with_one_newline():
    line = record_line(_record())
    assert line.endswith(b"}\n") and line.count(b"\n") == 1


def test_keys_come_out_in_the_documented_order():
    record = _record(error_type="ValueError", xray_trace_id="1-a-b", init_duration_ms=12.5)
    keys = list(json.loads(record_line(record)))
    assert keys == sorted(keys, key=KEYS.index)


def test_extra_keys_from_hooks_follow_the_core_keys():
    record = _record(connections={"db": {"state": "reused"}}, custom=[1, "two", None])
    parsed = json.loads(record_line(record))
    assert parsed["connections"] == {"db": {"state": "reused"}}
    assert list(parsed)[-2:] == ["connections", "custom"]


@pytest.mark.parametrize(
    "text",
    [
        'quote " here',
        "back\\slash",
        "new\nline",
        "tab\t",
        "\x00\x1f\x7f",
        "ünïcödé ✓",
        "emoji 🐍",
        "\u2028 separator",
    ],
)
def test_strings_from_the_context_are_escaped(text):
    record = _record(service=text, function_name=text, function_request_id=text)
    parsed = json.loads(record_line(record))
    assert parsed["service"] == parsed["function_name"] == parsed["function_request_id"] == text


def test_lone_surrogates_still_give_valid_json():
    parsed = json.loads(record_line(_record(function_request_id="bad \udc80 id")))
    assert parsed["function_request_id"].startswith("bad ")


def test_non_finite_floats_become_null():
    assert (
        dumps({"a": float("nan"), "b": float("inf"), "c": -float("inf")})
        == '{"a":null,"b":null,"c":null}'
    )


def test_unknown_objects_are_written_as_their_text():
    class Thing:
        def __str__(self) -> str:
            return "a thing"

    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert json.loads(dumps({"t": Thing(), "b": Broken()})) == {
        "t": "a thing",
        "b": "<unprintable Broken>",
    }


def test_subclasses_of_basic_types_are_written_as_the_basic_type():
    class Color(enum.IntEnum):
        RED = 1

    class Name(str):
        pass

    assert json.loads(dumps({"c": Color.RED, "n": Name("x"), "t": (1, 2), "s": {3}})) == {
        "c": 1,
        "n": "x",
        "t": [1, 2],
        "s": [3],
    }


def test_non_string_keys_become_strings():
    assert json.loads(dumps({1: "a", None: "b", ("x",): "c"})) == {
        "1": "a",
        "null": "b",
        "('x',)": "c",
    }


def test_a_hand_built_record_missing_core_keys_still_becomes_json():
    assert json.loads(record_line({"level": "INFO", "cost_usd": 1e-6})) == {
        "level": "INFO",
        "cost_usd": 1e-6,
    }


def test_a_record_with_non_numeric_values_falls_back_to_the_general_writer():
    parsed = json.loads(record_line(_record(duration_ms="fast")))
    assert parsed["duration_ms"] == "fast"


@given(st.text())
def test_any_text_is_a_valid_json_string(text):
    assert json.loads(string(text)) == text


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_json_value_round_trips(value):
    assert json.loads(dumps(value)) == value


def test_the_sink_writes_the_records_own_bytes_also_when_the_application_imported_orjson():
    import orjson  # noqa: F401  (the application's own import: it changes nothing)

    from lambda_kit.sinks.jsonline import JsonLineSink

    sink = JsonLineSink(io.BytesIO())

    def encode(record):
        sink(record)
        line = sink._stream.getvalue().splitlines()[-1]
        return line
    record = _record(error_type="E", xray_trace_id="1-a-b", init_duration_ms=12.5,
                     init={"total_ms": 1.5, "top_imports": [{"module": "x", "cumulative_ms": 1.0}]},
                     service='quote " and \\ and \n', cost_usd=2.02083e-07)  # @instrument rounds to 1e-12
    assert encode(record) + b"\n" == record_line(record)
    assert json.loads(encode(record)) == record


def test_the_writer_takes_what_orjson_would_refuse():
    import orjson  # noqa: F401

    from lambda_kit.sinks.jsonline import JsonLineSink

    stream = io.BytesIO()
    JsonLineSink(stream)(_record(custom={1: "non-string key", "big": 2**70}))
    assert json.loads(stream.getvalue())["custom"] == {"1": "non-string key", "big": 2**70}


def test_lambda_kit_never_imports_orjson_itself():
    import subprocess
    import sys

    code = ("import sys, datetime, uuid, dataclasses, json\n"
            "from lambda_kit import instrument\n"
            "h = instrument(output='/dev/null')(lambda e, c: None)\n"
            "h({}, None); h({}, None)\n"
            "print('orjson' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
