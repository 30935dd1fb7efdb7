"""The init phase of a web app: its startup (ASGI lifespan) and the readiness wait.

Behind the adapter, Lambda's INIT lasts until the app answers the adapter's
readiness check; the first invocation comes after. So the cold start's ``init``
covers process start, imports, module code, the app's startup and the wait until
the first readiness check passed. The middleware notes those moments here; at
the first invocation's record ``add_phases`` (an ``on_record`` hook) puts two
phases in ``init.phases``:

- ``app_startup_ms``: from ``lifespan.startup`` to ``lifespan.startup.complete``
- ``readiness_wait_ms``: from the end of startup (or the middleware's creation,
  for WSGI apps) to the end of the first readiness check that passed

Both are carved out of the residual phases (``other_ms``, then ``module_code_ms``,
which is what is left once imports are counted), so the phases still add up to
``total_ms``. Per process: each uvicorn worker is its own environment and cold start.
"""

from __future__ import annotations

import os
import time

from lambda_kit import _hooks, environment
from lambda_kit._problems import problem

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

#: time.time_ns of: the first middleware's creation, lifespan startup's start and end,
#: the end of the first readiness check that passed
created_ns: int | None = None
startup_ns: int | None = None
started_ns: int | None = None
ready_ns: int | None = None


def note_created() -> None:
    """A middleware was created (the app module is being imported); hook up once."""
    global created_ns
    if created_ns is None:
        created_ns = time.time_ns()
    if environment.get().invocations == 0:
        _hooks.add_record(add_phases)


def note_startup(done: bool) -> None:
    """Lifespan startup began (``done`` False) or ended."""
    global startup_ns, started_ns
    if environment.get().invocations:
        return  # a lifespan after the first invocation is not init
    if done:
        started_ns = time.time_ns()
    else:
        startup_ns = time.time_ns()


def note_ready() -> None:
    """The first readiness check passed: init ends here (when no invocation came yet)."""
    global ready_ns
    if ready_ns is not None:
        return
    env = environment.get()
    if env.invocations:
        return
    ready_ns = time.time_ns()
    environment.mark_init_end(ready_ns)


def phases() -> dict[str, float]:
    """The web app's own init phases known so far, in ms."""
    out: dict[str, float] = {}
    if startup_ns is not None and started_ns is not None:
        out["app_startup_ms"] = round(max(0, started_ns - startup_ns) / 1e6, 3)
    since = started_ns if started_ns is not None else created_ns
    if ready_ns is not None and since is not None:
        out["readiness_wait_ms"] = round(max(0, ready_ns - since) / 1e6, 3)
    return out


def add_phases(record: dict[str, Any], first: bool) -> None:
    """``on_record`` hook: the web phases into the cold start's ``init``."""
    if first:
        try:
            _add(record)
        except Exception as exc:
            problem(f"could not add the web app's init phases: {exc!r}")
    _unhook(record, first)


def _add(record: dict[str, Any]) -> None:
    total = record.get("init_duration_ms")
    ours = phases()
    if total is None or not ours:
        return
    init = record.get("init")
    if not isinstance(init, dict):  # no import profiler: the phases we know, and the rest
        rest = max(0.0, total - sum(ours.values()))
        record["init"] = {"total_ms": total, "phases": {**ours, "other_ms": round(rest, 3)}}
        return
    table = init.setdefault("phases", {})
    need = sum(ours.values())
    for name in ("other_ms", "module_code_ms"):
        have = table.get(name)
        if isinstance(have, (int, float)) and need > 0:
            take = min(have, need)
            table[name] = round(have - take, 3)
            need -= take
    table.update(ours)


def _unhook(record: dict[str, Any], first: bool) -> None:
    # the registry is a tuple, replaced: removing ourselves mid-iteration skips no one
    _hooks.remove_record(add_phases)


def _after_fork() -> None:
    # a forked worker (uvicorn --workers, gunicorn) is its own environment and cold start
    global created_ns, startup_ns, started_ns, ready_ns
    startup_ns = started_ns = ready_ns = None
    created_ns = time.time_ns() if created_ns is not None else None
    if created_ns is not None:
        _hooks.add_record(add_phases)


os.register_at_fork(after_in_child=_after_fork)
