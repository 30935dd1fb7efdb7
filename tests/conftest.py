"""Session-wide fixtures: the real servers the suite talks to (see tests/servers.py).

Each server starts on first request, once per session, and stops at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import MotoServer, PostgresServer, RedisServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL on 127.0.0.1 (scram-sha-256 over TLS); ``postgres.dsn()``."""
    with PostgresServer.started() as server:
        yield server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A private redis-server on 127.0.0.1; ``redis_server.url()``."""
    with RedisServer.started() as server:
        yield server


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto in server mode on 127.0.0.1 (a real AWS HTTP API); ``moto_server.url()``."""
    with MotoServer.started() as server:
        yield server


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """boto3 pointed at a freshly reset moto (AWS_ENDPOINT_URL, dummy credentials)."""
    moto_server.reset()
    for key, value in {
        "AWS_ENDPOINT_URL": moto_server.url(),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    return moto_server


# A price table the developer refreshed (`lambda-kit prices --refresh`) must not change
# what the tests price; the tests of that table point this at their own file.
import os  # noqa: E402

os.environ["LAMBDA_KIT_PRICES_FILE"] = "off"
