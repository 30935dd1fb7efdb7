"""The built-in clients' waits, set from the running invocation's time (``_bounds.bound_s``).

A driver's timeouts are fixed when its client is made, but a kept client outlives the
invocation that made it: one made with 0.3 s left would keep 0.3 s for the life of the
environment, one made outside an invocation would keep the driver's own minutes. So the
bound is set again as each invocation starts using the client:

* redis-py (``redis_client``): ``socket_connect_timeout`` and ``socket_timeout`` of the
  pool and of each of its connections (the live socket's timeout too), when the handle
  is first used in an invocation. redis-py's retries are kept for connection errors (a
  refused connect fails at once) and dropped for timeouts: a hung server would
  otherwise cost the bound once per retry.
* botocore (``boto3_client``): ``connect_timeout`` and ``read_timeout`` before each
  attempt (botocore's ``before-send`` event), on the urllib3 pool it goes through; and no
  retry once the invocation has less than ``MARGIN_S`` left (``needs-retry``), so a
  hung endpoint costs one attempt's bound, not one per retry plus the backoff sleeps.

The drivers' attributes set here are not all public API (redis-py's pool and parser,
botocore's URLLib3Session): a failure to set them is reported once, and the client keeps
the bound it was made with.
"""

from __future__ import annotations

from lambda_kit._problems import problem
from lambda_kit.reuse._bounds import (
    DEFAULT_CONNECT_TIMEOUT_S,
    FLOOR_S,
    MARGIN_S,
    bound_s,
    ceiling_s,
    remaining_s,
)

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: botocore's own read timeout (botocore.config.Config's default): our ceiling for reads,
#: so an invocation with minutes left waits as long as botocore would
BOTOCORE_READ_TIMEOUT_S = 60.0


# -- redis-py -----------------------------------------------------------------------------


def make_redis(url: str, connect_limit: float, read_limit: float, options: dict[str, Any]) -> Any:
    """A ``redis.Redis`` for ``url`` whose waits are bounded by the invocation's time."""
    import redis
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    # redis-py's backoff (10 ms doubling, at most 1 s), 3 retries, on connection errors only
    retry = Retry(ExponentialBackoff(cap=1.0, base=0.01), 3, (redis.ConnectionError,))
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=bound_s(connect_limit),
        socket_timeout=bound_s(read_limit),
        retry=retry,
        **options,
    )


def rebound_redis(client: Any, connect_limit: float, read_limit: float) -> None:
    """Set ``client``'s connect and read timeouts to what this invocation has left."""
    connect, read = bound_s(connect_limit), bound_s(read_limit)
    pool = client.connection_pool
    pool.connection_kwargs["socket_connect_timeout"] = connect  # connections made later
    pool.connection_kwargs["socket_timeout"] = read
    conns = [*pool._available_connections, *pool._in_use_connections]
    single = getattr(client, "connection", None)
    if single is not None:
        conns.append(single)
    for conn in conns:
        conn.socket_connect_timeout = connect
        conn.socket_timeout = read
        # redis-py 6+ restores these after a temporary ("relaxed") timeout
        if hasattr(conn, "orig_socket_timeout"):
            conn.orig_socket_timeout = read
            conn.orig_socket_connect_timeout = connect
        sock = getattr(conn, "_sock", None)
        if sock is not None:
            sock.settimeout(read)
        # the parser puts its own copy back on the socket after a non-blocking read
        parser = getattr(conn, "_parser", None)
        buffer = getattr(parser, "_buffer", None)
        if buffer is not None and hasattr(buffer, "socket_timeout"):
            buffer.socket_timeout = read
        if parser is not None and hasattr(parser, "_socket_timeout"):  # hiredis
            parser._socket_timeout = read


# -- botocore -------------------------------------------------------------------------------


def botocore_timeouts(config: Any) -> tuple[float, float]:
    """The (connect, read) ceilings for a client: the user's own ``Config`` values, else
    ``DEFAULT_CONNECT_TIMEOUT_S`` and botocore's read timeout."""
    own = getattr(config, "_user_provided_options", None) or {}
    return (
        ceiling_s(own.get("connect_timeout"), DEFAULT_CONNECT_TIMEOUT_S, "connect_timeout"),
        ceiling_s(own.get("read_timeout"), BOTOCORE_READ_TIMEOUT_S, "read_timeout"),
    )


def bound_botocore(client: Any, connect_limit: float, read_limit: float) -> None:
    """Register the per-attempt bound and the retry cut-off on ``client``'s events."""
    events = client.meta.events
    session = client._endpoint.http_session

    def before_send(request: Any = None, **kwargs: Any) -> None:
        try:
            _set_pool_timeout(session, request.url, bound_s(connect_limit), bound_s(read_limit))
        except Exception as exc:
            problem(f"boto3_client: could not bound this attempt's wait: {exc!r}", key="boto-bound")

    def needs_retry(caught_exception: BaseException | None = None, **kwargs: Any) -> None:
        left = remaining_s()
        if caught_exception is not None and left is not None and left - MARGIN_S < FLOOR_S:
            raise caught_exception  # no time for another attempt: the caller gets this one

    events.register("before-send", before_send, unique_id="lambda-kit-bound")
    events.register_first("needs-retry", needs_retry, unique_id="lambda-kit-no-late-retry")


def _set_pool_timeout(session: Any, url: str, connect: float, read: float) -> None:
    # the pool this attempt goes through, found (or made) as URLLib3Session.send finds it;
    # the pool manager's own settings stay: its timeout is part of each pool's key, and a
    # new key would mean a new pool, and a new connection, on every attempt
    from urllib3 import Timeout

    manager = session._get_connection_manager(url, session._proxy_config.proxy_url_for(url))
    manager.connection_from_url(url).timeout = Timeout(connect=connect, read=read)
