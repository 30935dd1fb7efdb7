"""What redaction covers: secret-looking keys in any spelling, header pairs, and secrets
inside strings (URL passwords, bearer tokens, JWTs), in keys, messages and errors."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import threading

import pytest
from _log_helpers import clean_log_env, lines, memory_logger

import lambda_kit.log
from lambda_kit.log._redact import scrub_text
from lambda_kit.log.powertools import Logger as PowertoolsLogger

__all__ = ["clean_log_env"]

JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
_services = itertools.count()


@pytest.mark.parametrize(
    "key",
    [
        "privateKey",
        "private_key",
        "PRIVATE-KEY",
        "pwd",
        "DB_PWD",
        "passphrase",
        "client_secret",
        "clientSecret",
        "x-api-key",
        "X_API_KEY",
        "apiKey",
        "api.key",
    ],
)
def test_secret_keys_in_any_case_and_separator_are_redacted(key):
    log, buf = memory_logger()
    log.info("x", **{key: "s3cr3t"})
    assert lines(buf)[0][key] == "***"


def test_keys_that_only_look_alike_are_kept():
    log, buf = memory_logger()
    log.info("x", keyboard="k", passenger="p", author="a", api_version="v2")
    line = lines(buf)[0]
    assert (line["keyboard"], line["passenger"], line["author"], line["api_version"]) == (
        "k", "p", "a", "v2"
    )


def test_header_pairs_as_lists_and_tuples_are_redacted():
    log, buf = memory_logger()
    headers = [["Authorization", "Basic dXNlcjpwYXNz"], ["Accept", "*/*"]]
    log.info("req", headers=headers, raw=(("cookie", "sid=1"), ("host", "example.com")))
    line = lines(buf)[0]
    assert line["headers"] == [["Authorization", "***"], ["Accept", "*/*"]]
    assert line["raw"] == [["cookie", "***"], ["host", "example.com"]]
    assert headers[0][1] == "Basic dXNlcjpwYXNz"  # the caller's list is untouched


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("postgresql://app:hunter2@db:5432/orders", "postgresql://app:***@db:5432/orders"),
        ("redis://:p%40ss@cache:6379/0", "redis://:***@cache:6379/0"),
        ("amqp://u:p@ss@mq/vhost", "amqp://u:***@mq/vhost"),
        ("dsn_postgresql://u:pw@h/d", "dsn_postgresql://u:***@h/d"),  # scheme glued to a word
        ("see https://example.com:8443/path?q=1", "see https://example.com:8443/path?q=1"),
        ("https://registry.npmjs.org:443/@scope/pkg", "https://registry.npmjs.org:443/@scope/pkg"),
        ("Authorization: Bearer abc.DEF-123_~+/==", "Authorization: Bearer ***"),
        ("bearer tok and more", "bearer *** and more"),
        (f"token={JWT}; path=/", "token=***; path=/"),
        ("plain words about bearers", "plain words about bearers"),
    ],
)
def test_secrets_inside_strings(text, written):
    assert scrub_text(text) == written


def test_strings_in_keys_messages_and_nested_values_are_scrubbed():
    log, buf = memory_logger()
    log.info(
        "connecting to postgresql://app:hunter2@db/orders",
        dsn="mysql://root:toor@127.0.0.1/app",
        event={"headers": {"x-forwarded": f"Bearer {JWT}"}, "items": [JWT]},
    )
    line = lines(buf)[0]
    assert line["message"] == "connecting to postgresql://app:***@db/orders"
    assert line["dsn"] == "mysql://root:***@127.0.0.1/app"
    assert line["event"] == {"headers": {"x-forwarded": "Bearer ***"}, "items": ["***"]}
    assert "hunter2" not in buf.getvalue().decode() and JWT not in buf.getvalue().decode()


def test_a_dict_message_is_redacted():
    log, buf = memory_logger()
    log.info({"action": "login", "password": "hunter2", "url": "https://u:pw@h/"})
    assert lines(buf)[0]["message"] == {
        "action": "login", "password": "***", "url": "https://u:***@h/"
    }


def test_appended_keys_and_errors_are_scrubbed():
    log, buf = memory_logger()
    log.append_keys(db="postgresql://app:hunter2@db/orders")
    try:
        raise ConnectionError("could not connect to postgresql://app:hunter2@db/orders")
    except ConnectionError:
        log.exception("db down")
    raw = buf.getvalue().decode()
    assert "hunter2" not in raw
    line = lines(buf)[0]
    assert line["db"] == "postgresql://app:***@db/orders"
    assert line["stack_trace"]["value"] == "could not connect to postgresql://app:***@db/orders"


def test_stdlib_lines_are_scrubbed_through_install():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    log, buf = memory_logger()
    try:
        lambda_kit.log.install(log)
        logging.getLogger("app").info("using %s", "redis://:pw@cache/0", extra={"apikey": "k"})
    finally:
        lambda_kit.log.uninstall()
        root.handlers[:] = handlers
        root.setLevel(level)
    line = lines(buf)[0]
    assert line["message"] == "using redis://:***@cache/0" and line["apikey"] == "***"


def test_redact_false_writes_strings_as_given():
    log, buf = memory_logger(redact=False)
    log.info("postgresql://app:hunter2@db/x", token=JWT, h=[["Authorization", "Bearer x"]])
    line = lines(buf)[0]
    assert line["message"] == "postgresql://app:hunter2@db/x" and line["token"] == JWT
    assert line["h"] == [["Authorization", "Bearer x"]]


def test_a_value_whose_str_raises_is_written_and_redaction_goes_on():
    log, buf = memory_logger()

    class Bad:
        def __str__(self) -> str:
            raise RuntimeError("no")

        __repr__ = __str__

    log.info("x", thing=Bad(), password="p", dsn="https://u:p@h/")
    line = lines(buf)[0]
    assert line["thing"] == "<unprintable Bad>" and line["password"] == "***"
    assert line["dsn"] == "https://u:***@h/"


def test_the_powertools_compatible_logger_redacts_the_same():
    stream = io.StringIO()
    log = PowertoolsLogger(service=f"pt-red-{next(_services)}", stream=stream)
    log.append_keys(privateKey="k")
    log.thread_safe_append_keys(dsn="postgresql://a:b@h/d")
    log.info({"pwd": "x"}, extra={"auth": f"Bearer {JWT}", "hdr": ("X-Api-Key", "v")})
    line = json.loads(stream.getvalue())
    assert line["message"] == {"pwd": "***"} and line["privateKey"] == "***"
    assert line["dsn"] == "postgresql://a:***@h/d" and line["auth"] == "Bearer ***"
    assert line["hdr"] == ["X-Api-Key", "***"]


def test_threads_and_tasks_redact_their_own_lines():
    log, buf = memory_logger()

    def work(n: int) -> None:
        for i in range(50):
            log.info(f"w{n}", dsn=f"postgresql://u{n}:pw{n}-{i}@h/d", n=n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    async def main() -> None:
        async def task(n: int) -> None:
            await asyncio.sleep(0)
            work(n)

        await asyncio.gather(*(task(n) for n in range(4, 8)))

    asyncio.run(main())
    got = lines(buf)
    assert len(got) == 400
    assert all(x["dsn"] == f"postgresql://u{x['n']}:***@h/d" for x in got)
