"""The chunked reader (one regex pass per chunk, counted by distinct value) prints exactly
what the line-by-line reader prints, for every form and mix of lines."""

import json

from _report_helpers import (
    CORPUS,
    PRICES,
    by_chunks,
    by_lines,
    export_line,
    figures,
    other_lines,
    platform_line,
    report_line,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.report.scan import Scan


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(report_line(), report_line(), other_lines), min_size=1, max_size=60),
    st.integers(16, 4096),
    st.booleans(),
)
def test_chunks_and_lines_give_the_same_figures(lines, size, newline_at_end):
    text = ("\n".join(lines) + ("\n" if newline_at_end else "")).encode()
    assert figures(by_chunks(text, size)) == figures(by_lines(text))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(export_line(), export_line(), other_lines), min_size=1, max_size=60),
    st.integers(16, 4096),
)
def test_exported_events_read_the_same_in_chunks_and_lines(lines, size):
    text = ("\n".join(lines) + "\n").encode()
    assert figures(by_chunks(text, size)) == figures(by_lines(text))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(platform_line(), platform_line(), other_lines), min_size=1, max_size=60),
    st.integers(16, 4096),
)
def test_platform_events_read_the_same_in_chunks_and_lines(lines, size):
    text = ("\n".join(lines) + "\n").encode()
    assert figures(by_chunks(text, size)) == figures(by_lines(text))


def test_platform_events_take_the_fast_path():
    lines = []
    for i in range(5000):
        metrics = {"durationMs": 1 + i % 977 / 3, "billedDurationMs": 2 + i % 977 // 3,
                   "memorySizeMB": 1024, "maxMemoryUsedMB": 70 + i % 9}
        if i % 50 == 0:
            metrics["initDurationMs"] = 201.5
        record = {"requestId": str(i), "metrics": metrics, "status": "timeout" if i == 7 else "success"}
        lines.append(json.dumps({"time": f"2024-06-17T{10 + i // 1000}:00:00.000Z", "type": "platform.report", "record": record}))
        lines.append(json.dumps({"time": "2024-06-17T10:00:00.000Z", "type": "platform.start", "record": {"requestId": str(i)}}))
    text = ("\n".join(lines) + "\n").encode()
    fast = by_chunks(text, 64 << 10)
    assert fast.fast_lines == fast.lines == 10_000
    assert figures(fast) == figures(by_lines(text))
    assert (fast.total.cold_starts, fast.total.timeouts, fast.total.last) == (100, 1, "2024-06-17T14:00")


def test_exported_events_take_the_fast_path():
    lines = ["{", '    "events": [']
    for i in range(5000):
        msg = json.dumps(
            f"REPORT RequestId: {i:032x}\tDuration: {1 + i % 977 / 3:.2f} ms\tBilled Duration: "
            f"{2 + i % 977 // 3} ms\tMemory Size: 512 MB\tMax Memory Used: {70 + i % 9} MB\t"
            + ("Init Duration: 123.45 ms\t" if i % 50 == 0 else "") + "\n"
        )
        lines.append(
            f'{{"logStreamName": "2026/11/24/[$LATEST]ab", "timestamp": {1764000000000 + i * 1000}, '
            f'"message": {msg}, "ingestionTime": 1764000000000, "eventId": "{i}"}}'
            if i % 2 else f"        {{\n            \"message\": {msg},"
        )
    text = ("\n".join(lines) + "\n").encode()
    fast = by_chunks(text, 64 << 10)
    assert fast.fast_lines == fast.lines
    assert figures(fast) == figures(by_lines(text))
    assert fast.total.first == "2025-11-24T16:00" and fast.total.cold_starts == 100


def test_plain_report_lines_take_the_fast_path_with_the_same_digits():
    lines = [
        f"REPORT RequestId: {i}\tDuration: {i * 7.31 % 900:.2f} ms\tBilled Duration: "
        f"{int(i * 7.31 % 900) + 1} ms\tMemory Size: {(128, 1024)[i % 2]} MB\t"
        f"Max Memory Used: {60 + i % 50} MB\t"
        + ("Init Duration: 301.2 ms\t" if i % 97 == 0 else "")
        for i in range(20_000)
    ]
    text = ("\n".join(lines) + "\n").encode()
    fast = by_chunks(text, 64 << 10)
    assert fast.fast_lines == 20_000
    assert figures(fast) == figures(by_lines(text))


def test_malformed_lines_are_named_with_their_line_number_in_a_chunk():
    seen = []
    good = b"REPORT RequestId: 1\tDuration: 1 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 5 MB\n"
    text = good * 3 + good.replace(b"5 MB", b"5 MB\tInit Duration: x ms") + good
    scan = Scan(PRICES, on_malformed=lambda where, n, why, line: seen.append((where, n, why)))
    scan.chunk("f.log", 10, text)
    scan.finish()
    assert seen == [("f.log", 13, "Init Duration is not a number: 'x'")]
    assert (scan.total.invocations, scan.malformed, scan.lines) == (4, 1, 5)


def test_the_corpus_reads_the_same_in_chunks_of_any_size():
    text = b"\n".join(json.loads(line)["line"].encode() for line in CORPUS.open()) + b"\n"
    want = figures(by_lines(text))
    for size in (64, 1000, 1 << 20):
        assert figures(by_chunks(text, size)) == want
