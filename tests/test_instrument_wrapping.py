"""@instrument is indistinguishable from the handler to every tool that inspects it."""

from __future__ import annotations

import asyncio
import inspect

import pytest
from _lk_helpers import Capture, FakeContext

from lambda_kit import _problems, environment, instrument


@pytest.fixture(autouse=True)
def _fresh_environment():
    environment.reset()
    _problems.reset()
    yield
    environment.reset()


def test_bare_decorator_returns_the_handlers_result():
    out = Capture()

    def handler(event, context):
        return {"echo": event}

    wrapped = instrument(output=out)(handler)
    assert wrapped({"a": 1}, FakeContext()) == {"echo": {"a": 1}}
    assert len(out.records) == 1


def test_decorator_without_parentheses_writes_a_record(capsys):
    @instrument
    def handler(event, context):
        return 7

    assert handler({}, FakeContext()) == 7
    assert '"message":"invocation"' in capsys.readouterr().out


def test_keeps_name_docstring_module_and_signature():
    def order_handler(event: dict, context: object) -> dict:
        """Handles orders."""
        return event

    wrapped = instrument(service="orders")(order_handler)
    assert wrapped.__name__ == "order_handler"
    assert wrapped.__qualname__ == order_handler.__qualname__
    assert wrapped.__doc__ == "Handles orders."
    assert wrapped.__module__ == __name__
    assert inspect.signature(wrapped) == inspect.signature(order_handler)
    assert wrapped.__wrapped__ is order_handler


def test_async_handler_stays_a_coroutine_function_and_records():
    out = Capture()

    @instrument(output=out)
    async def handler(event, context):
        await asyncio.sleep(0)
        return "done"

    assert inspect.iscoroutinefunction(handler)
    assert asyncio.run(handler({}, FakeContext())) == "done"
    [record] = out.records
    assert record["status"] == "success"


def test_async_handler_that_raises_records_the_error():
    out = Capture()

    @instrument(output=out)
    async def handler(event, context):
        raise LookupError("missing")

    with pytest.raises(LookupError):
        asyncio.run(handler({}, FakeContext()))
    assert out.records[0]["error_type"] == "LookupError"


def test_sync_handler_is_not_reported_as_a_coroutine_function():
    @instrument(output=Capture())
    def handler(event, context):
        return 1

    assert not inspect.iscoroutinefunction(handler)


def test_method_handler_receives_its_instance():
    out = Capture()

    class Service:
        def __init__(self) -> None:
            self.calls = 0

        @instrument(output=out)
        def handle(self, event, context):
            self.calls += 1
            return (self, event)

    service = Service()
    me, event = service.handle({"k": 1}, FakeContext(request_id="req-m"))
    assert me is service and event == {"k": 1} and service.calls == 1
    assert out.records[0]["function_request_id"] == "req-m"


def test_staticmethod_and_classmethod_handlers():
    out = Capture()

    class Handlers:
        @staticmethod
        @instrument(output=out)
        def static(event, context):
            return "static"

        @classmethod
        @instrument(output=out)
        def klass(cls, event, context):
            return cls

    assert Handlers.static({}, FakeContext()) == "static"
    assert Handlers.klass({}, FakeContext()) is Handlers
    assert [r["status"] for r in out.records] == ["success", "success"]


def test_context_passed_by_keyword_is_read():
    out = Capture()

    @instrument(output=out)
    def handler(event, context):
        return None

    handler(event={}, context=FakeContext(request_id="kw-1"))
    assert out.records[0]["function_request_id"] == "kw-1"


def test_non_callable_is_refused_with_a_clear_error():
    with pytest.raises(TypeError, match="expects a handler function"):
        instrument(42)  # type: ignore[call-overload]


def test_a_callable_object_and_a_partial_are_wrapped_and_recorded():
    import functools

    class Handler:
        def __call__(self, event, context):
            return ("object", event)

    out = Capture()
    wrapped_object = instrument(output=out)(Handler())
    wrapped_partial = instrument(output=out)(
        functools.partial(lambda tag, e, c: (tag, e), "partial")
    )
    assert wrapped_object(1, FakeContext(request_id="o")) == ("object", 1)
    assert wrapped_partial(2, FakeContext(request_id="p")) == ("partial", 2)
    assert [r["function_request_id"] for r in out.records] == ["o", "p"]
