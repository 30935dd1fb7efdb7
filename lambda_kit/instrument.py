"""``@instrument``: wraps a Lambda handler and writes one record per invocation.

The wrapper gathers the facts of an invocation once, builds one record
(``lambda_kit.record``) and hands it to each sink. The handler's result and
exceptions pass through untouched; a failure of ours is reported on stderr
(``lambda_kit._problems``) and the invocation goes on.
"""

from __future__ import annotations

import os
import resource
import time

from lambda_kit import _deadline, _hooks, environment
from lambda_kit._current import Call, current
from lambda_kit._json import extra_text, render_line
from lambda_kit._output import JsonLineSink, default_sinks
from lambda_kit._problems import problem
from lambda_kit._wrapt import FunctionWrapper
from lambda_kit.billing import invocation_cost_usd
from lambda_kit.record import timestamp

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
_on_start = _hooks.on_start
_on_record = _hooks.on_record
_current = current


_cost_cache: dict[tuple[int, int, str], float] = {}
_deadline_from_remaining = _deadline.deadline_from_remaining
_watched = _deadline.active
#: the default head start of the timeout record before Lambda's kill
DEFAULT_TIMEOUT_MARGIN_MS = 50.0


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

    __slots__ = ("_decorated_ns", "_margin_ms", "_service", "_sinks", "_solo", "_starters")

    def __init__(
        self, service: str | None, sinks: list[Sink], timeout_margin_ms: float | None = None
    ) -> None:
        self._service = _service_name(service)
        # a record with status "timeout" is written this long before the deadline; 0: never
        self._margin_ms = (
            environment.env_float("LAMBDA_KIT_TIMEOUT_MARGIN_MS", DEFAULT_TIMEOUT_MARGIN_MS)
            if timeout_margin_ms is None
            else max(0.0, float(timeout_margin_ms))
        )
        # sinks with a ``start`` method (spans) follow the invocation from its start and
        # receive ``finish(state, record, exc)``; plain ones only ``sink(record)``
        self._starters = tuple(s for s in sinks if callable(getattr(s, "start", None)))
        self._sinks = [s for s in sinks if s not in self._starters]
        # the record's only sink is its JSON line: _emit may write it without the dict
        only = self._sinks[0] if len(self._sinks) == 1 and not self._starters else None
        self._solo = only if isinstance(only, JsonLineSink) else None
        # the decorator runs while the handler module is imported: a lower bound for
        # the end of init, used when the first invocation comes much later (proactive init)
        self._decorated_ns = _time_ns()

    # -- the wrapper wrapt calls ------------------------------------------------------
    def call(self, wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: Any) -> Any:
        call = self._begin(args, kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            self._end(call, exc)
            raise
        self._end(call, None)
        return result

    async def call_async(
        self, wrapped: Any, instance: Any, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        call = self._begin(args, kwargs)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            self._end(call, exc)
            raise
        self._end(call, None)
        return result

    # -- one invocation -------------------------------------------------------------
    def _begin(self, args: tuple[Any, ...], kwargs: Any) -> Call | None:
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
                init_ms, proactive = environment.first_invocation(env, wall_ns, self._decorated_ns)
            name = getattr(context, "function_name", None) or _function_name_env()
            call = Call(start_ns, wall_ns, env, count, context, init_ms, proactive,
                         self._service or name or "service_undefined", name)  # fmt: skip
            call.token = _current.set(call)
            if self._starters:
                call.started = self._start_sinks(args, kwargs, context, wall_ns)
            if self._margin_ms:
                deadline = getattr(context, "_epoch_deadline_time_in_ms", None)
                if type(deadline) is not int:  # not awslambdaric's context: ask it
                    deadline = _deadline_from_remaining(context)
                if deadline is not None:
                    call.deadline_ms = deadline
                    call.fire_at_ms = deadline - self._margin_ms
                    call.owner = self
                    call.claim = [True]
                    _watched[id(call)] = call
                    if _deadline.idle:
                        _deadline.ensure_started()
            return call
        except Exception as exc:  # never let our bookkeeping break the handler
            problem(f"could not start the invocation record: {exc!r}", key="begin")
            return None

    def _end(self, call: Call | None, exc: BaseException | None) -> None:
        end_ns = _perf_ns()
        if call is None:
            return
        try:
            _current.reset(call.token)
        except ValueError:  # reset from another context (a handler that switched threads)
            _current.set(None)
        claim = call.claim
        if claim is not None:
            _watched.pop(id(call), None)
            try:
                claim.pop()
            except IndexError:  # the watchdog already wrote this invocation's timeout record
                return
        self._emit(call, end_ns - call.start_ns, exc, None)

    def _timed_out(self, call: Call) -> None:
        """Called by the deadline watchdog: the invocation is about to be killed."""
        budget_ms = None if call.deadline_ms is None else call.deadline_ms - call.wall_ns / 1e6
        self._emit(call, _perf_ns() - call.start_ns, None, budget_ms)

    def _emit(
        self, call: Call, duration_ns: int, exc: BaseException | None, budget_ms: float | None
    ) -> None:
        """Build the record and hand it to every sink."""
        solo = self._solo
        if solo is not None and not _on_record and solo._dumps is None and call.extra is None:
            try:  # the JSON line is the record's only reader: write it without the dict
                solo.write(self._line(call, duration_ns, exc, budget_ms))
            except Exception as err:
                problem(
                    f"could not write the invocation record: {err!r}",
                    key=f"sink:JsonLineSink:{type(err).__name__}",
                )
            return
        try:
            record = self._record(call, duration_ns, exc, budget_ms)
        except Exception as err:
            problem(f"could not build the invocation record: {err!r}", key="record")
            record = None
        if record is not None:
            for sink in self._sinks:
                try:
                    sink(record)
                except Exception as err:
                    problem(
                        f"could not write the invocation record: {err!r}",
                        key=f"sink:{type(sink).__name__}:{type(err).__name__}",
                    )
        if call.started is not None:
            # spans last: their export may wait (bounded), the record line never does
            self._finish_sinks(call.started, record, exc)

    def _start_sinks(
        self, args: tuple[Any, ...], kwargs: Any, context: Any, wall_ns: int
    ) -> list[Any]:
        """Tell the sinks that follow an invocation (spans) that it starts now."""
        event = args[0] if args else kwargs.get("event")
        started: list[Any] = []
        for sink in self._starters:
            try:
                started.append(sink.start(event, context, wall_ns))  # type: ignore[attr-defined]
            except Exception as err:
                started.append(None)
                problem(f"could not start {type(sink).__name__}: {err!r}", key=f"start:{sink!r}")
        return started

    def _finish_sinks(
        self, started: list[Any], record: dict[str, Any] | None, exc: BaseException | None
    ) -> None:
        for sink, state in zip(self._starters, started, strict=True):
            try:
                sink.finish(state, record, exc)  # type: ignore[attr-defined]
            except Exception as err:
                problem(
                    f"could not write the invocation record: {err!r}",
                    key=f"sink:{type(sink).__name__}:{type(err).__name__}",
                )

    def _values(
        self, call: Call, duration_ns: int, exc: BaseException | None, budget_ms: float | None
    ) -> tuple[Any, ...]:
        """The facts the record adds to ``call``'s, worked out once: (timestamp, level,
        status, error type, duration ms, billed ms, cost, peak MB, version, init ms)."""
        env = call.env
        init_ms = call.init_ms
        memory_mb = call.function_memory_size
        # a timed-out invocation is billed until the kill: its whole budget
        billable_ms = duration_ns / 1_000_000 if budget_ms is None else budget_ms
        if init_ms is not None and call.cold_start:
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
        peak_kib = _getrusage(_RUSAGE_SELF).ru_maxrss  # KiB on Linux
        if call.count == 1:
            environment.detect_floor(peak_kib)
        if peak_kib <= environment.floor_kib:  # still under a peak inherited across exec
            peak_kib = environment.own_peak_kib() or peak_kib
        if budget_ms is not None:
            level, status, error_type = "ERROR", "timeout", "Sandbox.Timedout"  # platform.report's
        elif exc is not None:
            level, status, error_type = "ERROR", "error", type(exc).__name__
        else:
            level, status, error_type = "INFO", "success", None
        return (
            timestamp(call.wall_ns),
            level,
            status,
            error_type,
            duration_ns // 1000 / 1000,  # whole microseconds, in ms
            billed,
            cost,
            (peak_kib + 1023) // 1024,
            getattr(call.context, "function_version", None) or _version_env(),
            None if init_ms is None else round(init_ms, 3),
        )

    def _record(
        self,
        call: Call,
        duration_ns: int,
        exc: BaseException | None,
        timeout_budget_ms: float | None = None,
    ) -> dict[str, Any]:
        ts, level, status, error_type, duration_ms, billed, cost, peak_mb, version, init_ms = (
            self._values(call, duration_ns, exc, timeout_budget_ms)
        )
        env = call.env
        record: dict[str, Any] = {
            "timestamp": ts,
            "level": level,
            "message": "invocation",
            "type": "invocation",
            "service": call.service,
            "function_name": call.function_name,
            "function_version": version,
            "function_arn": call.function_arn,
            "function_memory_size": call.function_memory_size,
            "init_type": env.init_type,
            "architecture": env.architecture,
            "function_request_id": call.function_request_id,
            "cold_start": call.cold_start,
            "proactive_init": call.proactive,
            "invocation_count": call.count,
            "duration_ms": duration_ms,
            "billed_duration_ms": billed,
            "max_memory_used_mb": peak_mb,
            "cost_usd": cost,
            "status": status,
        }
        # optional keys come last, so every record starts with the same columns
        if error_type is not None:
            record["error_type"] = error_type
        if call.xray_trace_id is not None:
            record["xray_trace_id"] = call.xray_trace_id
        if init_ms is not None:
            record["init_duration_ms"] = init_ms
        if call.extra:
            record.update(call.extra)
        for hook in _on_record:
            try:
                hook(record, call.count == 1)
            except Exception as err:
                problem(f"could not add to the invocation record: {err!r}", key=f"hook:{hook!r}")
        return record

    def _line(
        self, call: Call, duration_ns: int, exc: BaseException | None, budget_ms: float | None
    ) -> bytes:
        """The record's JSON line straight from its values, for the common case where
        the JSON line is its only reader (no hooks, no other sinks): the same text
        as ``_record`` + ``JsonLineSink`` give, without building the dict."""
        ts, level, status, error_type, duration_ms, billed, cost, peak_mb, version, init_ms = (
            self._values(call, duration_ns, exc, budget_ms)
        )
        env = call.env
        extra = ""
        if error_type is not None or call.xray_trace_id is not None or init_ms is not None:
            extra = extra_text(
                (k, v)
                for k, v in (
                    ("error_type", error_type),
                    ("xray_trace_id", call.xray_trace_id),
                    ("init_duration_ms", init_ms),
                )
                if v is not None
            )
        key = (
            call.service,
            call.function_name,
            version,
            call.function_arn,
            call.function_memory_size,
            env.init_type,
            env.architecture,
        )
        return render_line(
            key, extra, ts, level, call.function_request_id, call.cold_start, call.proactive,
            call.count, duration_ms, billed, peak_mb, cost, status,
        )  # fmt: skip


def instrument(
    handler: Any = None,
    *,
    service: str | None = None,
    output: str | os.PathLike[str] | IO[Any] | None = None,
    sinks: Sequence[Sink] = (),
    metrics: bool | None = None,
    namespace: str | None = None,
    otel: bool | None = None,
    xray: bool | None = None,
    timeout_margin_ms: float | None = None,
) -> Any:
    """Record each invocation of a Lambda handler as one JSON line.

    Works with and without parentheses, on plain and ``async def`` handlers
    and on methods; the result keeps the handler's name, docstring, signature
    and module, and stays a coroutine function when the handler is one.

    ``service`` names the service (default: ``LAMBDA_KIT_SERVICE``, then
    ``POWERTOOLS_SERVICE_NAME``, then the function name); ``output`` is where
    the record goes (default stdout; a stream or a file path); ``sinks`` adds
    callables that receive each record dict.

    The same record can also go to CloudWatch metrics (``metrics=True`` or
    ``LAMBDA_KIT_METRICS=1``; ``namespace`` or ``LAMBDA_KIT_METRICS_NAMESPACE`` /
    ``POWERTOOLS_METRICS_NAMESPACE``), OpenTelemetry (``otel=True`` or
    ``LAMBDA_KIT_OTEL=1``) and X-Ray (``xray=True`` or ``LAMBDA_KIT_XRAY=1``);
    None means "ask the environment variable". See docs/metrics.md,
    docs/opentelemetry.md and docs/xray.md.

    An invocation still running ``timeout_margin_ms`` (default 50, or
    ``LAMBDA_KIT_TIMEOUT_MARGIN_MS``; 0 turns it off) before its deadline gets
    its record then, with ``status`` "timeout", since Lambda will kill it.

        @instrument(service="orders")
        def handler(event, context):
            return {"ok": True}

    .. versionadded:: 0.1
    """

    def decorate(func: Any) -> Any:
        observability = {"metrics": metrics, "namespace": namespace, "otel": otel, "xray": xray}
        state = _Instrumented(
            service, default_sinks(output, sinks, observability), timeout_margin_ms
        )
        target = func.__func__ if isinstance(func, (staticmethod, classmethod)) else func
        code = getattr(target, "__code__", None)
        is_async = code is not None and bool(code.co_flags & 0x80)  # CO_COROUTINE
        # a bound method, not the instance: calling an instance goes through its type's
        # __call__ slot, which costs more on every invocation
        wrapper = state.call_async if is_async else state.call
        if isinstance(func, (staticmethod, classmethod)):
            return type(func)(FunctionWrapper(func.__func__, wrapper))
        return FunctionWrapper(func, wrapper)

    if handler is not None:
        if not callable(handler) and not isinstance(handler, (staticmethod, classmethod)):
            raise TypeError(f"@instrument expects a handler function, got {handler!r}")
        return decorate(handler)
    return decorate


__all__ = ["instrument"]
