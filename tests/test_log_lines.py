"""The shape of a log line: keys, their order, the Lambda context, the caller's keys."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from _log_helpers import Context, clean_log_env, lines, memory_logger, records

import lambda_kit
from lambda_kit import instrument
from lambda_kit.log import Logger

__all__ = ["clean_log_env"]


def test_a_line_starts_with_timestamp_level_message_service_location():
    log, buf = memory_logger()
    log.info("order received", order_id=42)
    (line,) = lines(buf)
    assert list(line) == ["timestamp", "level", "message", "service", "location", "order_id"]
    assert line["level"] == "INFO" and line["message"] == "order received"
    assert line["order_id"] == 42


def test_timestamp_is_rfc3339_utc_with_milliseconds():
    log, buf = memory_logger()
    log.info("x")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", lines(buf)[0]["timestamp"])


def test_location_is_the_calling_function_and_line():
    log, buf = memory_logger()

    def place_order():
        log.info("here")
        return place_order.__code__.co_firstlineno + 1

    line_no = place_order()
    assert lines(buf)[0]["location"] == f"place_order:{line_no}"


def test_each_level_writes_its_name():
    log, buf = memory_logger(level="DEBUG")
    log.debug("d")
    log.info("i")
    log.warning("w")
    log.error("e")
    log.critical("c")
    assert [x["level"] for x in lines(buf)] == ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


def test_lines_below_the_level_are_not_written():
    log, buf = memory_logger(level="WARNING")
    log.info("skipped")
    log.debug("skipped")
    log.warning("kept")
    assert [x["message"] for x in lines(buf)] == ["kept"]


def test_stdlib_extra_is_merged_like_keyword_keys():
    log, buf = memory_logger()
    log.info("paid", extra={"order_id": 7, "amount": 3.5})
    line = lines(buf)[0]
    assert line["order_id"] == 7 and line["amount"] == 3.5
    assert "extra" not in line


def test_percent_args_are_interpolated_as_the_stdlib_does():
    log, buf = memory_logger()
    log.info("order %s for %d items", "A-1", 3)
    assert lines(buf)[0]["message"] == "order A-1 for 3 items"


def test_bad_percent_args_keep_message_and_args():
    log, buf = memory_logger()
    log.info("order %d", "not-a-number")
    assert lines(buf)[0]["message"] == "order %d ('not-a-number',)"


def test_a_dict_message_is_written_as_an_object():
    log, buf = memory_logger()
    log.info({"event": "paid", "n": 1})
    assert lines(buf)[0]["message"] == {"event": "paid", "n": 1}


def test_unserialisable_values_are_written_as_their_str():
    class Order:
        def __str__(self):
            return "Order(42)"

    log, buf = memory_logger()
    log.info("x", order=Order(), price=Decimal("1.10"), tags={"a"}, huge=2**80, ids={1: "a"})
    line = lines(buf)[0]
    assert line["order"] == "Order(42)"
    assert line["price"] == "1.10"
    assert line["tags"] == ["a"]
    assert line["huge"] == 2**80
    assert line["ids"] == {"1": "a"}


def test_a_value_whose_str_raises_does_not_break_the_line():
    class Hostile:
        def __str__(self):
            raise RuntimeError("no")

    log, buf = memory_logger()
    log.info("x", bad=Hostile())
    assert lines(buf)[0]["bad"] == "<unprintable Hostile>"


def test_lines_outside_an_invocation_carry_no_lambda_context():
    log, buf = memory_logger()
    log.info("init")
    assert "cold_start" not in lines(buf)[0]
    assert "function_request_id" not in lines(buf)[0]


def test_lines_inside_instrument_carry_the_lambda_context_in_powertools_order(capsys):
    log, buf = memory_logger(service=None)

    @instrument(service="orders")
    def handler(event, context):
        log.info("order received", order_id=42)

    handler({}, Context(request_id="req-42"))
    line = lines(buf)[0]
    assert list(line)[5:] == [
        "cold_start",
        "function_name",
        "function_memory_size",
        "function_arn",
        "function_request_id",
        "order_id",
    ]
    assert line["service"] == "orders"
    assert line["function_name"] == "orders-fn"
    assert line["function_memory_size"] == 256
    assert line["function_request_id"] == "req-42"
    assert line["function_arn"].endswith(":function:orders-fn")
    assert isinstance(line["cold_start"], bool)


def test_xray_trace_id_is_added_when_lambda_sets_it(monkeypatch, capsys):
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    monkeypatch.setenv("_X_AMZN_TRACE_ID", trace)
    log, buf = memory_logger()

    @instrument(service="orders")
    def handler(event, context):
        log.info("traced")

    handler({}, Context())
    assert lines(buf)[0]["xray_trace_id"].startswith("1-5759e988-bd862e3fe1be46a994272793")


def test_a_logger_service_wins_over_the_instrument_service(capsys):
    log, buf = memory_logger(service="payments")

    @instrument(service="orders")
    def handler(event, context):
        log.info("x")

    handler({}, Context())
    assert lines(buf)[0]["service"] == "payments"


def test_service_comes_from_powertools_service_name_outside_invocations(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "billing")
    log, buf = memory_logger(service=None)
    log.info("x")
    assert lines(buf)[0]["service"] == "billing"


def test_the_ready_logger_writes_to_stdout(capsys):
    lambda_kit.logger.info("hello from the ready logger", n=1)
    (line,) = records(capsys.readouterr().out)
    assert line["message"] == "hello from the ready logger" and line["n"] == 1


def test_get_logger_returns_the_same_logger_for_a_name():
    assert lambda_kit.get_logger("same-name") is lambda_kit.get_logger("same-name")


def test_get_logger_with_options_makes_a_logger_with_them():
    log = lambda_kit.get_logger("with-options", service="svc", level="ERROR")
    assert isinstance(log, Logger)
    assert log.level == 40


def test_get_logger_with_options_reconfigures_the_same_logger_in_place():
    first = lambda_kit.get_logger("reconfigured", service="a")
    first.set_keys(stage="prod")
    again = lambda_kit.get_logger("reconfigured", service="b", level="ERROR")
    assert again is first
    assert again.level == 40 and again.current_keys() == {"stage": "prod"}


def test_exception_adds_traceback_name_and_frames():
    log, buf = memory_logger()

    def charge():
        raise ValueError("card declined")

    try:
        charge()
    except ValueError:
        log.exception("payment failed", order_id=3)
    line = lines(buf)[0]
    assert line["level"] == "ERROR" and line["order_id"] == 3
    assert line["exception_name"] == "ValueError"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].endswith("ValueError: card declined")
    trace = line["stack_trace"]
    assert trace["type"] == "ValueError" and trace["value"] == "card declined"
    assert [f["function"] for f in trace["frames"]][-1] == "charge"
    assert set(trace["frames"][0]) == {"file", "line", "function", "statement"}


def test_exception_location_is_the_caller_not_the_logger():
    log, buf = memory_logger()
    try:
        raise KeyError("k")
    except KeyError:
        log.exception("failed")
    assert lines(buf)[0]["location"].startswith("test_exception_location_is_the_caller")


def test_exc_info_accepts_an_exception_object():
    log, buf = memory_logger()
    log.warning("retrying", exc_info=TimeoutError("slow"))
    line = lines(buf)[0]
    assert line["exception_name"] == "TimeoutError" and line["level"] == "WARNING"


def test_exception_outside_an_except_block_writes_no_exception_keys():
    log, buf = memory_logger()
    log.exception("nothing raised")
    assert "exception" not in lines(buf)[0]


def test_log_at_a_named_level_uses_lambda_names_too():
    log, buf = memory_logger()
    log.log("WARN", "disk %s", "full")
    line = lines(buf)[0]
    assert line["level"] == "WARNING" and line["message"] == "disk full"
    assert line["location"].startswith("test_log_at_a_named_level")


def test_lines_between_invocations_name_the_last_invocations_service(capsys):
    log, buf = memory_logger(service=None)

    @instrument(service="orders")
    def handler(event, context):
        log.info("inside")

    log.info("before")
    handler({}, Context())
    log.info("after")
    assert [x["service"] for x in lines(buf)] == ["service_undefined", "orders", "orders"]


def test_a_callers_key_named_like_a_core_key_is_written_with_a_trailing_underscore():
    log, buf = memory_logger()
    log.info("x", level="high", timestamp="yesterday")
    line = lines(buf)[0]
    assert line["level"] == "INFO" and line["level_"] == "high"
    assert line["timestamp_"] == "yesterday"


def test_core_keys_are_kept_also_without_redaction():
    log, buf = memory_logger(redact=False)
    log.set_keys(message="env")
    log.info("real", location="here")
    line = lines(buf)[0]
    assert line["message"] == "real" and line["message_"] == "env"
    assert line["location_"] == "here"


def test_log_at_a_number_without_a_name_says_level_n():
    log, buf = memory_logger()
    log.log(25, "between info and warning")
    assert lines(buf)[0]["level"] == "Level 25"


def test_lines_go_through_the_lambda_runtimes_stdout_wrapper(monkeypatch):
    import io

    from awslambdaric.bootstrap import Unbuffered

    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8")
    monkeypatch.setattr("sys.stdout", Unbuffered(text))
    lambda_kit.get_logger("under-runtime", service="rt").info("via the runtime's stdout", n=1)
    print("then a print")
    text.flush()
    first, second = raw.getvalue().decode().splitlines()
    assert json.loads(first)["message"] == "via the runtime's stdout"
    assert second == "then a print"


def test_exception_with_a_bad_stacklevel_still_writes_the_line():
    log, buf = memory_logger()
    try:
        raise OSError("disk")
    except OSError:
        log.exception("failed", stacklevel="up")
    line = lines(buf)[0]
    assert line["exception_name"] == "OSError"
    assert line["location"].startswith("test_exception_with_a_bad_stacklevel")


def test_a_path_output_appends_one_line_per_call(tmp_path):
    path = tmp_path / "app.jsonl"
    path.write_text('{"earlier": true}\n')
    log = Logger("to-file", service="f", output=str(path))
    log.info("one")
    log.info("two")
    log.close()
    got = [json.loads(x) for x in path.read_text().splitlines()]
    assert got[0] == {"earlier": True}
    assert [x["message"] for x in got[1:]] == ["one", "two"]
