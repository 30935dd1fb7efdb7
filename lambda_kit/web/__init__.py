"""lambda_kit for web apps behind the Lambda Web Adapter: ASGI and WSGI middleware.

    from lambda_kit.web import ASGIMiddleware, WSGIMiddleware

    app = ASGIMiddleware(app, service="mcp")            # any ASGI app
    app.add_middleware(ASGIMiddleware, service="mcp")   # Starlette / FastAPI
    app.wsgi_app = WSGIMiddleware(app.wsgi_app)         # Flask

Each request that is a Lambda invocation gets the same invocation record as
``@instrument`` gives a handler, plus its HTTP facts; readiness checks get none.
``import lambda_kit`` does not load this package. See docs/web.md.
"""

from __future__ import annotations

from lambda_kit.web._driver import HTTPError
from lambda_kit.web.asgi import ASGIMiddleware
from lambda_kit.web.wsgi import WSGIMiddleware

__all__ = ["ASGIMiddleware", "HTTPError", "WSGIMiddleware"]
