"""Every promise of ``@instrument`` under every fault class, as one matrix.

Promises, checked for every cell:
  1. the handler's result comes back untouched, and its exception is the same object;
  2. lambda_kit's own problems are single ``lambda_kit: ...`` lines on stderr, each once;
  3. no stall past its bound: the invocations return while a hung dependency is still hung;
  4. no lost record: exactly one record per invocation.

Fault classes (rows): bad input, a dependency that raises, a dependency that hangs.
Concurrency (columns): one after another, ``asyncio.gather`` of async handlers, threads.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from unittest.mock import MagicMock

import pytest
from _sinks_helpers import Context, fresh_environment
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

from lambda_kit import _deadline, instrument, metrics
from lambda_kit.sinks import otel
from lambda_kit.sinks.otel import OtelSink

N = 8  # invocations per cell


class Exporter(SpanExporter):
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.release = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.mode == "raise":
            raise ConnectionError("collector refused")
        self.release.wait(300)
        return SpanExportResult.SUCCESS


class Deadline(Context):
    """A context with ``ms`` left from when it was made."""

    def __init__(self, request_id: str, ms: float) -> None:
        super().__init__(request_id)
        self.deadline = time.time() * 1000 + ms

    def get_remaining_time_in_millis(self) -> int:
        return int(self.deadline - time.time() * 1000)


class Fault:
    """One fault: what the decorator gets, what each invocation gets, how it ends."""

    def __init__(self, name: str, max_problems: int) -> None:
        self.name = name
        self.max_problems = max_problems
        self.options: dict[str, Any] = {}
        self.context: Callable[[int], Any] = lambda i: Context(f"req-{i}")
        self.body: Callable[[int], None] = lambda i: None
        self.raises: Callable[[int], BaseException | None] = lambda i: None
        self.release: Callable[[], None] = lambda: None
        self.status = "success"  # of the invocations that do not raise


def _otel(mode: str, flush_timeout_ms: float = 50) -> tuple[OtelSink, Exporter]:
    exporter = Exporter(mode)
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    if mode == "hang":
        # one invocation meets the hung exporter first (and waits its 50 ms); the cell's
        # invocations then have a budget of the whole invocation (30 s): had they waited
        # for the stuck export, the cell would take minutes
        stuck = OtelSink(tracer_provider=provider, flush_timeout_ms=50)
        instrument(output=io.StringIO(), sinks=[stuck])(lambda e, c: None)({}, Context("first"))
        assert otel._worker.stuck
    return OtelSink(tracer_provider=provider, flush_timeout_ms=flush_timeout_ms), exporter


def make_fault(name: str, monkeypatch: pytest.MonkeyPatch) -> Fault:
    if name == "bad input: a MagicMock context":
        fault = Fault(name, max_problems=2)  # its memory size, its deadline
        fault.context = lambda i: MagicMock()
    elif name == "bad input: environment variables":
        fault = Fault(name, max_problems=3)
        monkeypatch.setenv("LAMBDA_KIT_TIMEOUT_MARGIN_MS", "inf")
        monkeypatch.setenv("LAMBDA_KIT_OTEL_FLUSH_TIMEOUT_MS", "garbage")
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "-5")
        fault.context = lambda i: type("Bare", (), {"aws_request_id": f"req-{i}"})()
    elif name == "bad input: metric values":
        fault = Fault(name, max_problems=2)
        fault.options = {"metrics": True}
        fault.body = lambda i: (metrics.add("Latency", float("nan")), metrics.add("", 1))  # type: ignore[func-returns-value]
    elif name == "raises: the handler":
        fault = Fault(name, max_problems=0)
        errors = {i: KeyError(f"order {i}") for i in range(N)}
        fault.raises = lambda i: errors[i] if i % 2 else None
    elif name == "raises: a sink":
        fault = Fault(name, max_problems=1)
        fault.options = {"sinks": [lambda record: 1 / 0]}
    elif name == "raises: the exporter":
        fault = Fault(name, max_problems=1)
        sink, _ = _otel("raise")
        fault.options = {"sinks": [sink]}
    elif name == "hangs: the exporter":
        fault = Fault(name, max_problems=2)  # stuck, and back once released
        sink, exporter = _otel("hang", flush_timeout_ms=600_000)
        fault.options = {"sinks": [sink]}
        fault.release = exporter.release.set
    elif name == "hangs: the handler, past its deadline":
        fault = Fault(name, max_problems=0)
        fault.options = {"timeout_margin_ms": 100}
        fault.context = lambda i: Deadline(f"req-{i}", 150)
        fault.body = lambda i: time.sleep(0.2)  # type: ignore[assignment]
        fault.status = "timeout"  # the watchdog's record; the result still comes back
    else:  # pragma: no cover
        raise AssertionError(name)
    return fault


FAULTS = [
    "bad input: a MagicMock context",
    "bad input: environment variables",
    "bad input: metric values",
    "raises: the handler",
    "raises: a sink",
    "raises: the exporter",
    "hangs: the exporter",
    "hangs: the handler, past its deadline",
]
MODES = ["sequential", "asyncio", "threads"]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    fresh_environment()
    metrics.clear()
    yield
    _deadline.active.clear()


def run_cell(fault: Fault, mode: str, out: io.StringIO) -> list[Any]:
    """N invocations in ``mode``; each one's result or exception, in order."""

    def body(event: Any, context: Any) -> Any:
        fault.body(event["i"])
        error = fault.raises(event["i"])
        if error is not None:
            raise error
        return {"order": event["i"]}

    async def async_body(event: Any, context: Any) -> Any:
        await asyncio.sleep(0)
        return body(event, context)

    options = {"service": "orders", "output": out, **fault.options}
    outcomes: list[Any] = [None] * N

    def one(handler: Any, i: int) -> None:
        try:
            outcomes[i] = handler({"i": i}, fault.context(i))
        except BaseException as exc:
            outcomes[i] = exc

    if mode == "asyncio":
        handler = instrument(**options)(async_body)

        async def main() -> None:
            async def task(i: int) -> None:
                try:
                    outcomes[i] = await handler({"i": i}, fault.context(i))
                except BaseException as exc:
                    outcomes[i] = exc

            await asyncio.gather(*(task(i) for i in range(N)))

        asyncio.run(main())
    elif mode == "threads":
        handler = instrument(**options)(body)
        threads = [threading.Thread(target=one, args=(handler, i)) for i in range(N)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        handler = instrument(**options)(body)
        for i in range(N):
            one(handler, i)
    return outcomes


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault_name", FAULTS)
def test_every_promise_holds(
    fault_name: str, mode: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    fault = make_fault(fault_name, monkeypatch)
    out = io.StringIO()
    done: list[list[Any]] = []
    try:
        runner = threading.Thread(target=lambda: done.append(run_cell(fault, mode, out)))
        runner.start()
        runner.join(120)  # a hung dependency stays hung (300 s) until after this
        # 3. no stall: every invocation returned while the dependency was still hung
        assert not runner.is_alive(), "an invocation waited for a hung dependency"
    finally:
        fault.release()
        assert otel._worker.wait_idle(30)
    [outcomes] = done
    # 1. results and exceptions untouched
    for i, outcome in enumerate(outcomes):
        expected = fault.raises(i)
        if expected is None:
            assert outcome == {"order": i}
        else:
            assert outcome is expected
    # 4. exactly one record per invocation, with the right status
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    records = [r for r in records if r.get("type") == "invocation"]
    assert len(records) == N
    statuses = sorted(r["status"] for r in records)
    errors = sum(fault.raises(i) is not None for i in range(N))
    assert statuses == sorted(["error"] * errors + [fault.status] * (N - errors))
    # 2. each of our problems is one line, once
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert all(line.startswith("lambda_kit: ") for line in err), err
    assert len(err) == len(set(err)) and len(err) <= fault.max_problems, err
