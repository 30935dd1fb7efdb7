"""User metrics belong to the invocation that added them: under ``asyncio.gather`` of
instrumented async handlers, under threads, and in tasks and threads a handler starts."""

from __future__ import annotations

import asyncio
import contextvars
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from _sinks_helpers import Context, fresh_environment
from test_emf import emf_lines

from lambda_kit import _deadline, instrument, metrics


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ("LAMBDA_KIT_METRICS", "LAMBDA_KIT_METRICS_NAMESPACE"):
        monkeypatch.delenv(name, raising=False)
    fresh_environment()
    metrics.clear()
    yield
    _deadline.active.clear()


def by_request(text: str) -> dict[str, dict[str, Any]]:
    """Each invocation's EMF document, by its request id."""
    docs = emf_lines(text)
    out = {}
    for doc in docs:
        rid = doc["function_request_id"]
        assert rid not in out, f"{rid} has two EMF lines"
        out[rid] = doc
    return out


def test_asyncio_gather_of_instrumented_handlers_keeps_each_ones_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    async def handler(event: Any, context: Any) -> int:
        n = event["n"]
        for step in range(3):
            metrics.add("Step", n * 10 + step, "Count")
            await asyncio.sleep(0.001 * ((n + step) % 3))  # interleave the tasks
        metrics.add(f"Only{n}", n)
        return n

    async def main() -> list[int]:
        return await asyncio.gather(*(handler({"n": n}, Context(f"r{n}")) for n in range(20)))

    assert asyncio.run(main()) == list(range(20))
    docs = by_request(out.getvalue())
    assert sorted(docs) == sorted(f"r{n}" for n in range(20))
    for n in range(20):
        doc = docs[f"r{n}"]
        assert doc["Step"] == [n * 10, n * 10 + 1, n * 10 + 2]
        assert doc[f"Only{n}"] == n
        assert not [k for k in doc if k.startswith("Only") and k != f"Only{n}"]
    assert "turn CloudWatch metrics on" not in capsys.readouterr().err


def test_threads_running_instrumented_handlers_keep_each_ones_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = io.StringIO()
    barrier = threading.Barrier(8)

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> int:
        n = event["n"]
        barrier.wait(30)  # all eight are inside an invocation at once
        for step in range(50):
            metrics.add("Value", n * 1000 + step)
        return n

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: handler({"n": n}, Context(f"t{n}")), range(8)))
    assert results == list(range(8))
    docs = by_request(out.getvalue())
    for n in range(8):
        assert docs[f"t{n}"]["Value"] == [n * 1000 + s for s in range(50)]
    assert "turn CloudWatch metrics on" not in capsys.readouterr().err


def test_tasks_a_handler_gathers_add_to_its_invocation() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    async def handler(event: Any, context: Any) -> None:
        async def part(i: int) -> None:
            await asyncio.sleep(0)
            metrics.add("Part", i)

        await asyncio.gather(*(part(i) for i in range(5)))

    asyncio.run(handler({}, Context("one")))
    asyncio.run(handler({}, Context("two")))
    docs = by_request(out.getvalue())
    assert sorted(docs["one"]["Part"]) == [0, 1, 2, 3, 4]
    assert sorted(docs["two"]["Part"]) == [0, 1, 2, 3, 4]


def test_a_worker_thread_the_handler_starts_adds_to_its_invocation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a plain thread starts with an empty context: while one invocation runs, its
    # values still belong to that invocation, not to the next one
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        worker = threading.Thread(target=metrics.add, args=("FromThread", event["n"]))
        worker.start()
        worker.join()
        with ThreadPoolExecutor(2) as pool:
            pool.submit(metrics.add, "FromPool", event["n"]).result()

    handler({"n": 1}, Context("first"))
    handler({"n": 2}, Context("second"))
    docs = by_request(out.getvalue())
    assert docs["first"]["FromThread"] == 1 and docs["first"]["FromPool"] == 1
    assert docs["second"]["FromThread"] == 2 and docs["second"]["FromPool"] == 2
    assert capsys.readouterr().err == ""


def test_a_copied_context_carries_the_invocation_into_a_thread() -> None:
    out = io.StringIO()

    @instrument(service="orders", output=out, metrics=True)
    def handler(event: Any, context: Any) -> None:
        ctx = contextvars.copy_context()
        worker = threading.Thread(target=ctx.run, args=(metrics.add, "Copied", 5))
        worker.start()
        worker.join()

    handler({}, Context("only"))
    assert by_request(out.getvalue())["only"]["Copied"] == 5


def test_metrics_off_in_one_handler_warn_only_for_that_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    on_out, off_out = io.StringIO(), io.StringIO()

    @instrument(service="on", output=on_out, metrics=True)
    async def on(event: Any, context: Any) -> None:
        await asyncio.sleep(0.001)
        metrics.add("Kept", 1)

    @instrument(service="off", output=off_out, metrics=False)
    async def off(event: Any, context: Any) -> None:
        await asyncio.sleep(0.001)
        metrics.add("Dropped", 1)

    async def main() -> None:
        await asyncio.gather(on({}, Context("a")), off({}, Context("b")), on({}, Context("c")))

    asyncio.run(main())
    docs = by_request(on_out.getvalue())
    assert docs["a"]["Kept"] == 1 and docs["c"]["Kept"] == 1
    assert "Dropped" not in on_out.getvalue() and "Dropped" not in off_out.getvalue()
    assert capsys.readouterr().err.count("turn CloudWatch metrics on") == 1
