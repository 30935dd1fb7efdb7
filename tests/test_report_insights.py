"""The Logs Insights queries and the reading of their rows (GetQueryResults' documented shape:
``{"status", "results": [[{"field", "value"}, ...], ...], "statistics"}``, every value a string)."""

import argparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.prices import prices_for
from lambda_kit.report import insights
from lambda_kit.report.cloud import from_sizes, time_range

PRICES = {a: prices_for("us-east-1", a) for a in ("x86_64", "arm64")}


def answer(*rows):
    return {
        "status": "Complete",
        "results": [[{"field": k, "value": str(v)} for k, v in row.items()] + [{"field": "@ptr", "value": "Cm0KJgo"}] for row in rows],
        "statistics": {"recordsMatched": 2.0, "recordsScanned": 9.0, "bytesScanned": 900.0},
    }


ROW = {
    "memory_mb": 1024, "invocations": 1000, "cold_starts": 10, "timeouts": 1, "errors": 2,
    "out_of_memory": 0, "billed_mb_ms": 1024 * 120_000, "own_mb_ms": 1024 * 121_000,
    "peak_used_mb": 300, "duration_max": 980.5, "init_max": 700,
    "duration_p50": 100.25, "duration_p90": 200, "duration_p99": 900,
    "init_p50": 400, "init_p90": 600, "init_p99": 700, "used_p50": 200, "used_p90": 250, "used_p99": 290,
    "first": "2026-11-24 10:00:01.000", "last": "2026-11-24 12:59:59.999",
}


def test_the_totals_query_aggregates_server_side():
    q = insights.totals_query()
    assert q.startswith('filter @type = "REPORT"')
    for part in ("count(*) as invocations", "count(init_ms) as cold_starts", "sum(@billedDuration * memory_mb) as billed_mb_ms",
                 "pct(@duration, 99) as duration_p99", "pct(init_ms, 50) as init_p50", "by memory_mb",
                 "sum(ceil(@duration + coalesce(init_ms, 0)) * memory_mb) as own_mb_ms"):
        assert part in q
    assert "coalesce" not in insights.totals_query(init_billed=False)


def test_a_filter_is_quoted_into_the_query():
    assert '| filter @message like "a\\"b\\\\c"' in insights.hourly_query('a"b\\c')


def test_results_are_read_as_plain_rows_without_the_pointer():
    [row] = insights.parse_results(answer(ROW))
    assert row["invocations"] == "1000" and "@ptr" not in row


def test_one_range_is_priced_here_exactly():
    sizes = insights.combine([insights.parse_results(answer(ROW))])
    result = from_sizes(sizes, PRICES, "x86_64", True)
    assert result["invocations"] == 1000 and result["cold_starts"] == 10
    assert result["billed_gb_s"] == pytest.approx(120.0)
    assert result["cost_usd"] == pytest.approx(1000 * 0.2e-6 + 120.0 * 0.0000166667)
    assert result["duration_ms"] == {"p50": 100.25, "p90": 200.0, "p99": 900.0, "max": 980.5}
    assert result["max_memory_used_mb"]["peak"] == 300
    assert (result["first"], result["last"]) == ("2026-11-24T10:00", "2026-11-24T12:59")
    assert result["recommendation"]["action"] == "reduce"
    assert "approximate" not in result


def test_several_ranges_add_counts_exactly_and_mark_percentiles_approximate():
    other = {**ROW, "invocations": 3000, "duration_p99": 100, "duration_max": 120, "first": "2026-11-23 01:00:00.000"}
    sizes = insights.combine([insights.parse_results(answer(ROW)), insights.parse_results(answer(other))])
    result = from_sizes(sizes, PRICES, "arm64", True)
    assert result["invocations"] == 4000
    assert result["duration_ms"]["p99"] == pytest.approx((900 * 1000 + 100 * 3000) / 4000)
    assert result["duration_ms"]["max"] == 980.5
    assert result["first"] == "2026-11-23T01:00"
    assert "duration_ms percentiles" in result["approximate"]


def test_hourly_rows_are_keyed_by_hour():
    rows = insights.parse_results(answer({"bin(1h)": "2026-11-24 10:00:00.000", "invocations": 5, "cold_starts": 1, "billed_mb_ms": 100}))
    assert insights.hourly([rows, rows]) == {"2026-11-24T10:00": {"invocations": 10.0, "cold_starts": 2.0, "billed_mb_ms": 200.0}}


@pytest.mark.parametrize("field,value,why", [
    ("invocations", "many", "invocations is not a whole number: 'many'"),
    ("invocations", "NaN", "invocations is not a whole number: 'NaN'"),
    ("duration_p99", "Infinity", "duration_p99 is not a number: 'Infinity'"),
    ("duration_max", "1e400", "duration_max is not a number: '1e400'"),
    ("billed_mb_ms", "-5", "billed_mb_ms must not be negative: '-5'"),
    ("cold_starts", "2.5", "cold_starts is not a whole number: 2.5"),
    ("memory_mb", "99999999999999999999", "memory_mb is out of range: 99999999999999999999 MB"),
    ("memory_mb", "64", "memory_mb is out of range: 64 MB (Lambda's: 128 to 32,768)"),
    ("invocations", "1e15", "invocations is out of range: 1000000000000000.0 invocations"),
    ("init_p50", "10000000", "init_p50 is out of range: 10000000 ms"),
    ("used_p90", "40000", "used_p90 is out of range: 40000 MB"),
    ("first", "yesterday", "first is not a timestamp: 'yesterday'"),
])
def test_a_row_with_a_value_no_lambda_prints_is_malformed_and_left_out(field, value, why):
    bad = {**ROW, field: value}
    malformed = []
    sizes = insights.combine([insights.parse_results(answer(ROW)), insights.parse_results(answer(ROW, bad))], malformed)
    [(query, row, reason)] = malformed
    assert (query, row) == (2, 2) and reason.startswith(why)
    # the good rows alone make the figures
    assert sizes[1024]["invocations"] == 2000 and sizes[1024]["ranges"] == 2


def test_an_exponent_form_is_read_and_range_checked():
    sizes = insights.combine([insights.parse_results(answer({**ROW, "billed_mb_ms": "1.2288E8", "invocations": "1.0e3"}))])
    assert sizes[1024]["billed_mb_ms"] == 122_880_000 and sizes[1024]["invocations"] == 1000


def test_a_malformed_hourly_row_is_left_out_with_its_number():
    good = {"bin(1h)": "2026-11-24 10:00:00.000", "invocations": 5, "billed_mb_ms": 100}
    malformed = []
    hours = insights.hourly([insights.parse_results(answer(good, {**good, "invocations": "inf"}))], malformed)
    assert hours == {"2026-11-24T10:00": {"invocations": 5.0, "cold_starts": 0.0, "billed_mb_ms": 100.0}}
    assert malformed == [(1, 2, "invocations is not a whole number: 'inf'")]


NUMBERS = {
    "memory_mb": st.sampled_from([128, 512, 1024, 10240]),
    "invocations": st.integers(0, 10**12),
    "cold_starts": st.integers(0, 10**6),
    "billed_mb_ms": st.integers(0, 10**18),
    "duration_p99": st.floats(0, 899_999, allow_nan=False),
    "peak_used_mb": st.integers(0, 10240),
}
BAD = st.one_of(
    st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", "-1", "-0.5", "", "1_000", "0x10", " 5", "\u0661"]),
    st.integers(10**20, 10**40).map(str),
    st.text(max_size=12),
)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.fixed_dictionaries(NUMBERS), st.none() | st.tuples(st.sampled_from(sorted(NUMBERS)), BAD)), min_size=1, max_size=8))
def test_whatever_the_rows_hold_the_figures_are_finite_and_only_good_rows_count(rows):
    texts = []
    for good, spoil in rows:
        row = {k: str(v) for k, v in good.items()}
        if spoil is not None:
            row[spoil[0]] = spoil[1]
        texts.append(row)
    malformed = []
    sizes = insights.combine([insights.parse_results(answer(*texts))], malformed)
    kept = []
    for number, row in enumerate(texts, 1):
        try:
            insights.read_row(row)
            kept.append(row)
        except ValueError:
            assert number in [r for _, r, _ in malformed]
    assert len(kept) + len(malformed) == len(texts)
    assert sum(s["invocations"] for s in sizes.values()) == sum(int(float(r["invocations"] or 0)) for r in kept if r.get("memory_mb"))
    result = from_sizes(sizes, PRICES, "x86_64", True) if sizes else {}
    import json
    json.dumps(result, allow_nan=False)  # no NaN or Infinity reaches a figure


counts = st.integers(0, 10**9)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from([128, 512, 1024]), counts, counts, counts), min_size=1, max_size=12), st.integers(1, 5))
def test_counts_add_up_the_same_however_the_range_is_cut(rows, parts):
    def row(mem, n, cold, mb_ms):
        return {"memory_mb": mem, "invocations": n, "cold_starts": cold, "billed_mb_ms": mb_ms}

    whole = insights.combine([insights.parse_results(answer(*[row(*r) for r in rows]))])
    cut = insights.combine([insights.parse_results(answer(*[row(*r) for r in rows[i::parts]])) for i in range(parts)])
    for mem, size in whole.items():
        for key in ("invocations", "cold_starts", "billed_mb_ms"):
            assert cut[mem][key] == size[key]


def ns(**kw):
    return argparse.Namespace(**{"since": None, "start": None, "end": None, **kw})


def test_time_ranges_from_since_or_start_and_end():
    now = 1_800_000_000_000
    assert time_range(ns(since="7d"), now) == (now - 7 * 86_400_000, now)
    assert time_range(ns(since="90m"), now) == (now - 5_400_000, now)
    assert time_range(ns(start="2026-11-24T10:00Z", end="2026-11-24T11:00"), now)[1] - time_range(ns(start="2026-11-24T10:00Z", end="2026-11-24T11:00"), now)[0] == 3_600_000


@pytest.mark.parametrize("kw,message", [
    ({"since": "7 days"}, "expected a number and s, m, h, d or w"),
    ({"start": "yesterday"}, "not an ISO 8601 time"),
    ({"start": "2026-11-24T11:00Z", "end": "2026-11-24T10:00Z"}, "not before its end"),
    ({"since": "1d", "start": "2026-11-24T11:00Z"}, "not both"),
])
def test_bad_time_ranges_say_why(kw, message):
    with pytest.raises(ValueError, match=message):
        time_range(ns(**kw), 1_800_000_000_000)
