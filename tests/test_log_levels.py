"""The level: argument, LAMBDA_KIT_LOG_LEVEL, POWERTOOLS_LOG_LEVEL, Lambda's controls;
debug sampling per invocation."""

from __future__ import annotations

from _log_helpers import Context, clean_log_env, lines, memory_logger

from lambda_kit import instrument
from lambda_kit.log import DEBUG, ERROR, INFO, WARNING

__all__ = ["clean_log_env"]


def test_the_default_level_is_info():
    log, _ = memory_logger()
    assert log.level == INFO


def test_lambda_kit_log_level_wins_over_powertools_log_level(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_LOG_LEVEL", "ERROR")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    log, _ = memory_logger()
    assert log.level == ERROR


def test_powertools_log_level_is_honoured(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "warning")
    log, _ = memory_logger()
    assert log.level == WARNING


def test_the_level_argument_wins_over_every_variable(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_LOG_LEVEL", "ERROR")
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
    log, _ = memory_logger(level="DEBUG")
    assert log.level == DEBUG


def test_lambda_log_level_is_the_default_in_json_format(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
    log, _ = memory_logger()
    assert log.level == WARNING


def test_lambda_log_level_is_ignored_in_text_format(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "Text")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "ERROR")
    log, _ = memory_logger()
    assert log.level == INFO


def test_lambda_names_warn_and_fatal_are_understood(monkeypatch):
    monkeypatch.setenv("LAMBDA_KIT_LOG_LEVEL", "FATAL")
    assert memory_logger()[0].level == 50
    monkeypatch.setenv("LAMBDA_KIT_LOG_LEVEL", "warn")
    assert memory_logger()[0].level == WARNING


def test_a_bad_level_variable_is_reported_and_the_next_source_used(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_KIT_LOG_LEVEL", "LOUD")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "ERROR")
    log, _ = memory_logger()
    assert log.level == ERROR
    assert "LAMBDA_KIT_LOG_LEVEL='LOUD' is not a log level" in capsys.readouterr().err


def test_a_bad_log_format_is_reported(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "XML")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "ERROR")
    log, _ = memory_logger()
    assert log.level == INFO
    assert "AWS_LAMBDA_LOG_FORMAT='XML' is neither JSON nor Text" in capsys.readouterr().err


def test_a_level_more_verbose_than_lambda_lets_through_is_reported_once(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
    memory_logger(level="DEBUG")
    memory_logger(level="DEBUG")
    err = capsys.readouterr().err
    assert err.count("AWS_LAMBDA_LOG_LEVEL=WARNING: Lambda drops the lines below") == 1
    assert "the log level is DEBUG" in err


def test_no_report_when_the_level_is_what_lambda_lets_through(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "INFO")
    memory_logger(level="WARNING")
    assert capsys.readouterr().err == ""


def test_set_level_changes_what_is_written():
    log, buf = memory_logger()
    log.set_level("DEBUG")
    log.debug("now visible")
    assert lines(buf)[0]["level"] == "DEBUG"
    assert log.is_enabled_for(DEBUG)


def test_sample_rate_one_writes_debug_lines_with_sampling_rate(capsys):
    log, buf = memory_logger(sample_rate=1.0)

    @instrument
    def handler(event, context):
        log.debug("sampled detail")

    handler({}, Context())
    line = lines(buf)[0]
    assert line["level"] == "DEBUG" and line["sampling_rate"] == 1.0


def test_sample_rate_zero_writes_no_debug_and_no_sampling_rate():
    log, buf = memory_logger(sample_rate=0)
    log.debug("hidden")
    log.info("shown")
    (line,) = lines(buf)
    assert "sampling_rate" not in line


def test_sampling_is_decided_per_invocation(capsys):
    log, buf = memory_logger(sample_rate=0.5)

    @instrument
    def handler(event, context):
        log.debug("detail", n=event["n"])

    for n in range(200):
        handler({"n": n}, Context(f"req-{n}"))
    sampled = len(lines(buf))
    # 200 fair coin flips: all heads or all tails has probability 2**-199
    assert 0 < sampled < 200


def test_sample_rate_comes_from_powertools_variable(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_LOGGER_SAMPLE_RATE", "1")
    log, buf = memory_logger()
    log.debug("sampled at init")
    assert lines(buf)[0]["sampling_rate"] == 1.0


def test_lambda_kit_sample_rate_wins_over_powertools(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_LOGGER_SAMPLE_RATE", "1")
    monkeypatch.setenv("LAMBDA_KIT_LOG_SAMPLE_RATE", "0")
    log, buf = memory_logger()
    log.debug("not sampled")
    assert lines(buf) == []


def test_a_bad_sample_rate_is_reported_and_sampling_stays_off(monkeypatch, capsys):
    monkeypatch.setenv("LAMBDA_KIT_LOG_SAMPLE_RATE", "2.5")
    log, buf = memory_logger()
    log.debug("not sampled")
    assert lines(buf) == []
    assert "LAMBDA_KIT_LOG_SAMPLE_RATE='2.5' is not a sample rate" in capsys.readouterr().err


def test_sampling_with_lambda_dropping_debug_is_reported(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_LOG_FORMAT", "JSON")
    monkeypatch.setenv("AWS_LAMBDA_LOG_LEVEL", "INFO")
    memory_logger(sample_rate=0.1)
    assert "DEBUG (debug sampling)" in capsys.readouterr().err
