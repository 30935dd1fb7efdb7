"""Bad input and hostile surroundings: secrets, huge lines, a closed or broken stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import pytest
from _log_helpers import clean_log_env, lines, memory_logger

from lambda_kit.log import Logger

__all__ = ["clean_log_env"]


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "DB_PASSWORD",
        "client_secret",
        "access_token",
        "Authorization",
        "api_key",
        "X-Api-Key",
        "Cookie",
        "Set-Cookie",
    ],
)
def test_values_under_secret_looking_keys_are_redacted(key):
    log, buf = memory_logger()
    log.info("x", **{key: "hunter2"})
    assert lines(buf)[0][key] == "***"


def test_redaction_reaches_nested_dicts_and_lists():
    log, buf = memory_logger()
    event = {
        "headers": {"authorization": "Bearer abc", "accept": "*/*"},
        "items": [{"id": 1, "token": "t"}],
    }
    log.info("event", event=event)
    got = lines(buf)[0]["event"]
    assert got["headers"] == {"authorization": "***", "accept": "*/*"}
    assert got["items"] == [{"id": 1, "token": "***"}]
    assert event["headers"]["authorization"] == "Bearer abc"  # the caller's dict is untouched


def test_ordinary_keys_are_not_redacted():
    log, buf = memory_logger()
    log.info("x", order_id=1, customer="c-7")
    assert lines(buf)[0]["customer"] == "c-7"


def test_user_patterns_redact_more_keys():
    log, buf = memory_logger(redact_keys=[r"^ssn$", "card_number"])
    log.info("x", ssn="123-45-6789", card_number="4111", name="Ann")
    line = lines(buf)[0]
    assert line["ssn"] == "***" and line["card_number"] == "***" and line["name"] == "Ann"


def test_redaction_can_be_turned_off_explicitly():
    log, buf = memory_logger(redact=False)
    log.info("x", password="hunter2")
    assert lines(buf)[0]["password"] == "hunter2"


def test_appended_and_environment_keys_are_redacted():
    log, buf = memory_logger()
    log.set_keys(db_password="p")
    log.append_keys(session_token="t")
    log.info("x")
    line = lines(buf)[0]
    assert line["db_password"] == "***" and line["session_token"] == "***"


def test_a_line_over_the_limit_is_cut_to_fit_and_says_truncated():
    log, buf = memory_logger(max_line_bytes=4096)
    log.info("big", payload="x" * 10_000, order_id=7)
    raw = buf.getvalue()
    assert len(raw) - 1 <= 4096
    line = json.loads(raw)
    assert line["truncated"] == {"dropped_keys": 0, "bytes": 10_190, "cut_keys": ["payload"]}
    assert line["order_id"] == 7
    assert line["payload"].startswith("xxx") and line["payload"].endswith("...[truncated]")


def test_the_default_limit_is_cloudwatchs_event_size():
    log, buf = memory_logger()
    log.info("big", payload="y" * 300_000)
    raw = buf.getvalue()
    assert 250_000 < len(raw) - 1 <= 262_144 - 26
    assert json.loads(raw)["truncated"]["cut_keys"] == ["payload"]


def test_truncation_keeps_valid_json_with_escapes_and_multibyte_text():
    log, buf = memory_logger(max_line_bytes=2048)
    log.info("big", quotes='"\\' * 3000, text="é€😀" * 2000, nested={"rows": list(range(2000))})
    raw = buf.getvalue()
    assert len(raw) - 1 <= 2048
    line = json.loads(raw)
    assert line["truncated"]["bytes"] > 2048 and line["message"] == "big"


def test_a_line_under_the_limit_is_not_marked():
    log, buf = memory_logger()
    log.info("small", payload="x" * 100)
    assert "truncated" not in lines(buf)[0]


def test_a_closed_stream_does_not_raise_and_is_reported_once(capsys):
    stream = io.BytesIO()
    log = Logger("closed", output=stream)
    stream.close()
    log.info("lost")
    log.info("lost again")
    err = capsys.readouterr().err
    assert err.count("could not write a log line") == 1


def test_stdout_set_to_none_does_not_raise(monkeypatch, capsys):
    log = Logger("stdout-none")
    monkeypatch.setattr(sys, "stdout", None)
    log.info("nowhere to go")
    assert "stdout is closed" in capsys.readouterr().err


def test_a_broken_stdout_pipe_does_not_crash_the_handler(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text(
        textwrap.dedent("""
        import os, sys
        from lambda_kit import instrument, logger

        @instrument(output=os.devnull)
        def handler(event, context):
            for i in range(200):
                logger.info("line", i=i, pad="x" * 1000)
            return "handler finished"

        sys.stderr.write(handler({}, None) + "\\n")
        sys.stderr.flush()
    """)
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    proc.stdout.close()  # nobody reads stdout: writes fail with EPIPE
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert "handler finished" in text
    assert text.count("could not write a log line: BrokenPipeError") == 1


def test_redaction_reaches_dict_subclasses():
    from collections import OrderedDict, defaultdict

    log, buf = memory_logger()
    headers = defaultdict(str, {"X-Auth-Token": "t", "Accept": "*/*"})
    log.info("x", headers=headers, ordered=OrderedDict(api_key="k"))
    line = lines(buf)[0]
    assert line["headers"] == {"X-Auth-Token": "***", "Accept": "*/*"}
    assert line["ordered"] == {"api_key": "***"}


def test_a_stacklevel_deeper_than_the_stack_still_writes_the_line():
    log, buf = memory_logger()
    log.info("deep", stacklevel=10_000)
    assert lines(buf)[0]["location"].startswith("test_a_stacklevel_deeper")


def test_a_bad_redaction_pattern_is_reported_and_the_others_still_apply(capsys):
    log, buf = memory_logger(redact_keys=["(unclosed", "^ssn$"])
    log.info("x", ssn="123")
    assert lines(buf)[0]["ssn"] == "***"
    assert "redact_keys: '(unclosed' is not a regular expression" in capsys.readouterr().err
