"""The EMF specification as one check, for every test that reads EMF lines."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import jsonschema

from lambda_kit.sinks.emf import MAX_EVENT_BYTES

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "emf.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def assert_valid_emf(line: str | bytes) -> dict[str, Any]:
    """The EMF specification, as one check: the schema plus the rules it cannot express."""
    raw = line.encode() if isinstance(line, str) else line
    assert len(raw) <= MAX_EVENT_BYTES, f"event of {len(raw)} bytes is over 256 KB"
    doc = json.loads(raw)
    VALIDATOR.validate(doc)
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"]:
            for key in dimension_set:
                assert isinstance(doc.get(key), str), f"dimension {key!r} must be a root string"
                assert 1 <= len(doc[key]) <= 1024 and doc[key].isascii()
        names = [m["Name"] for m in directive["Metrics"]]
        assert len(names) == len(set(names)), "a metric defined twice in one directive"
        for name in names:
            value = doc.get(name)
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= 100, f"{name}: {len(values)} values"
            for v in values:
                assert isinstance(v, (int, float)) and not isinstance(v, bool), (name, v)
                assert math.isfinite(v)
    return doc
