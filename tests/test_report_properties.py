"""Property tests for every reader of `lambda-kit report` (bounded examples): REPORT text,
platform.report events, filter-log-events exports and our own records.

Whatever a line holds, a parser returns invocations whose every figure is finite and
within what Lambda can print, or raises Malformed; and both readers (line by line and
the fast chunked one) agree on mixes of good and bad lines, which never reach the
figures.
"""

import contextlib
import json
import math

from _report_helpers import (
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

from lambda_kit.report.parse import (
    Malformed,
    Sample,
    parse_line,
    parse_platform_report,
    parse_record,
)
from lambda_kit.report.render import summary
from lambda_kit.report.values import MAX_MEMORY_MB, MAX_MS, MIN_MEMORY_MB

GOOD = "REPORT RequestId: 1\tDuration: {d} ms\tBilled Duration: {b} ms\tMemory Size: {m} MB\tMax Memory Used: {u} MB"


def sane(s: Sample) -> None:
    """Every figure of a sample is one Lambda can print."""
    for ms in (s.duration_ms, s.init_ms, s.restore_ms):
        assert ms is None or (math.isfinite(ms) and 0 <= ms < MAX_MS)
    for whole in (s.billed_ms, s.billed_restore_ms):
        assert whole is None or (type(whole) is int and 0 <= whole < MAX_MS)
    assert MIN_MEMORY_MB <= s.memory_mb <= MAX_MEMORY_MB and type(s.memory_mb) is int
    assert 0 <= s.max_memory_mb <= MAX_MEMORY_MB and type(s.max_memory_mb) is int
    assert s.reported_cost_usd is None or (math.isfinite(s.reported_cost_usd) and s.reported_cost_usd >= 0)
    for text in (s.status, s.error_type, s.function, s.timestamp, s.architecture, s.request_id):
        assert text is None or isinstance(text, str)


def read(line: str) -> list[Sample] | None:
    """The samples of a line, or None when it is malformed; never another exception."""
    try:
        samples = parse_line(line)
    except Malformed as err:
        assert str(err)
        return None
    for s in samples:
        sane(s)
    return samples


# -- anything at all -------------------------------------------------------------------

FRAGMENTS = [
    "REPORT RequestId: 1", "\tDuration: ", " ms", "\tBilled Duration: ", "\tMemory Size: ",
    " MB", "\tMax Memory Used: ", "\tInit Duration: ", "Status: timeout", "inf", "NaN", "1e400",
    "-3", "12345678901234567890", "0", "128", "27.55", '{"type":"platform.report"', '{"type":"invocation"',
    '"record":{"metrics":{', '"durationMs":', '"billedDurationMs":', '"memorySizeMB":',
    '"maxMemoryUsedMB":', '"message": "', '"@message":"', "}", "{", "[", "]", ",", '"', "\\t",
    '"duration_ms":', '"function_memory_size":', '"billed_duration_ms":', '"function_name":',
    "/aws/lambda/orders", "2024-06-17T17:23:55.826Z ", "XRAY TraceId: 1",
]
anything = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(anything)
def test_any_line_gives_sane_invocations_or_malformed(line):
    read(line)


number_text = st.one_of(
    st.sampled_from(["inf", "-inf", "NaN", "1e400", "-0", "-3", "1_000", "12.x", "", "0x10",
                     "\u0661\u0662", "+5", "1e3", "10000000", "9999999.99", "32768", "32769"]),
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(max_examples=200, deadline=None)
@given(number_text, number_text, number_text, number_text)
def test_report_text_numbers_are_read_or_malformed(d, b, m, u):
    samples = read(GOOD.format(d=d, b=b, m=m, u=u))
    if samples:
        [s] = samples
        assert (s.duration_ms, s.billed_ms, s.memory_mb, s.max_memory_mb) == (
            float(d), int(b), int(m), int(u))


json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**22), 10**22)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
metric_value = st.one_of(st.integers(0, 40_000), st.floats(0, 2e7), json_value)


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries(
    {"durationMs": metric_value, "billedDurationMs": metric_value,
     "memorySizeMB": metric_value, "maxMemoryUsedMB": metric_value},
    optional={"initDurationMs": metric_value, "restoreDurationMs": metric_value,
              "billedRestoreDurationMs": metric_value},
), st.dictionaries(st.sampled_from(["status", "errorType", "requestId"]), json_value, max_size=3),
   json_value)
def test_platform_report_events_are_read_or_malformed(metrics, extra, time):
    event = {"time": time, "type": "platform.report", "record": {"metrics": metrics, **extra}}
    with contextlib.suppress(Malformed):
        sane(parse_platform_report(event))
    # the same event as a log line (NaN and Infinity as Python's json writes them)
    read(json.dumps(event))


record_keys = ["duration_ms", "billed_duration_ms", "function_memory_size", "max_memory_used_mb",
               "init_duration_ms", "cold_start", "cost_usd", "timestamp", "status", "error_type",
               "function_name", "service", "architecture", "function_request_id"]


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(record_keys), metric_value, max_size=14))
def test_our_records_are_read_or_malformed(fields):
    record = {"type": "invocation", "duration_ms": 1.5, "billed_duration_ms": 2,
              "function_memory_size": 128, **fields}
    with contextlib.suppress(Malformed):
        sane(parse_record(record))
    read(json.dumps(record))


@settings(max_examples=100, deadline=None)
@given(report_line(), st.sampled_from(["", "/aws/lambda/orders"]), st.integers(1_600_000_000_000, 1_900_000_000_000))
def test_an_exported_report_reads_as_the_text_line_does(line, group, stamp):
    text = read(line)
    exported = read(json.dumps({"logGroupName": group, "timestamp": stamp, "message": line}))
    if text is None:
        assert exported is None
    else:
        assert [(s.duration_ms, s.billed_ms, s.memory_mb, s.max_memory_mb, s.init_ms, s.status)
                for s in exported] == [
            (s.duration_ms, s.billed_ms, s.memory_mb, s.max_memory_mb, s.init_ms, s.status)
            for s in text]


@settings(max_examples=100, deadline=None)
@given(st.decimals("0", "9999999.99", places=2), st.integers(0, 9_999_999),
       st.integers(MIN_MEMORY_MB, MAX_MEMORY_MB), st.integers(0, MAX_MEMORY_MB))
def test_every_value_within_the_bounds_is_read(d, b, m, u):
    [s] = parse_line(GOOD.format(d=d, b=b, m=m, u=u))
    assert (s.duration_ms, s.billed_ms, s.memory_mb, s.max_memory_mb) == (float(d), b, m, u)
    event = {"type": "platform.report", "record": {"metrics": {
        "durationMs": float(d), "billedDurationMs": b, "memorySizeMB": m, "maxMemoryUsedMB": u}}}
    [p] = parse_line(json.dumps(event))
    assert (p.duration_ms, p.billed_ms, p.memory_mb, p.max_memory_mb) == (float(d), b, m, u)


# -- bad lines among good ones: both readers agree, and the figures do not move ----------

def _text_bad(draw) -> str:
    field = draw(st.sampled_from(["d", "b", "m", "u"]))
    bad = {
        "d": ["inf", "NaN", "1e400", "-3", "10000000", "12.x", "1_000"],
        "b": ["28.5", "10000000", "inf", "-1"],
        "m": ["12345678901234567890", "64", "40000", "1024.5", "0"],
        "u": ["40000", "-1", "99999999999999999999", "32769"],
    }[field]
    values = {"d": "12.5", "b": "13", "m": "512", "u": "100", field: draw(st.sampled_from(bad))}
    line = GOOD.format(**values)
    if draw(st.booleans()):
        line += draw(st.sampled_from(["\tInit Duration: inf ms", "\tInit Duration: 10000000 ms", "\t"]))
    return line


def _platform_bad(draw) -> str:
    metrics = {"durationMs": 12.5, "billedDurationMs": 13, "memorySizeMB": 512, "maxMemoryUsedMB": 100}
    key = draw(st.sampled_from(sorted(metrics)))
    metrics[key] = "@BAD@"
    line = json.dumps({"time": "2024-06-17T17:23:55.826Z", "type": "platform.report",
                       "record": {"requestId": "r", "metrics": metrics, "status": "success"}},
                      separators=draw(st.sampled_from([(",", ":"), (", ", ": ")])))
    out_of_range = "40000" if key in ("memorySizeMB", "maxMemoryUsedMB") else "10000000"
    bad = draw(st.sampled_from(["Infinity", "NaN", "1e400", "-1", "1" * 20, "true", '"x"', "null",
                                "0012", out_of_range, '{"a": 1}']))
    return line.replace('"@BAD@"', bad)


def _record_bad(draw) -> str:
    record = {"type": "invocation", "duration_ms": 12.5, "billed_duration_ms": 13,
              "function_memory_size": 512, "max_memory_used_mb": 100, "function_name": "orders"}
    key, bad = draw(st.sampled_from([
        ("function_name", '{"a": 1}'), ("duration_ms", '"Infinity"'), ("duration_ms", "1e400"),
        ("cost_usd", "1e400"), ("architecture", "[1]"), ("function_memory_size", "1" * 20),
        ("status", "[1]"), ("duration_ms", "[" * 3000 + "]" * 3000),
    ]))
    record[key] = "@BAD@"
    return json.dumps(record).replace('"@BAD@"', bad)


@st.composite
def bad_line(draw):
    """A line that claims to report an invocation and must be malformed."""
    form = draw(st.sampled_from(["text", "export", "platform", "record"]))
    if form == "text":
        return _text_bad(draw)
    if form == "export":
        return '            "message": ' + json.dumps(_text_bad(draw) + "\n") + ","
    if form == "platform":
        return _platform_bad(draw)
    return _record_bad(draw)


good_line = st.one_of(report_line(), export_line(), platform_line(), other_lines)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(st.booleans(), good_line, bad_line()), min_size=1, max_size=40),
       st.integers(64, 8192))
def test_bad_lines_are_malformed_in_both_readers_and_never_reach_the_figures(rows, size):
    lines = [bad if is_bad else good for is_bad, good, bad in rows]
    text = ("\n".join(lines) + "\n").encode()
    chunks, one_by_one = by_chunks(text, size), by_lines(text)
    assert figures(chunks) == figures(one_by_one)
    named = {number for number, _ in one_by_one.seen}
    bad_numbers = {n for n, (is_bad, _, _) in enumerate(rows, start=1) if is_bad}
    assert bad_numbers <= named
    clean = ("\n".join(good for is_bad, good, _ in rows if not is_bad) + "\n").encode()
    assert json.dumps(summary(one_by_one.total), sort_keys=True) == json.dumps(
        summary(by_lines(clean).total), sort_keys=True)
    json.dumps(summary(chunks.total), allow_nan=False)  # no NaN, no Infinity


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(good_line, bad_line()), min_size=1, max_size=30))
def test_grouping_by_function_counts_every_invocation_once(lines):
    text = ("\n".join(lines) + "\n").encode()
    scan = by_lines(text, group_by="function")
    assert sum(g.invocations for g in scan.groups.values()) == scan.total.invocations
    for group in scan.groups.values():
        json.dumps(summary(group), allow_nan=False)
