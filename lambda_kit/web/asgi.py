"""``ASGIMiddleware``: the invocation record for ASGI apps (FastAPI, Starlette, FastMCP).

Pure ASGI: it wraps ``send`` to learn the status and count the body, and passes
every message through as it comes (a streamed response stays streamed). The
invocation ends when the last body chunk has been handed to the server, which is
when the adapter can complete Lambda's response; a 5xx waits for the app to
return, so an exception the app raises after sending its 500 names the error.
"""

from __future__ import annotations

from lambda_kit.web import _adapter, _init
from lambda_kit.web._base import Middleware
from lambda_kit.web._driver import HTTPError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping
    from typing import Any

    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_LAMBDA_CONTEXT = _adapter.LAMBDA_CONTEXT
_REQUEST_CONTEXT = _adapter.REQUEST_CONTEXT
_context_from_header = _adapter.context_from_header


def route_template(scope: Scope, root_path: str) -> str | None:
    """The matched route's template (``/items/{item_id}``), where the framework put it
    in the scope (Starlette and FastAPI: ``scope["route"]``, after routing); a mount's
    prefix is the part of ``root_path`` the routing added."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return None
    now = scope.get("root_path", "")
    if now != root_path and isinstance(now, str) and now.startswith(root_path):
        path = now[len(root_path) :] + path
    return path


class ASGIMiddleware(Middleware):
    """Writes one invocation record per request that is a Lambda invocation.

        app = ASGIMiddleware(app, service="mcp")
        # or, in Starlette / FastAPI:
        app.add_middleware(ASGIMiddleware, service="mcp")

    The options are ``@instrument``'s (``service``, ``output``, ``sinks``, ``metrics``,
    ``namespace``, ``otel``, ``xray``, ``timeout_margin_ms``); docs/web.md says which
    requests are invocations and which HTTP facts the record gets.

    .. versionadded:: 0.2
    """

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                return await self._lifespan(scope, receive, send)
            return await self.app(scope, receive, send)  # websockets: not an invocation
        lambda_header = request_header = None
        for key, value in scope["headers"]:
            if key == _LAMBDA_CONTEXT:
                lambda_header = value
            elif key == _REQUEST_CONTEXT:
                request_header = value
        if lambda_header is None and self._under_adapter:
            return await self._not_invocation(scope, receive, send)
        context, trace = _context_from_header(lambda_header)
        method = scope.get("method", "GET")
        call = self._driver.begin(context, trace, method)
        if call is None:
            return await self.app(scope, receive, send)
        root_path = scope.get("root_path", "")
        # [status, body bytes, state]: state 0 running, 1 response sent (5xx: the app's
        # return decides the error), 2 recorded
        facts: list[Any] = [None, 0, 0]
        end = self._driver.end
        error_codes = self._error_codes

        def finish(exc: BaseException | None) -> None:
            facts[2] = 2
            status = facts[0]
            if exc is None and (status is None or status in error_codes):
                exc = HTTPError(f"HTTP {status or 500}")
            extra: dict[str, Any] = {"http_method": method}
            route = route_template(scope, root_path)
            if route is not None:
                extra["http_route"] = route
            extra["http_status"] = status if status is not None else 500
            extra["http_response_bytes"] = facts[1]
            if request_header is not None:
                rid = _adapter.api_request_id(request_header)
                if rid is not None:
                    extra["api_request_id"] = rid
            end(call, exc, extra)

        async def send_through(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.body":
                await send(message)
                facts[1] += len(message.get("body", b""))
                if not message.get("more_body", False) and facts[2] == 0:
                    if facts[0] in error_codes:
                        facts[2] = 1
                    else:
                        finish(None)
                return
            if kind == "http.response.start":
                facts[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_through)
        except BaseException as exc:
            if facts[2] != 2:
                finish(exc)
            raise
        if facts[2] != 2:
            finish(None)

    async def _not_invocation(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A request the adapter did not send as an invocation: a readiness check (the
        first healthy one ends init), or another local caller. No record."""
        if _init.ready_ns is not None or scope.get("path") != self._settings.readiness_path:
            return await self.app(scope, receive, send)
        healthy = self._settings.healthy
        status: list[int] = [0]

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)
            if (
                message["type"] == "http.response.body"
                and not message.get("more_body", False)
                and status[0] in healthy
            ):
                _init.note_ready()

        await self.app(scope, receive, watch)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Lifespan passes through; its startup is timed as an init phase."""

        async def receive_timed() -> Message:
            message = await receive()
            if message.get("type") == "lifespan.startup":
                _init.note_startup(False)
            return message

        async def send_timed(message: Message) -> None:
            kind = message.get("type")
            if kind in ("lifespan.startup.complete", "lifespan.startup.failed"):
                _init.note_startup(True)
                if kind == "lifespan.startup.complete" and self._settings.readiness_tcp:
                    # a TCP readiness check never reaches the app: ready once it listens
                    _init.note_ready()
            await send(message)

        await self.app(scope, receive_timed, send_timed)
