"""``reuse``: one connection per execution environment, checked at thaw, rebuilt when dead.

The hot path (a later call in the same invocation) is two attribute reads and a
clock read. The first call of each invocation runs the local liveness check
(``_checks``, about 2 us, no round trip), plus the ping when the connection sat
idle longer than ``max_idle_s``. What happened goes into the invocation record's
``connections`` key through ``lambda_kit._hooks``.
"""

from __future__ import annotations

import math
import threading
import time
import weakref

from lambda_kit import _hooks, environment
from lambda_kit._problems import problem
from lambda_kit._typing import Generic, ParamSpec, TypeVar
from lambda_kit.reuse import _bounds, _checks, _shutdown

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Concatenate

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

DEFAULT_MAX_IDLE_S = 60.0

#: Outside ``@instrument`` nothing marks invocations, so a handle also re-checks its
#: connection when it was not used for this long (a gap that a freeze would leave).
RECHECK_GAP_S = 0.5

#: Under SnapStart, init runs before the snapshot: a connection made then is restored
#: days later on another machine, its socket looking fine locally but unknown to the
#: server. Such connections get a round trip before their first use.
_SNAPSTART = environment.init_type() == "snap-start"

_STRENGTH = {"reused": 0, "created": 1, "reconnected": 2, "failed": 3}

_mono = time.monotonic
_perf = time.perf_counter


class _State:
    __slots__ = ("gen", "in_invocation", "invocation")

    def __init__(self) -> None:
        self.gen = 0  # bumped as each invocation starts
        self.in_invocation = False  # between on_start and on_record
        self.invocation: dict[str, dict[str, Any]] = {}  # what this invocation did, by name


_state = _State()
_handles: weakref.WeakSet[Reused[Any]] = weakref.WeakSet()
_orphans: list[Any] = []  # a forked child's copies of its parent's connections: never touched


class Reused(Generic[T]):
    """A resource kept for the life of the execution environment; call it to get the resource.

        db = reuse("db", lambda: psycopg.connect(DSN))
        row = db().execute("select 1").fetchone()

    .. versionadded:: 0.1
    """

    __slots__ = (
        "__weakref__",
        "_check",
        "_close",
        "_connects",
        "_driver",
        "_factory",
        "_gen",
        "_last",
        "_lock",
        "_lost",
        "_pending",
        "_rebound",
        "_resource",
        "_suspect",
        "max_idle_s",
        "name",
        "retry",
    )

    def __init__(
        self,
        name: str,
        factory: Callable[[], T],
        *,
        check: Callable[[T], bool] | None,
        max_idle_s: float,
        close: Callable[[T], None] | None,
        retry: bool,
    ) -> None:
        self.name = name
        self._factory = factory
        self._check = check
        self._close = close
        self.max_idle_s = max_idle_s
        self.retry = retry
        self._resource: T | None = None
        self._driver = _checks.Driver()
        self._gen = -1
        self._last = 0.0
        self._lock = threading.Lock()
        self._connects = 0
        self._lost: str | None = None  # why the last connection was dropped
        self._pending: dict[str, Any] | None = None  # a creation no record has told yet
        self._suspect = False  # made before a SnapStart snapshot: ping before first use
        #: a built-in client's bound, set again at each invocation's first use (_timeouts)
        self._rebound: Callable[[T], None] | None = None

    def __repr__(self) -> str:
        held = "connected" if self._resource is not None else "not connected"
        return f"<Reused {self.name!r} {held}, {self._connects} connect(s)>"

    def __call__(self) -> T:
        r = self._resource
        if r is not None and self._gen == _state.gen:
            now = _mono()
            if now - self._last < RECHECK_GAP_S:
                self._last = now
                return r
        return self._acquire()

    def _acquire(self) -> T:
        # The usual case, without the lock: the connection was used recently enough to
        # need no ping and the local check finds it alive. Threads racing here only
        # read the socket's state; making or replacing a connection takes the lock.
        r = self._resource
        if r is not None and not self._suspect:
            now = _mono()
            if now - self._last <= self.max_idle_s:
                try:
                    alive = self._driver.local(r) == _checks.ALIVE
                except Exception:
                    alive = False
                if alive and r is self._resource:
                    if self._gen != _state.gen:
                        self._gen = _state.gen
                        self._bound(r)
                        if self._pending is None and self.name not in _state.invocation:
                            _state.invocation[self.name] = {"state": "reused"}
                        else:
                            self._tell({"state": "reused"})
                    self._last = now
                    return r
        return self._acquire_locked()

    def _acquire_locked(self) -> T:
        with self._lock:
            now = _mono()
            r = self._resource
            if r is not None:
                if self._gen == _state.gen and now - self._last < RECHECK_GAP_S:
                    return r  # another thread checked it a moment ago
                first_use = self._gen != _state.gen
                checked, reason = _checks.dead_reason(
                    self._driver, self._check, r, now - self._last, self.max_idle_s, self._suspect
                )
                self._suspect = False
                if reason is None:
                    self._gen = _state.gen
                    self._last = now
                    if first_use:
                        self._bound(r)
                        self._tell({"state": "reused", **checked})
                    return r
                self._drop(r, reason)
            return self._create()

    def _create(self) -> T:
        state = "created" if self._connects == 0 else "reconnected"
        if _state.in_invocation:  # what a timeout record shows while the factory hangs
            _state.invocation[self.name] = _bounds.connecting(state, self._lost)
        t0 = _perf()
        try:
            r = self._factory()
        except Exception as exc:
            self._tell({"state": "failed", "error_type": type(exc).__name__})
            raise
        entry: dict[str, Any] = {"state": state, "connect_ms": round((_perf() - t0) * 1000, 3)}
        if state == "reconnected" and self._lost is not None:
            entry["reason"] = self._lost
        self._driver = _checks.driver_for(r)
        self._resource = r
        self._connects += 1
        self._lost = None
        self._gen = _state.gen
        self._last = _mono()
        if not _state.in_invocation:
            self._pending = entry  # made at init (eager): the next invocation tells it
            self._suspect = _SNAPSTART
        else:
            self._tell(entry)
        return r

    def _bound(self, r: T) -> None:
        if self._rebound is not None:
            try:
                self._rebound(r)
            except Exception as exc:
                problem(f"{self.name!r}: could not bound its waits: {exc!r}", key=self.name)

    def _tell(self, entry: dict[str, Any]) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and entry["state"] == "reused":
            entry = pending
        now = _state.invocation.get(self.name)
        if now is None or _STRENGTH[entry["state"]] >= _STRENGTH[now["state"]]:
            _state.invocation[self.name] = entry

    def _drop(self, r: T, reason: str) -> None:
        self._resource = None
        self._gen = -1
        self._lost = reason
        self._close_quietly(r)

    def _close_quietly(self, r: T) -> None:
        try:
            if self._close is not None:
                self._close(r)
            else:
                self._driver.close(r)
        except Exception as exc:
            problem(f"closing connection {self.name!r} failed: {exc!r}", key=f"close:{self.name}")

    def run(
        self,
        operation: Callable[Concatenate[T, P], R],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Call ``operation(resource, *args, **kwargs)``; rebuild the connection if it broke.

        When the operation fails because a reused connection was lost, the
        connection is dropped (the next call makes a new one) and, with
        ``retry=True`` on the handle, the operation runs once more on a new
        connection. Retry only idempotent work: the server may have done it.

            user = db.run(lambda c: c.execute("select * from users where id=%s", (7,)).fetchone())
        """
        before = self._connects
        r = self()
        try:
            return operation(r, *args, **kwargs)
        except Exception as exc:
            reused = self._connects == before
            try:
                broken = self._driver.broken_by(r, exc)
            except Exception:
                broken = True
            if not broken:
                raise
            with self._lock:
                if self._resource is r:
                    self._drop(r, f"{type(exc).__name__} during use")
                    entry = _state.invocation.get(self.name)
                    if entry is not None:
                        entry["lost"] = type(exc).__name__
            if not (reused and self.retry):
                raise
        return operation(self(), *args, **kwargs)

    def close(self) -> None:
        """Close the resource now (the next call makes a new one)."""
        with self._lock:
            r, self._resource = self._resource, None
            self._gen = -1
            if r is not None:
                self._close_quietly(r)

    def _forget_after_fork(self) -> None:
        # the child shares the parent's socket: closing it would end the parent's session,
        # and so would the driver's finaliser, so the child keeps the object and never uses it
        if self._resource is not None:
            _orphans.append(self._resource)
        self._resource = None
        self._gen = -1
        self._connects = 0
        self._pending = None
        self._suspect = False
        self._lost = None
        self._lock = threading.Lock()  # another thread may have held it at fork time


def reuse(
    name: str,
    factory: Callable[[], T],
    *,
    check: Callable[[T], bool] | None = None,
    max_idle_s: float = DEFAULT_MAX_IDLE_S,
    close: Callable[[T], None] | None = None,
    eager: bool = False,
    retry: bool = False,
) -> Reused[T]:
    """Keep the resource ``factory()`` makes for the life of the execution environment.

    The handle makes it on first use (``eager=True``: now, at init), hands the
    same one to later invocations, checks it before each invocation's first use
    (locally; with ``check`` or the built-in ping after ``max_idle_s`` of idle
    time) and makes a new one when it is dead. ``close`` (default: its
    ``close()`` method) runs at exit and on SIGTERM. ``retry`` applies to
    ``handle.run``. Built-in checks know psycopg 3, redis-py, boto3 clients and
    requests sessions.

        db = reuse("db", lambda: psycopg.connect(os.environ["DSN"]))

        @instrument
        def handler(event, context):
            return db().execute("select now()").fetchone()[0].isoformat()

    .. versionadded:: 0.1
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"reuse() needs a non-empty name, got {name!r}")
    if not callable(factory):
        raise TypeError(f"reuse({name!r}): factory must be callable, got {factory!r}")
    if check is not None and not callable(check):
        raise TypeError(f"reuse({name!r}): check must be callable, got {check!r}")
    if close is not None and not callable(close):
        raise TypeError(f"reuse({name!r}): close must be callable, got {close!r}")
    try:
        idle = float(max_idle_s)
    except (TypeError, ValueError):
        raise TypeError(f"reuse({name!r}): max_idle_s must be a number of seconds") from None
    if math.isnan(idle) or idle < 0:
        raise ValueError(f"reuse({name!r}): max_idle_s must be >= 0 (math.inf: never ping)")
    handle = Reused(name, factory, check=check, max_idle_s=idle, close=close, retry=bool(retry))
    _handles.add(handle)
    _shutdown.install(close_all)
    if eager:
        try:
            handle()
        except Exception as exc:  # init goes on; the first use tries again and raises then
            problem(f"reuse({name!r}, eager=True): could not connect at init: {exc!r}")
    return handle


def close_all() -> None:
    """Close every kept resource of this process (done for you at exit and on SIGTERM).

    from lambda_kit.reuse import close_all
    close_all()  # e.g. before a test tears its database down
    """
    for handle in list(_handles):
        handle.close()


def _on_start() -> None:
    _state.gen += 1
    _state.in_invocation = True
    if _state.invocation:
        _state.invocation = {}


def _on_record(record: dict[str, Any], first: bool) -> None:
    _state.in_invocation = False
    if _state.invocation:
        record["connections"] = _state.invocation


def _after_fork_in_child() -> None:
    for handle in list(_handles):
        handle._forget_after_fork()
    _state.invocation = {}


_hooks.add_start(_on_start)
_hooks.add_record(_on_record)
_hooks.register_reset(__name__, _after_fork_in_child)
