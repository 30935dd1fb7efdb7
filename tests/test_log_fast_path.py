"""The logger's fast path (lambda_kit/log/_line.py) writes what the general path writes,
redacts what it redacts, and names the right call site, whatever was cached before."""

from __future__ import annotations

import json
import re
import string
from typing import Any

from _log_helpers import clean_log_env, lines, memory_logger
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambda_kit.log import Logger, _fields
from lambda_kit.log._redact import SPECIAL

__all__ = ["clean_log_env"]

_FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,14}", fullmatch=True).filter(
    lambda k: k not in SPECIAL
)
scalars = st.one_of(
    st.integers(),  # beyond 64 bits too: the encoder's fallback on both paths
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.text(max_size=40),  # lone surrogates too
    st.sampled_from(
        ["postgresql://app:hunter2@db/orders", "Bearer abc.def", "eyJhbGciOi.eyJzdWIi.sig", "c-7"]
    ),
)


def _without_time_and_place(raw: bytes) -> list[tuple[str, Any]]:
    line = json.loads(raw)
    return [(k, v) for k, v in line.items() if k not in ("timestamp", "location")]


@_FAST
@given(message=st.text(max_size=40), keywords=st.dictionaries(keys, scalars, max_size=8))
def test_the_fast_path_writes_what_the_general_path_writes(message, keywords):
    log, buf = memory_logger()
    log.info(message, **keywords)  # the first sight of the keys: the general path
    log.info(message, **keywords)  # keys known now: the fast path, unless a value needs care
    log.info(message, extra=keywords)  # the stdlib's keyword: always the general path
    first, fast, general = buf.getvalue().split(b"\n")[:3]
    assert _without_time_and_place(fast) == _without_time_and_place(general)
    assert _without_time_and_place(first) == _without_time_and_place(general)


def test_plain_keys_take_the_fast_path_after_their_first_line():
    log, buf = memory_logger()
    log.info("x", order_id=1, customer="c-7", amount=12.5)
    red = log._redactor
    assert {"order_id", "customer", "amount"} <= red.safe
    log.info("x", order_id=2, customer="c-8", amount=1.5)
    assert [line["order_id"] for line in lines(buf)] == [1, 2]


def test_a_known_key_whose_value_now_holds_a_secret_is_still_scrubbed():
    log, buf = memory_logger()
    log.info("x", url="https://example.com/a")
    log.info("x", url="postgresql://app:hunter2@db/orders")
    log.info("x", url=["postgresql://app:hunter2@db/orders"])
    log.info("x", url={"password": "hunter2"})
    got = [line["url"] for line in lines(buf)]
    assert got == [
        "https://example.com/a",
        "postgresql://app:***@db/orders",
        ["postgresql://app:***@db/orders"],
        {"password": "***"},
    ]
    assert "hunter2" not in buf.getvalue().decode()


def test_the_stdlib_keywords_never_become_plain_keys():
    log, buf = memory_logger()
    # seen first as nested keys: they must not join the keys the fast path writes as given
    log.info("x", payload={"extra": 1, "exc_info": 2, "stacklevel": 3, "level": 4})
    log.info("x", extra={"k": 1})
    log.info("x", level=5)
    first, second, third = lines(buf)
    assert first["payload"] == {"extra": 1, "exc_info": 2, "stacklevel": 3, "level": 4}
    assert second["k"] == 1 and "extra" not in second
    assert third["level"] == "INFO" and third["level_"] == 5


def test_a_secret_key_stays_redacted_on_every_line():
    log, buf = memory_logger()
    for i in range(3):
        log.info("x", password=f"p{i}", order_id=i)
    assert [line["password"] for line in lines(buf)] == ["***"] * 3


def _site_a(log: Logger) -> None:
    log.info("same offset")


def _site_b(log: Logger) -> None:
    log.info("same offset")


def test_two_call_sites_at_one_bytecode_offset_each_get_their_own_location():
    log, buf = memory_logger()
    for _ in range(3):
        _site_a(log)
        _site_b(log)
    got = [line["location"] for line in lines(buf)]
    a = f"_site_a:{_site_a.__code__.co_firstlineno + 1}"
    b = f"_site_b:{_site_b.__code__.co_firstlineno + 1}"
    assert got == [a, b] * 3


def test_the_location_cache_is_bounded_and_stays_right_when_emptied(monkeypatch):
    monkeypatch.setattr(_fields, "_SITES_MAX", 8)
    log, buf = memory_logger()
    functions = []
    for n in range(30):  # more call sites than the cache holds
        namespace: dict[str, Any] = {}
        source = f"\n\ndef site_{n}(log):\n    log.info('m')\n"
        exec(compile(source, f"<site {n}>", "exec"), namespace)
        functions.append(namespace[f"site_{n}"])
    for fn in functions + functions:
        fn(log)
        assert len(_fields._sites) <= 8
    got = [line["location"] for line in lines(buf)]
    assert got == [f"site_{n}:4" for n in range(30)] * 2


# -- redaction, property-tested ------------------------------------------------------------
SECRET_KEYS = [
    "password", "DB_PASSWORD", "privateKey", "private_key", "pwd", "passphrase",
    "client_secret", "clientSecret", "x-api-key", "X_API_KEY", "apiKey", "api.key",
    "Authorization", "Set-Cookie", "access_token", "credentials",
]  # fmt: skip
PLAIN_KEYS = ["id", "name", "items", "headers", "event", "body", "customer", "keyboard", "author"]
tokens = st.text(string.ascii_letters + string.digits, min_size=12, max_size=20).map(
    lambda s: f"S3CR3T{s}"
)


def _placed(token: str) -> st.SearchStrategy[Any]:
    """``token`` somewhere a redactor must find it."""
    return st.one_of(
        st.builds(lambda k: {k: token}, st.sampled_from(SECRET_KEYS)),
        st.builds(lambda k: [k, token], st.sampled_from(SECRET_KEYS)),  # a header pair
        st.builds(lambda k: (k, token), st.sampled_from(SECRET_KEYS)),
        st.builds(lambda k: {k: {"nested": [token]}}, st.sampled_from(SECRET_KEYS)),
        st.just(f"connecting to postgresql://app:{token}@db:5432/orders now"),
        st.just(f"Authorization: Bearer {token}"),
        st.just(f"jwt eyJ{token}.{token}.{token} here"),
    )


def _buried(holder: Any, depth: int) -> st.SearchStrategy[Any]:
    """``holder`` at ``depth`` inside plain dicts and lists, among plain values."""
    strategy: st.SearchStrategy[Any] = st.just(holder)
    for _ in range(depth):
        strategy = st.one_of(
            st.builds(
                lambda inner, k, other: {k: inner, "other": other},
                strategy,
                st.sampled_from(PLAIN_KEYS),
                st.one_of(st.integers(), st.text(max_size=8)),
            ),
            st.builds(lambda inner, n: [n, inner], strategy, st.integers()),
        )
    return strategy


@st.composite
def secret_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any], list[str]]:
    """(message, keywords, secrets) with each secret at a random depth of a random key."""
    secrets = draw(st.lists(tokens, min_size=1, max_size=4, unique=True))
    keywords: dict[str, Any] = draw(
        st.dictionaries(st.sampled_from(PLAIN_KEYS), st.integers(), max_size=3)
    )
    message = "plain message"
    for token in secrets:
        holder = draw(_placed(token))
        value = draw(_buried(holder, draw(st.integers(0, 4))))
        where = draw(st.sampled_from(["key", "secret key", "message"]))
        if where == "message" and isinstance(value, str):
            message = f"{message} {value}"
        elif where == "secret key":
            keywords[draw(st.sampled_from(SECRET_KEYS))] = value
        else:
            keywords[f"{draw(st.sampled_from(PLAIN_KEYS))}_{len(keywords)}"] = value
    return message, keywords, secrets


@_FAST
@given(call=secret_calls(), dict_message=st.booleans())
def test_no_secret_value_reaches_the_line(call, dict_message):
    message, keywords, secrets = call
    log, buf = memory_logger()
    for _ in range(2):  # the first line and the one after it (keys known by then)
        if dict_message:
            log.info(keywords)
        else:
            log.info(message, **keywords)
    raw = buf.getvalue().decode()
    assert raw.count("\n") == 2  # two lines, each one JSON object
    for token in secrets:
        assert token not in raw
        assert re.sub(r"^S3CR3T", "", token) not in raw
