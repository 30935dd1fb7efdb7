"""A process's first lines are written by the stdlib's C encoder, later ones by orjson:
both write the same JSON for every kind of value."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import uuid

import pytest

from lambda_kit.log import _fields


@dataclasses.dataclass
class Point:
    x: int
    y: int


VALUES = {
    "plain": {"s": "text", "i": -3, "f": 0.1, "b": True, "n": None},
    "escapes": {"s": 'quote " backslash \\ newline \n tab \t nul \x00 é € 😀'},
    "nan and infinity": {"nan": float("nan"), "inf": float("inf"), "neg": float("-inf")},
    "big integers": {"big": 2**70, "neg_big": -(2**70)},
    "sets": {"s": {1}, "fs": frozenset({"a"})},
    "dates": {
        "d": datetime.date(2026, 11, 24),
        "dt": datetime.datetime(2026, 11, 24, 2, 5, 33, 724000, tzinfo=datetime.UTC),
        "naive": datetime.datetime(2026, 11, 24, 2, 5, 33),
        "t": datetime.time(2, 5),
    },
    "others": {"dec": decimal.Decimal("9.99"), "uuid": uuid.UUID(int=7), "point": Point(1, 2)},
    "non-str keys": {"m": {1: "a", None: "b", 2.5: "c", (1, 2): "d"}},
    "nested": {"rows": [{"id": 1, "tags": ("a", "b")}, [1, [2, [3]]]]},
    "lone surrogate": {"s": "bad \ud800 text"},
}


def _both(fields, monkeypatch):
    monkeypatch.setattr(_fields, "_orjson_dumps", None)
    stdlib = _fields.to_line(fields)
    monkeypatch.undo()
    _fields.load_orjson()
    return stdlib, _fields.to_line(fields)


@pytest.mark.parametrize("case", list(VALUES))
def test_both_encoders_write_the_same_json(case, monkeypatch):
    stdlib, orjson_line = _both(VALUES[case], monkeypatch)
    assert stdlib.endswith(b"\n") and orjson_line.endswith(b"\n")
    assert json.loads(stdlib) == json.loads(orjson_line)


def test_nan_is_written_as_null():
    assert json.loads(_fields.to_line({"x": float("nan")})) == {"x": None}


def test_dates_are_written_as_iso_8601():
    line = _fields.to_line({"d": datetime.date(2026, 11, 24)})
    assert json.loads(line) == {"d": "2026-11-24"}


def test_the_stdlib_encoder_refuses_nan_so_the_careful_path_runs():
    with pytest.raises(ValueError):
        _fields.stdlib_line({"x": float("nan")})
