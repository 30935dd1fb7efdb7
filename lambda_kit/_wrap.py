"""The function ``@instrument`` returns: the handler's look, our begin and end around its call.

``wrap(handler, state)`` gives a plain function (an ``async def`` one for an
``async def`` handler) that calls ``state._begin`` before the handler and
``state._end`` after it, and carries the handler's ``__name__``,
``__qualname__``, ``__doc__``, ``__module__``, ``__annotations__`` and
attributes, with ``__wrapped__`` pointing at it (so ``inspect.signature``
shows the handler's). Being a function, it is bound as a method like the
handler would be; ``_begin`` reads the event and context as the last two
positional arguments, which they are for a function, a method and a classmethod
alike when called as Lambda calls a handler.

Why not wrapt's ``FunctionWrapper`` (lambda_kit 0.1 used it): loading wrapt's C
extension alone costs ~0.15 ms and ~150 garbage-collected objects on every cold
start (its proxy types), enough to trigger a generation-1 collection of the
runtime client's objects during ``import lambda_kit`` (measured in
docs/performance.md); this is one closure, and one Python frame per invocation.
"""

from __future__ import annotations

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Begin = Callable[[tuple[Any, ...], dict[str, Any]], Any]
    End = Callable[[Any, BaseException | None], None]

#: the attribute holding the wrapper's state (lambda_kit.compat finds a record's there)
STATE = "_lambda_kit_state"
_ASSIGNED = ("__module__", "__name__", "__qualname__", "__doc__", "__annotations__")


def _sync(func: Callable[..., Any], begin: Begin, end: End) -> Callable[..., Any]:
    def instrumented(*args: Any, **kwargs: Any) -> Any:
        call = begin(args, kwargs)  # the name "call" is how _stuck finds this frame
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            end(call, exc)
            raise
        end(call, None)
        return result

    return instrumented


def _async(func: Callable[..., Any], begin: Begin, end: End) -> Callable[..., Any]:
    async def instrumented(*args: Any, **kwargs: Any) -> Any:
        call = begin(args, kwargs)
        try:
            awaiting = func(*args, **kwargs)
            if call is not None:  # where the watchdog finds a handler stuck awaiting
                call.awaiting = awaiting
            result = await awaiting
        except BaseException as exc:
            end(call, exc)
            raise
        end(call, None)
        return result

    return instrumented


def _inner_code(factory: Callable[..., Any]) -> Any:
    for const in factory.__code__.co_consts:
        if hasattr(const, "co_code"):
            return const
    raise LookupError(factory)


#: the wrappers' own code: a handler's stack ends where a frame of these begins
WRAPPER_CODES = frozenset((_inner_code(_sync), _inner_code(_async)))


def is_async(func: Any) -> bool:
    """Whether ``func`` is an ``async def`` function (CO_COROUTINE set on its code)."""
    code = getattr(func, "__code__", None)
    return code is not None and bool(code.co_flags & 0x80)


def wrap(func: Callable[..., Any], state: Any) -> Callable[..., Any]:
    """``func`` between ``state._begin`` and ``state._end``, looking like ``func``."""
    wrapper = (_async if is_async(func) else _sync)(func, state._begin, state._end)
    for name in _ASSIGNED:
        try:  # noqa: SIM105 (contextlib is not loaded on the cold path)
            setattr(wrapper, name, getattr(func, name))
        except (AttributeError, TypeError):  # a callable object without it
            pass
    wrapper.__dict__.update(getattr(func, "__dict__", ()))
    wrapper.__wrapped__ = func  # type: ignore[attr-defined]
    setattr(wrapper, STATE, state)
    return wrapper


def state_of(func: Any) -> Any:
    """The state ``wrap`` gave ``func``, or None when ``func`` is not one of ours."""
    return getattr(func, STATE, None) if getattr(func, "__wrapped__", None) is not None else None
