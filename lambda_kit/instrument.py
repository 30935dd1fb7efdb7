"""``@instrument``: wraps a Lambda handler and drives one record per invocation.

    @instrument(service="orders")
    def handler(event, context):
        return {"ok": True}

The flow is one way: the wrapper makes the in-flight invocation
(``lambda_kit._current.Call``) when the handler is called, lets the span sinks
start on it, calls the handler, has ``lambda_kit.record`` add the facts known at
the end, and hands the record to each sink. The handler's result and exceptions
pass through untouched; a failure of ours is reported once on stderr
(``lambda_kit._problems``) and the invocation goes on.
"""

from __future__ import annotations

import math
import os
import time

from lambda_kit import _deadline, _hooks, environment, record, settings
from lambda_kit._current import Call, current, text
from lambda_kit._hooks import problem
from lambda_kit._output import LineWriter
from lambda_kit._wrap import WRAPPER_CODES, wrap

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import IO, Any, TypeAlias, TypeVar, overload

    from lambda_kit.sinks.protocol import Sink

    F = TypeVar("F", bound=Callable[..., Any])
    Output: TypeAlias = str | os.PathLike[str] | IO[Any] | None
else:

    def overload(function):  # the last definition is the one that runs
        return function


#: the default head start of the timeout record before Lambda's kill
DEFAULT_TIMEOUT_MARGIN_MS = 50.0
#: a margin above this would call most invocations timeouts: refused with a warning
MAX_TIMEOUT_MARGIN_MS = 5_000.0

# bound once: these run on every invocation
_perf_ns = time.perf_counter_ns
_time_ns = time.time_ns
_env_get = environment.get
_current = current
_finish = record.finish
_line = record.line
_to_json_line = record.to_json_line
_deadline_from_remaining = _deadline.deadline_from_remaining
_watched = _deadline.active
_OBSERVABILITY = (("metrics", settings.METRICS), ("otel", settings.OTEL), ("xray", settings.XRAY))


class JsonLineSink(LineWriter):
    """Writes each record as one JSON line, where ``LineWriter`` writes (stdout by
    default, a stream, or a file path): the record's default sink (here, not in
    ``lambda_kit.sinks``: ``import lambda_kit`` loads no sinks package).

    >>> sink = JsonLineSink("/tmp/records.jsonl")
    >>> sink(record)  # doctest: +SKIP
    """

    __slots__ = ()

    def __call__(self, record: dict[str, Any]) -> None:  # type: ignore[override]
        self.write(_to_json_line(record))


def select_sinks(
    output: Output, extra: Sequence[Sink], observability: dict[str, Any]
) -> list[Sink]:
    """The sinks of one ``@instrument``: the JSON line, the observability sinks that are
    switched on (their package imported only then: a module less on the cold start
    otherwise), then the user's own."""
    sinks: list[Sink] = [JsonLineSink(output)]
    wanted = any(observability.get(name) for name, _ in _OBSERVABILITY) or any(
        os.environ.get(variable) for _, variable in _OBSERVABILITY
    )
    if wanted:
        from lambda_kit.sinks import enabled

        sinks += enabled(output=output, **observability)
    return [*sinks, *extra]


class _Instrumented:
    """The state behind one ``@instrument`` use: its options and sinks."""

    __slots__ = (
        "_decorated_ns",
        "_expire",
        "_margin_ms",
        "_outer_only",
        "_service",
        "_sinks",
        "_solo",
        "_starters",
        "_takes_metrics",
    )

    def __init__(
        self, service: str | None, sinks: Sequence[Sink], timeout_margin_ms: float | None = None
    ) -> None:
        self._service = service or settings.first_set(
            settings.SERVICE, settings.POWERTOOLS_SERVICE_NAME
        )
        # a record with status "timeout" is written this long before the deadline; 0: never
        self._margin_ms = settings.choose(
            timeout_margin_ms,
            settings.TIMEOUT_MARGIN_MS,
            lambda name, default: settings.env_float(name, default, high=MAX_TIMEOUT_MARGIN_MS),
            DEFAULT_TIMEOUT_MARGIN_MS,
        )
        self._margin_ms = _margin(self._margin_ms)
        # sinks with a ``start`` method follow the invocation from its start and receive
        # ``finish(state, record, exc)``; plain ones only ``sink(record)``
        self._starters = tuple(s for s in sinks if callable(getattr(s, "start", None)))
        self._sinks = tuple(s for s in sinks if s not in self._starters)
        self._takes_metrics = any(getattr(s, "takes_metrics", False) for s in sinks)
        # the record's only sink is its JSON line: it may be written without the dict
        only = self._sinks[0] if len(self._sinks) == 1 and not self._starters else None
        self._solo = only if isinstance(only, JsonLineSink) else None
        self._expire = self._timed_out  # bound once: the watchdog calls it
        # the decorator runs while the handler module is imported: a lower bound for
        # the end of init, used when the first invocation comes much later (proactive init)
        self._decorated_ns = _time_ns()
        # set by lambda_kit.compat: no record of its own inside another invocation's
        self._outer_only = False

    # -- one invocation -------------------------------------------------------------
    def _begin(self, args: tuple[Any, ...], kwargs: Any) -> Call | None:
        start_ns = _perf_ns()
        context: Any = None
        try:
            if self._outer_only and _current.get() is not None:
                return None
            # (event, context) are the last two: a method's or classmethod's come after
            # its instance or class
            context = args[-1] if len(args) > 1 else kwargs.get("context")
            env = environment._env or _env_get()  # get(), without its call once it exists
            env.invocations += 1
            count = env.invocations
            wall_ns = _time_ns()
            init_ms: float | None = None
            proactive = False
            if count == 1:
                init_ms, proactive = environment.first_invocation(env, wall_ns, self._decorated_ns)
            try:
                name = getattr(context, "function_name", None)
                if name is not None and type(name) is not str:
                    name = text(name)  # a MagicMock's made-up attribute is no name
                name = name or _function_name()
                call = Call(start_ns, wall_ns, env, count, context, init_ms, proactive,
                            self._service or name or "service_undefined", name)  # fmt: skip
            except Exception:
                # a context whose attributes raise when read: our facts from a guarded copy
                from lambda_kit._oddcontext import SafeContext

                context = SafeContext(context)
                name = context.function_name or _function_name()
                call = Call(start_ns, wall_ns, env, count, context, init_ms, proactive,
                            self._service or name or "service_undefined", name)  # fmt: skip
            call.takes_metrics = self._takes_metrics
            call.token = _current.set(call)
            for hook in _hooks.on_start:
                try:
                    hook()
                except Exception as err:  # one contributor's failure loses nothing else
                    problem(f"could not start the invocation record: {err!r}", key=f"{hook!r}")
            if self._starters:
                call.event = args[-2] if len(args) > 1 else args[0] if args else kwargs.get("event")
                call.started = self._start_sinks(call)
            if self._margin_ms:  # the deadline watch (inlined: it runs on every invocation)
                deadline = getattr(context, "_epoch_deadline_time_in_ms", None)
                if type(deadline) is not int:  # not awslambdaric's context: ask it
                    deadline = _deadline_from_remaining(context)
                call.deadline_ms = deadline
                if deadline is not None:
                    call.fire_at_ms = deadline - self._margin_ms
                    call.expire = self._expire
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
        # taking the call out of the watched dict is the claim (dict.pop is atomic): None
        # means the watchdog took it first and wrote this invocation's timeout record
        if call.expire is not None and _watched.pop(id(call), None) is None:
            return
        self._emit(call, end_ns - call.start_ns, exc, None)

    def _timed_out(self, call: Call) -> None:
        """Called by the deadline watchdog: the invocation is about to be killed. Its
        record says where the handler's thread was, and a WARNING line comes first."""
        budget_ms = None if call.deadline_ms is None else call.deadline_ms - call.wall_ns / 1e6
        duration_ns = _perf_ns() - call.start_ns
        try:
            from lambda_kit import _stuck

            stack = _stuck.stack_of(call, WRAPPER_CODES)
            if stack:
                notes = call.notes if call.notes is not None else {}
                notes["timeout_stack"] = stack
                call.notes = notes
            _stuck.warn(call, stack)
        except Exception as err:  # the record matters more than where it was stuck
            problem(f"could not tell where the handler was stuck: {err!r}", key="stack")
        self._emit(call, duration_ns, None, budget_ms)

    def _emit(
        self, call: Call, duration_ns: int, exc: BaseException | None, budget_ms: float | None
    ) -> None:
        """Finish the record and hand it to every sink."""
        try:
            _finish(call, duration_ns, exc, budget_ms)
            solo = self._solo
            if solo is not None and not _hooks.on_record:
                solo.write(_line(call))  # the JSON line is the record's only reader
                return
            built: dict[str, Any] | None = record.build(call)
        except Exception as err:
            problem(f"could not write the invocation record: {err!r}", key=f"record:{err!r:.60}")
            built = None
        if built is not None:
            first = call.count == 1
            for hook in _hooks.on_record:
                try:
                    hook(built, first)
                except Exception as err:
                    problem(f"could not add to the invocation record: {err!r}", key=f"{hook!r}")
            for sink in self._sinks:
                try:
                    sink(built)
                except Exception as err:
                    problem(
                        f"could not write the invocation record: {err!r}",
                        key=f"sink:{type(sink).__name__}:{type(err).__name__}",
                    )
        if call.started is not None:
            # spans last: their export may wait (bounded), the record line never does
            self._finish_sinks(call.started, built, exc)

    def _start_sinks(self, call: Call) -> list[Any]:
        """Tell the sinks that follow an invocation (spans) that it starts now."""
        started: list[Any] = []
        for sink in self._starters:
            try:
                started.append(sink.start(call))  # type: ignore[attr-defined]
            except Exception as err:
                started.append(None)
                problem(f"could not start {type(sink).__name__}: {err!r}", key=f"start:{sink!r}")
        return started

    def _finish_sinks(
        self, started: list[Any], built: dict[str, Any] | None, exc: BaseException | None
    ) -> None:
        for sink, state in zip(self._starters, started, strict=True):
            try:
                sink.finish(state, built, exc)  # type: ignore[attr-defined]
            except Exception as err:
                problem(
                    f"could not write the invocation record: {err!r}",
                    key=f"sink:{type(sink).__name__}:{type(err).__name__}",
                )


def _margin(value: Any) -> float:
    """The timeout margin given in code, checked as the environment variable is."""
    try:
        margin = float(value)
    except (TypeError, ValueError, OverflowError):
        margin = math.nan
    if 0.0 <= margin <= MAX_TIMEOUT_MARGIN_MS:
        return margin
    problem(
        f"timeout_margin_ms={value!r:.40} must be a number of ms in "
        f"0..{MAX_TIMEOUT_MARGIN_MS:.0f}; using {DEFAULT_TIMEOUT_MARGIN_MS:.0f}",
        key="timeout-margin-argument",
    )
    return DEFAULT_TIMEOUT_MARGIN_MS


def _function_name() -> str | None:
    return os.environ.get(settings.FUNCTION_NAME)


@overload
def instrument(handler: F, /) -> F: ...


@overload
def instrument(  # noqa: F811
    handler: None = None,
    /,
    *,
    service: str | None = None,
    output: Output = None,
    sinks: Sequence[Sink] = (),
    metrics: bool | None = None,
    namespace: str | None = None,
    otel: bool | None = None,
    xray: bool | None = None,
    timeout_margin_ms: float | None = None,
) -> Callable[[F], F]: ...


def instrument(  # noqa: F811
    handler: Any = None,
    /,
    *,
    service: str | None = None,
    output: Output = None,
    sinks: Sequence[Sink] = (),
    metrics: bool | None = None,
    namespace: str | None = None,
    otel: bool | None = None,
    xray: bool | None = None,
    timeout_margin_ms: float | None = None,
) -> Any:
    """Record each invocation of a Lambda handler as one JSON line.

    Works with and without parentheses, on plain and ``async def`` handlers
    and on methods; the result keeps the handler's name, docstring, signature,
    module and type, and stays a coroutine function when the handler is one.

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
    ``LAMBDA_KIT_TIMEOUT_MARGIN_MS``; 0 turns it off; at most 5000) before its
    deadline gets its record then, with ``status`` "timeout", since Lambda will kill it.

        @instrument(service="orders")
        def handler(event, context):
            return {"ok": True}

    .. versionadded:: 0.1
    """

    def decorate(func: Any) -> Any:
        observability = {"metrics": metrics, "namespace": namespace, "otel": otel, "xray": xray}
        state = _Instrumented(
            service, select_sinks(output, sinks, observability), timeout_margin_ms
        )
        if isinstance(func, (staticmethod, classmethod)):
            return type(func)(wrap(func.__func__, state))
        return wrap(func, state)

    if handler is not None:
        if not callable(handler) and not isinstance(handler, (staticmethod, classmethod)):
            raise TypeError(f"@instrument expects a handler function, got {handler!r}")
        return decorate(handler)
    return decorate


__all__ = ["instrument"]
