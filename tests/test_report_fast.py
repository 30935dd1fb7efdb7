"""The chunked reader (one regex pass per chunk, counted by distinct value) prints exactly
what the line-by-line reader prints, for every form and mix of lines."""

import io
import json
import pathlib

from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.prices import prices_for
from lambda_kit.report.render import summary
from lambda_kit.report.scan import Scan, line_count, numbered_chunks

PRICES = {a: prices_for("us-east-1", a) for a in ("x86_64", "arm64")}
CORPUS = pathlib.Path(__file__).parent / "fixtures" / "report_corpus.jsonl"


def by_lines(text: bytes, **kw) -> Scan:
    scan = Scan(PRICES, **kw)
    # as `for line in file` splits: an empty file has no lines
    pieces = text.split(b"\n") if text else []
    if text.endswith(b"\n"):
        pieces.pop()
    for number, raw in enumerate(pieces, start=1):
        scan.line("in", number, raw.decode("utf-8", "replace"))
    scan.finish()
    return scan


def by_chunks(text: bytes, size: int, **kw) -> Scan:
    scan = Scan(PRICES, **kw)
    number = 1
    for chunk in numbered_chunks(io.BytesIO(text), size):
        scan.chunk("in", number, chunk)
        number += line_count(chunk)
    scan.finish()
    return scan


def figures(scan: Scan) -> tuple:
    return (
        json.dumps(summary(scan.total), sort_keys=True),
        scan.lines,
        scan.skipped,
        scan.malformed,
    )


durations = st.decimals(min_value="0.01", max_value="900000", places=2).map(str)
memories = st.sampled_from([128, 512, 1024, 1769, 3008, 10240])


@st.composite
def report_line(draw):
    memory = draw(memories)
    fields = [
        f"Duration: {draw(durations)} ms",
        f"Billed Duration: {draw(st.integers(1, 900_000))} ms",
        f"Memory Size: {memory} MB",
        f"Max Memory Used: {draw(st.integers(1, memory))} MB",
    ]
    tail = draw(
        st.sampled_from(
            [
                "",
                "",
                "",
                "Init Duration: 412.33 ms",
                "Status: timeout",
                "Init Duration: 9.5 ms\tStatus: error\tError Type: Runtime.OutOfMemory",
                "Duration: oops",
            ]
        )
    )
    sep = draw(st.sampled_from(["\t", " ", "  "]))
    prefix = draw(
        st.sampled_from(["", "2024-06-17T17:23:55.826Z ", "2023-06-02 11:00:01 x ", "junk "])
    )
    end = draw(st.sampled_from(["", "\t", " ", "\r"]))
    line = f"{prefix}REPORT RequestId: r{draw(st.integers(0, 99))}{sep}" + sep.join(fields)
    return line + (sep + tail if tail else "") + end


@st.composite
def export_line(draw):
    """A REPORT line as `aws logs filter-log-events` prints it: indented, or jq -c's whole event."""
    message = json.dumps(draw(report_line()) + draw(st.sampled_from(["\n", ""])))
    if draw(st.booleans()):
        return "            \"message\": " + message + draw(st.sampled_from([",", ""]))
    stream = draw(st.sampled_from(["2026/11/24/[$LATEST]0af3", "2026-11-24 10:00 odd", ""]))
    stamp = draw(st.integers(1_600_000_000_000, 1_900_000_000_000))
    colon = draw(st.sampled_from([":", ": "]))
    return (
        f'{{"logStreamName"{colon}"{stream}","timestamp"{colon}{stamp},"message"{colon}{message},'
        f'"ingestionTime"{colon}{stamp + 90},"eventId"{colon}"{stamp}"}}'
    )


@st.composite
def platform_line(draw):
    """A platform.report event as a function with AWS_LAMBDA_LOG_FORMAT=JSON logs it."""
    memory = draw(memories)
    metrics = {
        "durationMs": float(draw(durations)),
        "billedDurationMs": draw(st.integers(1, 900_000)),
        "memorySizeMB": memory,
        "maxMemoryUsedMB": draw(st.integers(1, memory)),
    }
    if draw(st.booleans()):
        metrics["initDurationMs"] = float(draw(durations))
    record = {"requestId": f"r{draw(st.integers(0, 99))}", "metrics": metrics,
              "status": draw(st.sampled_from(["success", "success", "timeout", "error"]))}
    if draw(st.integers(0, 4)) == 0:
        record["errorType"] = draw(st.sampled_from(["Runtime.OutOfMemory", "Sandbox.Timedout", ""]))
    if draw(st.integers(0, 6)) == 0:
        record["spans"] = [{"name": "responseLatency", "durationMs": 1.5}]
    event = {"time": draw(st.sampled_from(["2024-06-17T17:23:55.826Z", "2024-06-17T09:00:00Z"])),
             "type": "platform.report", "record": record}
    compact = draw(st.booleans())
    return json.dumps(event, separators=(",", ":") if compact else (", ", ": "))


other_lines = st.sampled_from(
    [
        "START RequestId: 1 Version: $LATEST",
        "END RequestId: 1",
        "",
        "2024-06-17T17:23:55.826Z\tabc\tINFO\tprocessing order 1234",
        "REPORT RequestId: 9\tDuration: 1.0 ms",
        '{"type": "invocation", "duration_ms": 3.2, "billed_duration_ms": 4, '
        '"function_memory_size": 256, "max_memory_used_mb": 70}',
        "{",
        '    "events": [',
        '            "timestamp": 1732400000000,',
        '            "message": "START RequestId: 1 Version: $LATEST\\n",',
        '            "message": "REPORT RequestId: 9\\tDuration: x ms",',
        '{"time":"2024-06-17T17:23:55.000Z","type":"platform.start","record":{"requestId":"1"}}',
        '{"timestamp":"2024-06-17T17:23:55Z","level":"INFO","message":"order 1 placed"}',
        '{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"metrics":{"durationMs":-1}}}',
    ]
)


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
