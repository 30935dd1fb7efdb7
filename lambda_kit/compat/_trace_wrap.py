"""The wrappers ``Tracer.capture_method`` puts around each kind of function.

Each opens ``## <name>`` for the call (for a generator: while it runs to its
end; for a context manager: across the ``with`` block), records the result as
metadata ``<name> response`` and an exception as ``<name> error``, and lets the
result or the exception through unchanged.
"""

from __future__ import annotations

import functools

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator
    from typing import Any, TypeAlias


    Tracer: TypeAlias = Any  # the compatible Tracer (not imported: no cycle, even typed)


def _done(tracer: Tracer, sub: Any, name: str, result: Any, on: bool) -> None:
    if on and result is not None:
        sub.put_metadata(f"{name} response", result, tracer._namespace)


def _failed(tracer: Tracer, sub: Any, name: str, err: BaseException, on: bool) -> None:
    if on:
        sub.put_metadata(f"{name} error", err, tracer._namespace)


def plain(
    tracer: Tracer, method: Callable[..., Any], name: str, response_on: bool, error_on: bool
) -> Callable[..., Any]:
    """A plain function."""

    @functools.wraps(method)
    def decorate(*args: Any, **kwargs: Any) -> Any:
        with tracer.provider.in_subsegment(f"## {name}") as sub:
            try:
                result = method(*args, **kwargs)
            except Exception as err:
                _failed(tracer, sub, name, err, error_on)
                raise
            _done(tracer, sub, name, result, response_on)
            return result

    return decorate


def coroutine(
    tracer: Tracer, method: Callable[..., Any], name: str, response_on: bool, error_on: bool
) -> Callable[..., Any]:
    """An ``async def`` function (the subsegment lasts until it has been awaited)."""

    @functools.wraps(method)
    async def decorate(*args: Any, **kwargs: Any) -> Any:
        async with tracer.provider.in_subsegment_async(f"## {name}") as sub:
            try:
                result = await method(*args, **kwargs)
            except Exception as err:
                _failed(tracer, sub, name, err, error_on)
                raise
            _done(tracer, sub, name, result, response_on)
            return result

    return decorate


def generator(
    tracer: Tracer, method: Callable[..., Any], name: str, response_on: bool, error_on: bool
) -> Callable[..., Any]:
    """A generator function (the subsegment lasts until it is exhausted)."""

    @functools.wraps(method)
    def decorate(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
        with tracer.provider.in_subsegment(f"## {name}") as sub:
            try:
                result = yield from method(*args, **kwargs)
            except Exception as err:
                _failed(tracer, sub, name, err, error_on)
                raise
            _done(tracer, sub, name, result, response_on)
            return result

    return decorate


def context_manager(
    tracer: Tracer, method: Callable[..., Any], name: str, response_on: bool, error_on: bool
) -> Callable[..., Any]:
    """A ``@contextlib.contextmanager`` function (the subsegment spans the block)."""
    import contextlib

    @functools.wraps(method)
    @contextlib.contextmanager
    def decorate(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with tracer.provider.in_subsegment(f"## {name}") as sub:
            try:
                with method(*args, **kwargs) as value:
                    yield value
            except Exception as err:
                _failed(tracer, sub, name, err, error_on)
                raise
            _done(tracer, sub, name, value, response_on)

    return decorate


__all__ = ["context_manager", "coroutine", "generator", "plain"]
