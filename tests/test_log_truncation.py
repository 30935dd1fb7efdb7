"""A line over the limit keeps its logger and context keys, the message and as many
keys as fit, says what was dropped, and stays valid JSON under the limit."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import threading
from typing import Any

from _log_helpers import Context, clean_log_env, lines, memory_logger
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_kit import instrument
from lambda_kit.log import MAX_LINE_BYTES
from lambda_kit.log._truncate import truncate
from lambda_kit.log.powertools import Logger as PowertoolsLogger

__all__ = ["clean_log_env"]

LOGGER_KEYS = ("timestamp", "level", "message", "service", "location")
CONTEXT_KEYS = (
    "cold_start",
    "function_name",
    "function_memory_size",
    "function_arn",
    "function_request_id",
)
_services = itertools.count()


def one_line(buf: io.BytesIO) -> tuple[bytes, dict[str, Any]]:
    raw = buf.getvalue()
    assert raw.count(b"\n") == 1
    return raw, json.loads(raw)


def test_400_keys_of_900_characters_keep_the_message_context_and_most_keys():
    log, buf = memory_logger(service="orders")

    @instrument(service="orders")
    def handler(event, context):
        log.info("many keys", **{f"k{i}": "x" * 900 for i in range(400)})

    handler({}, Context("req-400"))
    raw, line = one_line(buf)
    assert len(raw) - 1 <= MAX_LINE_BYTES
    assert line["message"] == "many keys" and line["service"] == "orders"
    assert line["location"].startswith("handler:")
    assert line["function_request_id"] == "req-400" and line["cold_start"] in (True, False)
    kept = [k for k in line if k.startswith("k")]
    assert len(kept) >= 280  # 256 KB hold 287 whole values of 900 characters
    assert kept == [f"k{i}" for i in range(len(kept))]  # the line's order, from the first
    marker = line["truncated"]
    assert marker["bytes"] > 360_000
    assert marker["dropped_keys"] + len(kept) == 400
    assert all(line[k] == "x" * 900 for k in kept if k not in marker.get("cut_keys", ()))


def test_20000_small_keys_keep_the_first_ones_and_count_the_rest():
    log, buf = memory_logger()
    log.info("wide", **{f"key{i}": i for i in range(20_000)})
    raw, line = one_line(buf)
    assert len(raw) - 1 <= MAX_LINE_BYTES
    kept = [k for k in line if k.startswith("key")]
    assert len(kept) > 15_000 and line[kept[-1]] == len(kept) - 1
    assert line["truncated"]["dropped_keys"] == 20_000 - len(kept)


def test_a_huge_message_is_cut_and_small_keys_stay():
    log, buf = memory_logger()
    log.info("m" * 400_000, order_id=7, body="b" * 400_000)
    raw, line = one_line(buf)
    assert len(raw) - 1 <= MAX_LINE_BYTES
    assert line["order_id"] == 7
    assert line["message"].startswith("mmm") and line["message"].endswith("...[truncated]")
    assert line["truncated"]["cut_keys"] == ["message", "body"]
    assert line["truncated"]["dropped_keys"] == 0


def test_a_huge_key_name_is_dropped_not_written():
    log, buf = memory_logger(max_line_bytes=4096)
    log.info("odd", **{"k" * 10_000: 1, "small": 2})
    raw, line = one_line(buf)
    assert len(raw) - 1 <= 4096 and line["small"] == 2
    assert line["truncated"]["dropped_keys"] == 1


def test_a_huge_service_name_is_cut_but_stays():
    log, buf = memory_logger(service="s" * 5000, max_line_bytes=2048)
    log.info("x", pad="p" * 3000)
    raw, line = one_line(buf)
    assert len(raw) - 1 <= 2048
    assert line["service"].startswith("sss") and "service" in line["truncated"]["cut_keys"]


def test_values_that_json_cannot_hold_are_cut_too():
    log, buf = memory_logger(max_line_bytes=2048)

    class Loud:
        def __str__(self) -> str:
            return "L" * 5000

    log.info("x", thing=Loud(), numbers={1, 2, 3}, nan=float("nan"), pad="é" * 3000)
    raw, line = one_line(buf)
    assert len(raw) - 1 <= 2048 and line["message"] == "x"


def test_the_powertools_compatible_logger_keeps_its_keys_too():
    stream = io.StringIO()
    service = f"pt-trunc-{next(_services)}"
    log = PowertoolsLogger(service=service, stream=stream)
    log.append_keys(correlation_id="c-1")
    log.info("wide", extra={f"k{i}": "y" * 900 for i in range(400)})
    raw = stream.getvalue()
    line = json.loads(raw)
    assert len(raw.encode()) - 1 <= MAX_LINE_BYTES
    assert list(line)[:5] == ["level", "location", "message", "timestamp", "service"]
    assert line["message"] == "wide" and line["correlation_id"] == "c-1"
    assert line["truncated"]["dropped_keys"] > 0


def test_threads_and_tasks_writing_big_lines_at_once_each_get_a_whole_line():
    log, buf = memory_logger()

    def big(tag: str) -> None:
        log.info(tag, **{f"{tag}-{i}": "z" * 900 for i in range(350)})

    threads = [threading.Thread(target=big, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    async def main() -> None:
        async def task(tag: str) -> None:
            await asyncio.sleep(0)
            big(tag)

        await asyncio.gather(*(task(f"a{n}") for n in range(4)))

    asyncio.run(main())
    got = lines(buf)
    assert sorted(x["message"] for x in got) == sorted(
        [f"t{n}" for n in range(4)] + [f"a{n}" for n in range(4)]
    )
    for x in got:  # no line mixes another's keys
        assert all(k.startswith(x["message"] + "-") for k in x if "-" in k)


# -- properties -----------------------------------------------------------------------------
_text = st.text(max_size=400)
_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_text, inner, max_size=5),
    max_leaves=20,
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    keys=st.dictionaries(_text, _values, max_size=40),
    message=_values,
    limit=st.integers(min_value=1024, max_value=6000),
)
def test_any_fields_cut_to_any_limit_give_valid_json_under_it(keys, message, limit):
    fields: dict[str, Any] = {
        "timestamp": "2026-11-24T01:02:03.456Z",
        "level": "INFO",
        "message": message,
        "service": "orders",
        "location": "handler:12",
        "function_request_id": "req-1",
    }
    fields.update({k: v for k, v in keys.items() if k not in fields})
    raw = truncate(fields, limit)
    assert raw.endswith(b"\n") and len(raw) - 1 <= limit
    line = json.loads(raw)
    for key in ("timestamp", "level", "service", "location", "function_request_id"):
        assert line[key] == fields[key]
    assert "message" in line and "dropped_keys" in line["truncated"]
