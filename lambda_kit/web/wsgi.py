"""``WSGIMiddleware``: the invocation record for WSGI apps (Flask, Django, Bottle).

It wraps ``start_response`` for the status and the response iterable to count
the body; chunks pass through as the app yields them. The invocation ends when
the iterable is exhausted (the server has written every chunk before asking for
the next) or closed, whichever comes first; a threaded server (waitress,
gunicorn's gthread) runs each request in one thread from start to close, so the
logger's keys stay the request's own.
"""

from __future__ import annotations

from lambda_kit.web import _adapter, _init
from lambda_kit.web._base import Middleware
from lambda_kit.web._driver import HTTPError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

    from lambda_kit._current import Call

    StartResponse = Callable[..., Any]
    WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_LAMBDA_CONTEXT = _adapter.LAMBDA_CONTEXT_WSGI
_REQUEST_CONTEXT = _adapter.REQUEST_CONTEXT_WSGI


def route_template(environ: dict[str, Any]) -> str | None:
    """The matched URL rule (``/items/<int:item_id>``): Flask's, through the werkzeug
    request it keeps in the environ (``werkzeug.request``) while its request context
    lives, which is until ``start_response`` has been called (Flask then clears it)."""
    request = environ.get("werkzeug.request")
    rule = getattr(getattr(request, "url_rule", None), "rule", None)
    return rule if isinstance(rule, str) else None


class _Response:
    """The app's response iterable, counted; ends the invocation once."""

    __slots__ = (
        "_body", "_owner", "_start", "bytes", "call", "done", "environ", "method", "route",
        "status",
    )  # fmt: skip

    def __init__(
        self,
        owner: WSGIMiddleware,
        call: Call,
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> None:
        self._owner = owner
        self._start = start_response
        self._body: Iterable[bytes] = ()
        self.call = call
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET")
        self.status: int | None = None
        self.route: str | None = None
        self.bytes = 0
        self.done = False

    def start_response(self, status: str, headers: Any, exc_info: Any = None) -> Any:
        try:
            self.status = int(status[:3])
        except (TypeError, ValueError):
            self.status = None
        self.route = route_template(self.environ)
        return self._start(status, headers, exc_info)

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._body:
                self.bytes += len(chunk)
                yield chunk
        except BaseException as exc:
            self.finish(exc)
            raise
        self.finish(None)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        except BaseException as exc:
            self.finish(exc)
            raise
        self.finish(None)

    def finish(self, exc: BaseException | None) -> None:
        if self.done:
            return
        self.done = True
        status = self.status
        if exc is None and (status is None or status in self._owner._error_codes):
            exc = HTTPError(f"HTTP {status or 500}")
        extra: dict[str, Any] = {"http_method": self.method}
        route = self.route
        if route is not None:
            extra["http_route"] = route
        extra["http_status"] = status if status is not None else 500
        extra["http_response_bytes"] = self.bytes
        rid = _adapter.api_request_id(self.environ.get(_REQUEST_CONTEXT))
        if rid is not None:
            extra["api_request_id"] = rid
        self._owner._driver.end(self.call, exc, extra)


class WSGIMiddleware(Middleware):
    """Writes one invocation record per request that is a Lambda invocation.

        app.wsgi_app = WSGIMiddleware(app.wsgi_app, service="shop")   # Flask

    The options are ``@instrument``'s; see docs/web.md.

    .. versionadded:: 0.2
    """

    app: WSGIApp

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        lambda_header = environ.get(_LAMBDA_CONTEXT)
        if lambda_header is None and self._under_adapter:
            return self._not_invocation(environ, start_response)
        context, trace = _adapter.context_from_header(lambda_header)
        call = self._driver.begin(context, trace, environ.get("REQUEST_METHOD", "GET"))
        if call is None:
            return self.app(environ, start_response)
        response = _Response(self, call, environ, start_response)
        try:
            response._body = self.app(environ, response.start_response)
        except BaseException as exc:
            response.finish(exc)
            raise
        return response

    def _not_invocation(
        self, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """A readiness check (the first healthy one ends init) or another local caller."""
        if _init.ready_ns is not None or environ.get("PATH_INFO") != self._settings.readiness_path:
            return self.app(environ, start_response)
        healthy = self._settings.healthy

        def watch(status: str, headers: Any, exc_info: Any = None) -> Any:
            try:
                if int(status[:3]) in healthy:
                    environ["lambda_kit.ready"] = True
            except (TypeError, ValueError):
                pass
            return start_response(status, headers, exc_info)

        body = self.app(environ, watch)
        return _Readiness(body, environ)


class _Readiness:
    """A readiness check's body: init ends when a healthy one has been written."""

    __slots__ = ("_body", "_environ")

    def __init__(self, body: Iterable[bytes], environ: dict[str, Any]) -> None:
        self._body = body
        self._environ = environ

    def __iter__(self) -> Iterator[bytes]:
        yield from self._body

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if self._environ.get("lambda_kit.ready"):
                _init.note_ready()
