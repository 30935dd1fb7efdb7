"""The Powertools-compatible Logger writes Powertools' lines (real Powertools, side by side)."""

from __future__ import annotations

from _compat_helpers import comparable, run_both

API_EVENTS = [
    {"requestContext": {"requestId": "c-1"}, "amount": 10, "payment_id": "p-1"},
    {"requestContext": {"requestId": "c-2"}, "amount": 20, "payment_id": "p-2"},
]


def _same_lines(pt, lk):
    assert len(pt.logs) == len(lk.logs), (pt.logs, lk.logs)
    for ours, theirs in zip(lk.logs, pt.logs, strict=True):
        if theirs["location"].startswith("decorate:"):  # the decorator's own line
            assert ours["location"].startswith("decorate:")
            theirs = {**theirs, "location": ours["location"]}
        assert comparable(ours) == comparable(theirs)


def test_logger_basics_writes_the_same_lines_cold_then_warm():
    pt, lk = run_both("logger_basics", API_EVENTS)
    _same_lines(pt, lk)
    assert pt.results == lk.results
    cold = [line["cold_start"] for line in lk.logs if "cold_start" in line]
    assert cold[0] is True and cold[-1] is False
    assert [r["cold_start"] for r in lk.records] == [True, False]  # lambda_kit's record too


def test_child_loggers_exceptions_and_clear_state_match_at_debug():
    events = [{"first": True}, {}]
    pt, lk = run_both(
        "logger_children", events,
        {"HANDLER_LEVEL": "DEBUG", "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"},
    )  # fmt: skip
    _same_lines(pt, lk)
    assert pt.results == lk.results == [True, True]
    assert any("stack_trace" in line for line in lk.logs)
    assert all(line["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793" for line in lk.logs)
    assert not any("first_only" in line for line in lk.logs[len(lk.logs) // 2 :])  # cleared


def test_powertools_log_level_and_lambda_log_level_precedence():
    # Lambda's level wins over the argument, as Powertools documents
    pt, lk = run_both(
        "logger_children", [{}], {"HANDLER_LEVEL": "DEBUG", "AWS_LAMBDA_LOG_LEVEL": "ERROR"}
    )
    _same_lines(pt, lk)
    assert {line["level"] for line in lk.logs} == {"ERROR", "CRITICAL"}


def test_the_deliberate_differences_and_their_switches():
    import re

    pt, lk = run_both("logger_secret", [{}])
    line = lk.logs[0]
    assert line["api_token"] == "***" and line["headers"] == {"Authorization": "***"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["timestamp"])
    # switched: Powertools' lines, timestamp format included
    switches = {"LAMBDA_KIT_LOG_REDACT": "0", "LAMBDA_KIT_LOG_TIMESTAMP": "powertools", "TZ": "UTC"}
    pt, lk = run_both("logger_secret", [{}], switches)
    assert lk.logs[0]["api_token"] == "tok-123"
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000"
    assert re.fullmatch(stamp, lk.logs[0]["timestamp"]) and re.fullmatch(stamp, pt.logs[0]["timestamp"])
    _same_lines(pt, lk)


def test_none_valued_keys_are_left_out_and_keep_their_place_as_in_powertools():
    # lambda_kit leaves None keys out once per change of the keys, not on every line:
    # the lines must still be Powertools' (order included) whatever gives them a value
    pt, lk = run_both("logger_none_keys", [{}, {}])
    _same_lines(pt, lk)
    lines = [line for line in lk.logs if line["message"] == "order given by the call"]
    assert lines and list(lines[0]).index("order_id") < list(lines[0]).index("region")
    assert not any("tenant" in line for line in lk.logs if line["message"] != "tenant given by the scope")
    assert not any("sampling_rate" in line or "note" in line for line in lk.logs)
