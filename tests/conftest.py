"""Session-wide fixtures: the real servers the suite talks to (see tests/servers.py).

Each server starts on first request, once per session, and stops at the end.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers import PostgresServer, RedisServer


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


# A price table the developer refreshed (`lambda-kit prices --refresh`) must not change
# what the tests price; the tests of that table point this at their own file.
import os  # noqa: E402

os.environ["LAMBDA_KIT_PRICES_FILE"] = "off"
