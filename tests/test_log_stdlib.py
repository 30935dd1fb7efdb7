"""The standard library: install() routes the root logger through the same lines;
without it the root logger is left alone."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from _log_helpers import Context, clean_log_env, lines, memory_logger

import lambda_kit.log
from lambda_kit import instrument

__all__ = ["clean_log_env"]


@pytest.fixture
def root() -> Iterator[logging.Logger]:
    """The root logger, with its handlers and level put back afterwards."""
    r = logging.getLogger()
    handlers, level = list(r.handlers), r.level
    yield r
    lambda_kit.log.uninstall()
    r.handlers[:] = handlers
    r.setLevel(level)


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_importing_the_logger_leaves_the_root_logger_alone(root):
    before = list(root.handlers)
    lambda_kit.log.logger.info  # noqa: B018 (the module is loaded and used)
    assert root.handlers == before
    assert not any(
        isinstance(h, logging.Handler) and type(h).__name__ == "JsonHandler" for h in root.handlers
    )


def test_install_routes_stdlib_lines_through_the_json_format(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    logging.getLogger("app.orders").info("order %s received", "A-1", extra={"order_id": 7})
    line = lines(buf)[0]
    assert list(line)[:6] == ["timestamp", "level", "message", "service", "location", "logger"]
    assert line["message"] == "order A-1 received"
    assert line["logger"] == "app.orders" and line["order_id"] == 7
    assert line["location"].startswith("test_install_routes_stdlib_lines")


def test_install_replaces_the_existing_root_handlers_and_uninstall_restores_them(root):
    mine = ListHandler()
    root.addHandler(mine)
    log, _ = memory_logger()
    lambda_kit.log.install(log)
    assert mine not in root.handlers and len(root.handlers) == 1
    lambda_kit.log.uninstall()
    assert mine in root.handlers


def test_stdlib_lines_carry_the_lambda_context_and_appended_keys(root, capsys):
    log, buf = memory_logger(service=None)
    lambda_kit.log.install(log)

    @instrument(service="orders")
    def handler(event, context):
        log.append_keys(customer="c-7")
        logging.getLogger("botocore").warning("retrying")

    handler({}, Context("req-9"))
    line = lines(buf)[0]
    assert line["function_request_id"] == "req-9" and line["customer"] == "c-7"
    assert line["level"] == "WARNING" and line["service"] == "orders"


def test_stdlib_exceptions_get_the_exception_keys(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    try:
        raise ConnectionError("reset")
    except ConnectionError:
        logging.getLogger("app").exception("db call failed")
    line = lines(buf)[0]
    assert line["exception_name"] == "ConnectionError"
    assert line["stack_trace"]["value"] == "reset"


def test_stdlib_extra_secrets_are_redacted(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    logging.getLogger("app").info("login", extra={"password": "hunter2"})
    assert lines(buf)[0]["password"] == "***"


def test_install_level_applies_to_the_root_logger(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log, level="WARNING")
    logging.getLogger("app").info("dropped")
    logging.getLogger("app").warning("kept")
    assert [x["message"] for x in lines(buf)] == ["kept"]


def test_lambda_kit_lines_reach_other_root_handlers_once_installed(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    other = ListHandler()
    root.addHandler(other)
    log.info("paid", order_id=3)
    assert len(lines(buf)) == 1  # written once, by the fast path
    (record,) = other.records
    assert record.getMessage() == "paid" and record.levelno == logging.INFO
    assert record.order_id == 3  # type: ignore[attr-defined]


def test_lambda_kit_lines_do_not_reach_root_handlers_without_install(root):
    other = ListHandler()
    root.addHandler(other)
    log, _ = memory_logger()
    log.info("paid")
    assert other.records == []


def test_debug_sampling_opens_the_root_logger_for_the_invocation(root, capsys):
    log, buf = memory_logger(sample_rate=1.0)
    lambda_kit.log.install(log)

    @instrument
    def handler(event, context):
        logging.getLogger("app").debug("sampled stdlib detail")

    handler({}, Context())
    assert lines(buf)[0]["message"] == "sampled stdlib detail"


def test_a_stdlib_line_with_bad_args_keeps_message_and_args(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    logging.getLogger("app").info("count %d", "many")
    assert lines(buf)[0]["message"] == "count %d ('many',)"


def test_the_handler_writes_through_a_given_stream(root):
    stream = io.StringIO()
    log = lambda_kit.get_logger("stdlib-stream", output=stream, service="s")
    lambda_kit.log.install(log)
    logging.getLogger("x").error("to a text stream")
    assert '"message":"to a text stream"' in stream.getvalue()
