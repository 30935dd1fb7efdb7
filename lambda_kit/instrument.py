"""``@instrument``: wraps a Lambda handler and writes one record per invocation.

The wrapper gathers the facts of an invocation once, builds one record
(``lambda_kit.record``) and hands it to each sink. The handler's result and
exceptions pass through untouched; a failure of ours is reported on stderr
(``lambda_kit._report``) and the invocation goes on.
"""

from __future__ import annotations

import os
import resource
import sys
import time

from lambda_kit import _hooks, environment
from lambda_kit._current import Invocation, current
from lambda_kit._report import problem
from lambda_kit._wrapt import FunctionWrapper
from lambda_kit.cost import invocation_cost_usd
from lambda_kit.record import timestamp
from lambda_kit.sinks.jsonline import JsonLineSink

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import IO, Any, TypeAlias

    Sink: TypeAlias = Callable[[dict[str, Any]], None]


# bound once: these run on every invocation
_perf_ns = time.perf_counter_ns
_time_ns = time.time_ns
_getrusage = resource.getrusage
_RUSAGE_SELF = resource.RUSAGE_SELF
_env_get = environment.get
_memory_size_mb = environment.memory_size_mb
_xray_trace_id = environment.xray_trace_id
_on_start = _hooks.on_start
_on_record = _hooks.on_record
_current = current


_cost_cache: dict[tuple[int, int, str], float] = {}


def _function_name_env() -> str | None:
    return os.environ.get("AWS_LAMBDA_FUNCTION_NAME")


def _version_env() -> str | None:
    return os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")


def _service_name(service: str | None) -> str | None:
    if service:
        return service
    return os.environ.get("LAMBDA_KIT_SERVICE") or os.environ.get("POWERTOOLS_SERVICE_NAME") or None


class _Instrumented:
    """The state behind one ``@instrument`` use: its options and sinks."""

    __slots__ = ("_decorated_ns", "_service", "_sinks")

    def __init__(self, service: str | None, sinks: list[Sink]) -> None:
        self._service = _service_name(service)
        self._sinks = sinks
        # the decorator runs while the handler module is imported: a lower bound for
        # the end of init, used when the first invocation comes much later (proactive init)
        self._decorated_ns = _time_ns()

    # -- the wrapper wrapt calls ------------------------------------------------------
    def __call__(self, wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: Any) -> Any:
        state = self._begin(args, kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            self._end(state, exc)
            raise
        self._end(state, None)
        return result

    async def call_async(
        self, wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        state = self._begin(args, kwargs)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            self._end(state, exc)
            raise
        self._end(state, None)
        return result

    # -- one invocation -------------------------------------------------------------
    def _begin(self, args: tuple[Any, ...], kwargs: Any) -> tuple[Any, ...] | None:
        start_ns = _perf_ns()
        try:
            context = args[1] if len(args) > 1 else kwargs.get("context")
            env = _env_get()
            env.invocations += 1
            count = env.invocations
            wall_ns = _time_ns()
            for hook in _on_start:
                hook()
            init_ms: float | None = None
            proactive = False
            if count == 1:
                init_ms, proactive = self._init_facts(env, wall_ns)
            name = getattr(context, "function_name", None) or _function_name_env()
            invocation = Invocation(
                self._service or name or "service_undefined",
                count == 1 and env.init_type == "on-demand" and not proactive,
                name,
                _memory_size_mb(context),
                getattr(context, "invoked_function_arn", None),
                getattr(context, "aws_request_id", None),
                _xray_trace_id(),
            )
            token = _current.set(invocation)
            return (start_ns, wall_ns, env, count, invocation, context, init_ms, proactive, token)
        except Exception as exc:  # never let our bookkeeping break the handler
            problem(f"could not start the invocation record: {exc!r}", key="begin")
            return None

    def _init_facts(self, env: environment.Environment, wall_ns: int) -> tuple[float | None, bool]:
        """init_duration_ms and proactive_init for the environment's first invocation."""
        threshold_ns = env.proactive_threshold_ms * 1_000_000
        known_end = env.init_end_ns
        if known_end is None:
            # without the profiler, the decorator's run marks init's end when the first
            # request came much later; otherwise the first request does
            known_end = self._decorated_ns
            init_end = known_end if wall_ns - known_end > threshold_ns else wall_ns
        else:
            init_end = known_end
        proactive = env.init_type == "on-demand" and wall_ns - known_end > threshold_ns
        if env.init_type == "snap-start":
            # the process started before the snapshot was taken: its age says nothing
            return None, proactive
        return max(0.0, (init_end - env.process_start_ns) / 1_000_000), proactive

    def _end(self, state: tuple[Any, ...] | None, exc: BaseException | None) -> None:
        end_ns = _perf_ns()
        if state is None:
            return
        start_ns, wall_ns, env, count, inv, context, init_ms, proactive, token = state
        try:
            _current.reset(token)
        except ValueError:  # reset from another context (a handler that switched threads)
            _current.set(None)
        try:
            record = self._record(
                end_ns - start_ns, wall_ns, env, count, inv, context, init_ms, proactive, exc
            )
        except Exception as err:
            problem(f"could not build the invocation record: {err!r}", key="record")
            return
        for sink in self._sinks:
            try:
                sink(record)
            except Exception as err:
                problem(
                    f"could not write the invocation record: {err!r}",
                    key=f"sink:{type(sink).__name__}:{type(err).__name__}",
                )

    def _record(
        self,
        duration_ns: int,
        wall_ns: int,
        env: environment.Environment,
        count: int,
        inv: Invocation,
        context: Any,
        init_ms: float | None,
        proactive: bool,
        exc: BaseException | None,
    ) -> dict[str, Any]:
        duration_ms = duration_ns / 1_000_000
        memory_mb = inv.function_memory_size
        billable_ms = duration_ms
        if init_ms is not None and inv.cold_start:
            billable_ms += init_ms  # INIT is billed on on-demand cold starts since 2025-08-01
        whole = int(billable_ms)
        billed = whole if whole == billable_ms else whole + 1
        if billed < 1:
            billed = 1
        arch = env.architecture
        cost_key = (memory_mb, billed, arch)
        cost = _cost_cache.get(cost_key)
        if cost is None:
            if len(_cost_cache) > 4096:
                _cost_cache.clear()
            # rounded to a millionth of a cent: more digits would be noise, not precision
            cost = _cost_cache[cost_key] = round(invocation_cost_usd(memory_mb, billed, arch), 12)
        record: dict[str, Any] = {
            "timestamp": timestamp(wall_ns),
            "level": "INFO" if exc is None else "ERROR",
            "message": "invocation",
            "type": "invocation",
            "service": inv.service,
            "function_name": inv.function_name,
            "function_version": getattr(context, "function_version", None) or _version_env(),
            "function_arn": inv.function_arn,
            "function_memory_size": memory_mb,
            "init_type": env.init_type,
            "architecture": arch,
            "function_request_id": inv.function_request_id,
            "cold_start": inv.cold_start,
            "proactive_init": proactive,
            "invocation_count": count,
            "duration_ms": duration_ns // 1000 / 1000,  # whole microseconds, in ms
            "billed_duration_ms": billed,
            "max_memory_used_mb": (_getrusage(_RUSAGE_SELF).ru_maxrss + 1023) // 1024,
            "cost_usd": cost,
            "status": "success" if exc is None else "error",
        }
        # optional keys come last, so every record starts with the same columns
        if exc is not None:
            record["error_type"] = type(exc).__name__
        if inv.xray_trace_id is not None:
            record["xray_trace_id"] = inv.xray_trace_id
        if init_ms is not None:
            record["init_duration_ms"] = round(init_ms, 3)
        for hook in _on_record:
            try:
                hook(record, count == 1)
            except Exception as err:
                problem(f"could not add to the invocation record: {err!r}", key=f"hook:{hook!r}")
        return record


def _sinks_for(
    output: str | os.PathLike[str] | IO[Any] | None, extra: Sequence[Sink]
) -> list[Sink]:
    return [JsonLineSink(output), *extra]


def instrument(
    handler: Any = None,
    *,
    service: str | None = None,
    output: str | os.PathLike[str] | IO[Any] | None = None,
    sinks: Sequence[Sink] = (),
) -> Any:
    """Record each invocation of a Lambda handler as one JSON line.

    Works with and without parentheses, on plain and ``async def`` handlers
    and on methods; the result keeps the handler's name, docstring, signature
    and module, and stays a coroutine function when the handler is one.

    ``service`` names the service (default: ``LAMBDA_KIT_SERVICE``, then
    ``POWERTOOLS_SERVICE_NAME``, then the function name); ``output`` is where
    the record goes (default stdout; a stream or a file path); ``sinks`` adds
    callables that receive each record dict.

        @instrument(service="orders")
        def handler(event, context):
            return {"ok": True}

    .. versionadded:: 0.1
    """

    def decorate(func: Any) -> Any:
        state = _Instrumented(service, _sinks_for(output, sinks))
        target = func.__func__ if isinstance(func, (staticmethod, classmethod)) else func
        code = getattr(target, "__code__", None)
        is_async = code is not None and bool(code.co_flags & 0x80)  # CO_COROUTINE
        wrapper = state.call_async if is_async else state
        if isinstance(func, (staticmethod, classmethod)):
            return type(func)(FunctionWrapper(func.__func__, wrapper))
        return FunctionWrapper(func, wrapper)

    if handler is not None:
        if not callable(handler) and not isinstance(handler, (staticmethod, classmethod)):
            raise TypeError(f"@instrument expects a handler function, got {handler!r}")
        return decorate(handler)
    return decorate


__all__ = ["instrument"]

# keep the module light: nothing else is imported here (see tests/test_cold_path.py)
del sys
