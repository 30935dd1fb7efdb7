"""Is a kept connection still alive? Cheap local answers first, a round trip only when needed.

Between invocations Lambda freezes the environment; at thaw a kept socket may be
dead (the server restarted, killed the session, or an idle timeout closed it).
When the peer closed the connection, the kernel already knows: a FIN or RST
has arrived, and ``poll`` on the socket reports it without a byte on the wire
(about 1 us). That runs before each invocation's first use. A real ping (a
round trip) runs only after a long idle period, because a silently dropped
connection (a NAT or load balancer that forgot it) shows nothing locally.

Drivers are recognised by their class's module name, so nothing here imports
psycopg, redis, botocore or requests.
"""

from __future__ import annotations

import select

from lambda_kit import settings
from lambda_kit.reuse._bounds import bound_s
from lambda_kit.settings import env_float

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


#: What the local check found. STALE: alive, but left in a state no invocation can use
#: (a failed transaction); ``Driver.reset`` repairs it.
ALIVE, DEAD, UNSURE, STALE = 0, 1, 2, 3

# POLLRDHUP (Linux) tells "the peer closed" apart from "data is waiting"
_RDHUP = getattr(select, "POLLRDHUP", 0)
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL | _RDHUP
_WATCH = select.POLLIN | select.POLLPRI | _RDHUP

#: How long a built-in ping may wait for its answer (``LAMBDA_KIT_REUSE_PING_TIMEOUT_S``).
#: A black-holed connection (NAT state lost while frozen) never answers; without a bound
#: the handler would hang until TCP gave up, minutes later.
PING_TIMEOUT_S = env_float(settings.REUSE_PING_TIMEOUT_S, 2.0)

# Exception class names (anywhere in the MRO) that mean "the connection failed", across
# drivers: psycopg (OperationalError, InterfaceError), redis-py (ConnectionError,
# TimeoutError), botocore (EndpointConnectionError, ConnectionClosedError), urllib3.
_CONNECTION_ERRORS = frozenset(
    {
        "OperationalError",
        "InterfaceError",
        "ConnectionError",
        "TimeoutError",
        "EndpointConnectionError",
        "ConnectionClosedError",
        "ProtocolError",
        "OSError",
    }
)


_pollers: dict[int, Any] = {}  # fd -> poll object watching it (registering costs a syscall)


def fd_state(fd: int) -> int:
    """ALIVE when nothing happened on an idle socket, DEAD when the peer closed or reset
    it, UNSURE when unexpected data waits (it may be a goodbye message: ask with a ping).

    >>> fd_state(sock.fileno())
    0
    """
    poller = _pollers.get(fd)
    if poller is None:
        # a poll object only knows fd numbers, so it stays right when a number is reused
        poller = _pollers[fd] = select.poll()
        poller.register(fd, _WATCH)
    try:
        events = poller.poll(0)
    except RuntimeError:  # another thread is polling with it right now
        fresh = select.poll()
        fresh.register(fd, _WATCH)
        events = fresh.poll(0)
    if not events:
        return ALIVE
    revents = events[0][1]
    if revents & _GONE:
        return DEAD
    return UNSURE


def dead_reason(
    driver: Driver, check: Any, r: Any, idle_s: float, max_idle_s: float, ping: bool = False
) -> tuple[dict[str, Any], str | None]:
    """Is the kept ``r`` dead? ``({"checked": True}`` when a ping ran, ``why`` or None).

    The local check first; the ping (``check``, else the driver's) only after more than
    ``max_idle_s`` idle, or with ``ping`` (a connection restored from a snapshot).
    """
    try:
        local = driver.local(r)
    except Exception as exc:
        return {}, f"local check failed: {type(exc).__name__}"
    if local == DEAD:
        return {}, "closed by the server"
    if local == STALE:
        try:
            driver.reset(r)
        except Exception as exc:
            return {}, f"could not roll back a failed transaction: {type(exc).__name__}"
        return {"rolled_back": True}, None
    if local == ALIVE and idle_s <= max_idle_s and not ping:
        return {}, None
    try:
        ok = check(r) if check is not None else driver.ping(r)
    except Exception as exc:
        ok = False
        why = f"check raised {type(exc).__name__}"
    else:
        why = (
            "check failed after restore from a snapshot"
            if ping
            else f"check failed after {idle_s:.1f} s idle"
        )
    if ok is None:  # no check known for this kind: trust the local answer
        return {}, None
    return {"checked": True}, None if ok else why


def looks_like_connection_error(exc: BaseException) -> bool:
    """True when ``exc`` is of a kind drivers raise for a lost connection."""
    return any(cls.__name__ in _CONNECTION_ERRORS for cls in type(exc).__mro__)


class Driver:
    """How to check and close one kind of resource; the generic one knows nothing."""

    name = "generic"

    def local(self, obj: Any) -> int:
        """The cheap check (no round trip): ALIVE, DEAD or UNSURE. It may raise (= DEAD)."""
        return ALIVE

    def ping(self, obj: Any) -> bool | None:
        """A real round trip; None when this kind has no built-in ping."""
        return None

    def reset(self, obj: Any) -> None:
        """Repair a STALE resource (raises when it cannot)."""

    def broken_by(self, obj: Any, exc: BaseException) -> bool:
        """Did ``exc``, raised while using ``obj``, leave ``obj`` unusable?"""
        return looks_like_connection_error(exc)

    def close(self, obj: Any) -> None:
        closer = getattr(obj, "close", None)
        if callable(closer):
            closer()


class Psycopg(Driver):
    """psycopg 3 ``Connection``: the driver's own flags, then the socket."""

    name = "psycopg"

    def local(self, obj: Any) -> int:
        pgconn = obj.pgconn
        if pgconn.status:  # not CONNECTION_OK: closed, or libpq already saw it break
            return DEAD
        state = fd_state(pgconn.socket)
        if state == ALIVE and pgconn.transaction_status == 3:  # PQTRANS_INERROR
            # an earlier invocation's statement failed inside a transaction and nobody
            # rolled back: every later statement would fail with InFailedSqlTransaction
            return STALE
        return state

    def reset(self, obj: Any) -> None:
        obj.rollback()

    def ping(self, obj: Any) -> bool:
        # An empty query is a full round trip that starts no transaction (a "SELECT 1"
        # would open one on a non-autocommit connection). Sent through libpq's
        # non-blocking calls so that the wait is bounded by PING_TIMEOUT_S.
        with obj.lock:
            pgconn = obj.pgconn
            try:
                pgconn.send_query(b"")
                fd = pgconn.socket
                while pgconn.flush() == 1:
                    if not _wait(fd, select.POLLOUT):
                        return False
                while True:
                    pgconn.consume_input()
                    if not pgconn.is_busy():
                        break
                    if not _wait(fd, select.POLLIN):
                        return False
                ok = True
                while (result := pgconn.get_result()) is not None:
                    ok = ok and result.status in (0, 1, 2)  # EMPTY_QUERY, COMMAND_OK, TUPLES_OK
                return ok and pgconn.status == 0  # CONNECTION_OK
            except Exception:
                return False

    def broken_by(self, obj: Any, exc: BaseException) -> bool:
        # psycopg marks a connection broken when it lost it; an OperationalError such as a
        # statement timeout leaves the connection usable and must not cost a reconnect
        return bool(obj.closed or obj.broken)


def _wait(fd: int, event: int) -> bool:
    p = select.poll()
    p.register(fd, event)
    # never past what the invocation has left: Lambda would kill it mid-ping
    return bool(p.poll(bound_s(PING_TIMEOUT_S) * 1000))


class Redis(Driver):
    """redis-py ``Redis``: the sockets of the pooled connections that sit idle."""

    name = "redis"

    def local(self, obj: Any) -> int:
        conns: list[Any] = []
        single = getattr(obj, "connection", None)
        if single is not None:
            conns.append(single)
        pool = getattr(obj, "connection_pool", None)
        conns.extend(getattr(pool, "_available_connections", ()))
        worst = ALIVE
        for conn in list(conns):
            sock = getattr(conn, "_sock", None)
            if sock is None:
                continue  # not connected yet, or disconnected by redis-py: it reconnects
            state = fd_state(sock.fileno())
            if state == DEAD:
                return DEAD
            worst = max(worst, state)
        return worst

    def ping(self, obj: Any) -> bool:
        # PING on a pooled connection, its answer awaited at most PING_TIMEOUT_S (cut to
        # the invocation's time): the client's own socket_timeout may be None (redis-py
        # before 6) and its retries would repeat the wait
        single = getattr(obj, "connection", None)
        pool = obj.connection_pool
        if single is not None:
            conn = single
        else:
            try:
                conn = pool.get_connection()
            except TypeError:  # redis-py before 5.3 wants a command name
                conn = pool.get_connection("PING")
        try:
            conn.send_command("PING")
            if not conn.can_read(timeout=bound_s(PING_TIMEOUT_S)):
                conn.disconnect()
                return False
            return conn.read_response() in (b"PONG", "PONG")
        finally:
            if single is None:
                pool.release(conn)


class Urllib3Pooled(Driver):
    """boto3/botocore clients and requests/urllib3 sessions.

    urllib3 already checks every pooled socket locally before it reuses it (its
    ``is_connection_dropped``) and opens a new one when the old is gone, so the
    built-in check has nothing to add and costs nothing. There is no ping:
    these clients talk to many endpoints, none of them "the" server.
    """

    name = "urllib3"

    def local(self, obj: Any) -> int:
        return ALIVE

    def ping(self, obj: Any) -> bool:
        return True


_GENERIC = Driver()
_PSYCOPG = Psycopg()
_REDIS = Redis()
_URLLIB3 = Urllib3Pooled()


def driver_for(obj: Any) -> Driver:
    """The driver that knows ``obj``'s kind, found without importing any client library."""
    module = type(obj).__module__ or ""
    top = module.partition(".")[0]
    if type(obj).__name__.startswith("Async") or ".asyncio" in module:
        return _GENERIC  # asyncio clients: their checks would have to be awaited
    if top == "psycopg" and hasattr(obj, "pgconn") and hasattr(obj, "broken"):
        return _PSYCOPG
    if top == "redis" and hasattr(obj, "connection_pool"):
        return _REDIS
    if top == "botocore" and hasattr(obj, "_endpoint"):
        return _URLLIB3
    if top in ("requests", "urllib3"):
        return _URLLIB3
    return _GENERIC
