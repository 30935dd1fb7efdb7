"""Kept clients: AWS SDK clients, HTTP sessions, PostgreSQL and Redis connections.

boto3, requests, psycopg and redis are imported on the first call, never at
``import lambda_kit``. The waits of boto3, PostgreSQL and Redis clients are bounded by
the running invocation's time (``_bounds``, ``_timeouts``).
"""

from __future__ import annotations

import threading

from lambda_kit import environment
from lambda_kit.reuse._bounds import DEFAULT_CONNECT_TIMEOUT_S, bound_s, ceiling_s
from lambda_kit.reuse._handle import DEFAULT_MAX_IDLE_S, Reused, reuse

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


_lock = threading.Lock()
_boto3: dict[tuple[Any, ...], Reused[Any]] = {}
_http: dict[tuple[int, int], Reused[Any]] = {}


def _config_key(config: Any) -> Any:
    if config is None:
        return None
    options = getattr(config, "_user_provided_options", None)
    if isinstance(options, dict):
        return tuple(sorted((k, repr(v)) for k, v in options.items()))
    return id(config)


def boto3_client(service: str, **kwargs: Any) -> Any:
    """A boto3 client for ``service``, made once per (service, region, endpoint, config).

    TCP keep-alive is on unless ``config`` says otherwise; the client's urllib3
    pool keeps its HTTPS connections between invocations. Each call reports the
    client in the record's ``connections`` (as ``boto3.<service>``).

    Each attempt's ``connect_timeout`` and ``read_timeout`` are cut to what the
    running invocation has left less 0.2 s (at most 10 s and 60 s, or your own
    ``config``'s if set), and no attempt is retried once less than 0.2 s is left:
    a hung endpoint then raises botocore's timeout error inside the invocation.

        table = boto3_client("dynamodb").describe_table(TableName="orders")

    .. versionadded:: 0.1
    """
    region = kwargs.pop("region_name", None) or environment.region()
    endpoint = kwargs.pop("endpoint_url", None)
    config = kwargs.pop("config", None)
    key = (
        service,
        region,
        endpoint,
        _config_key(config),
        tuple(sorted((k, repr(v)) for k, v in kwargs.items())),
    )
    handle = _boto3.get(key)
    if handle is None:
        with _lock:
            handle = _boto3.get(key)
            if handle is None:
                same_service = sum(1 for k in _boto3 if k[0] == service)
                name = f"boto3.{service}" + (f"#{same_service + 1}" if same_service else "")
                handle = reuse(
                    name, lambda: _make_client(service, region, endpoint, config, kwargs)
                )
                _boto3[key] = handle
    return handle()


def _make_client(
    service: str, region: str | None, endpoint: str | None, config: Any, extra: dict[str, Any]
) -> Any:
    import boto3
    from botocore.config import Config

    from lambda_kit.reuse import _timeouts

    connect, read = _timeouts.botocore_timeouts(config)
    keepalive = Config(tcp_keepalive=True)
    merged = keepalive if config is None else keepalive.merge(config)  # the user's options win
    # ... but their timeouts are ceilings, cut to the invocation's time
    merged = merged.merge(Config(connect_timeout=bound_s(connect), read_timeout=bound_s(read)))
    # boto3's default session is not safe to use from two threads at once
    with _lock:
        client = boto3.session.Session().client(
            service, region_name=region, endpoint_url=endpoint, config=merged, **extra
        )
    _timeouts.bound_botocore(client, connect, read)
    return client


def http_session(*, pool_connections: int = 10, pool_maxsize: int = 10) -> Any:
    """A ``requests.Session`` kept for the environment, with a connection pool per host.

    Reported in the record's ``connections`` as ``http``.

        r = http_session().get("https://example.com/health", timeout=2)

    .. versionadded:: 0.1
    """
    key = (pool_connections, pool_maxsize)
    handle = _http.get(key)
    if handle is None:
        with _lock:
            handle = _http.get(key)
            if handle is None:
                name = "http" if not _http else f"http#{len(_http) + 1}"
                handle = reuse(name, lambda: _make_session(pool_connections, pool_maxsize))
                _http[key] = handle
    return handle()


def _make_session(pool_connections: int, pool_maxsize: int) -> Any:
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=pool_connections, pool_maxsize=pool_maxsize)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


#: libpq's shortest ``connect_timeout``: a smaller one is taken as 2 s (fe-connect.c)
LIBPQ_MIN_CONNECT_TIMEOUT_S = 2


def postgres(
    name: str,
    conninfo: str = "",
    *,
    check: Any = None,
    max_idle_s: float = DEFAULT_MAX_IDLE_S,
    eager: bool = False,
    retry: bool = False,
    **connect_kwargs: Any,
) -> Reused[Any]:
    """A kept psycopg 3 connection whose every (re)connect is bounded in time.

    Each connect gets ``connect_timeout`` from what the running invocation has left
    (less 0.2 s; at most 10 s, or your own ``connect_timeout`` if smaller; libpq's
    least is 2 s), so a server that accepts and never answers costs that bound, not
    psycopg's default of 130 s. The other arguments are ``reuse``'s and psycopg's.

        db = postgres("db", os.environ["DSN"])
        row = db().execute("select 1").fetchone()

    .. versionadded:: 0.1
    """
    own = connect_kwargs.pop("connect_timeout", None)
    limit = ceiling_s(own, DEFAULT_CONNECT_TIMEOUT_S, "connect_timeout")

    def connect() -> Any:
        import psycopg

        timeout = max(LIBPQ_MIN_CONNECT_TIMEOUT_S, int(bound_s(limit)))
        return psycopg.connect(conninfo, connect_timeout=timeout, **connect_kwargs)

    return reuse(name, connect, check=check, max_idle_s=max_idle_s, eager=eager, retry=retry)


def redis_client(
    name: str,
    url: str = "redis://127.0.0.1:6379/0",
    *,
    check: Any = None,
    max_idle_s: float = DEFAULT_MAX_IDLE_S,
    eager: bool = False,
    retry: bool = False,
    **redis_kwargs: Any,
) -> Reused[Any]:
    """A kept redis-py client whose every connect and reply is bounded in time.

    ``socket_connect_timeout`` and ``socket_timeout`` are what the running invocation
    has left less 0.2 s (at most 10 s, or your own values if smaller), set again as
    each invocation first uses the client; redis-py retries connection errors but not
    timeouts, so a server that accepts and never answers costs that bound once, and
    the command raises ``redis.TimeoutError``. The other arguments are ``reuse``'s and
    ``redis.Redis.from_url``'s.

        cache = redis_client("cache", os.environ["REDIS_URL"])
        hits = cache().incr("hits")

    .. versionadded:: 0.2
    """
    from lambda_kit.reuse import _timeouts

    own_connect = redis_kwargs.pop("socket_connect_timeout", None)
    connect = ceiling_s(own_connect, DEFAULT_CONNECT_TIMEOUT_S, "socket_connect_timeout")
    read = ceiling_s(redis_kwargs.pop("socket_timeout", None), connect, "socket_timeout")

    def connect_redis() -> Any:
        return _timeouts.make_redis(url, connect, read, redis_kwargs)

    handle = reuse(
        name, connect_redis, check=check, max_idle_s=max_idle_s, eager=eager, retry=retry
    )
    handle._rebound = lambda client: _timeouts.rebound_redis(client, connect, read)
    return handle
